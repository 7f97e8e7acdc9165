fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    match mandate::check::check_path(std::path::Path::new(&path)) {
        Ok((loaded, checked)) => {
            for p in &checked.problems {
                eprintln!("{:?}", miette::Report::new(p.with_source(&loaded.sources)));
            }
            if let Some(m) = checked.model {
                println!("ok: {} measures {} categories {} windows {} rules", m.measures.len(), m.categories.len(), m.windows.len(), m.rules.len());
            }
        }
        Err(e) => eprintln!("{:?}", miette::Report::new(e)),
    }
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    match mandate::syntax::parse(mandate::syntax::FileId(0), &text) {
        Ok(ast) => println!("{ast:#?}"),
        Err(e) => {
            let r = miette::Report::new(e).with_source_code(miette::NamedSource::new(path, text));
            eprintln!("{r:?}");
        }
    }
}

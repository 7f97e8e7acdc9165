fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (loaded, checked) = mandate::check::check_path(std::path::Path::new(&args[1])).unwrap();
    let model = checked.model.unwrap();
    let opts = mandate::eval::Options {
        as_of: chrono::NaiveDate::from_ymd_opt(2024, 2, 15).unwrap(),
    };
    let ev = mandate::eval::evaluate(
        &model,
        &loaded.sources,
        &[std::path::PathBuf::from(&args[2])],
        &opts,
    );
    for e in &ev.data_errors {
        eprintln!("DATA {:?} {} {:?}", e.file, e.message, e.location);
    }
    for f in &ev.findings {
        println!(
            "{} {} {:?} {:?} {}",
            f.entity, f.rule, f.severity, f.status, f.message
        );
    }
    for x in &ev.explanations {
        let c: Vec<String> = x
            .categories
            .iter()
            .map(|c| format!("{}={}", c.name, c.state.key()))
            .collect();
        eprintln!("{} {}", x.entity, c.join(" "));
    }
}

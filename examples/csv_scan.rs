//! The practical floor for a lint: one plain single-pass scan of a CSV file with the `csv` crate,
//! one reused `ByteRecord`, no allocation per row, nothing decoded.
//!
//! ```text
//! cargo run --release --example csv_scan -- FILE.csv
//! ```
//!
//! Prints `rows=N checksum=C seconds=S` on one line. The checksum sums the first byte of each
//! row's first field, so the scan cannot be optimised away. `bench/run.sh` times the whole process.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: csv_scan FILE.csv");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let mut reader = match csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_path(&path)
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut checksum = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                rows += 1;
                let first = record.get(0).and_then(|f| f.first()).copied();
                checksum = checksum.wrapping_add(u64::from(first.unwrap_or(0)));
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("error: {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!(
        "rows={rows} checksum={checksum} seconds={:.3}",
        start.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

//! `mandate gen OUT_DIR`

use std::path::PathBuf;

pub mod synth;

use super::{EXIT_OK, EXIT_UNREADABLE};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Size {
    /// ~1,000 schools, ~500,000 students.
    District,
    /// ~10,000 schools, ~5,000,000 students.
    State,
}

/// Write a synthetic data set (all REF-1028.19 record types) for benchmarks, deterministic from a
/// seed. The data is invented and says so.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write the CSV files into (created if missing).
    pub out: PathBuf,
    #[arg(long, value_enum, default_value = "district")]
    pub size: Size,
    /// Override the number of schools.
    #[arg(long)]
    pub schools: Option<usize>,
    /// Override the number of students.
    #[arg(long)]
    pub students: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(args: Args) -> u8 {
    let (schools, students) = match args.size {
        Size::District => (1_000, 500_000),
        Size::State => (10_000, 5_000_000),
    };
    let schools = args.schools.unwrap_or(schools);
    let students = args.students.unwrap_or(students);
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create `{}`: {e}", args.out.display());
        return EXIT_UNREADABLE;
    }
    match synth::generate(&args.out, args.seed, schools, students) {
        Ok(s) => {
            eprintln!(
                "wrote {} schools ({} secondary, {} PHBAO) and {} students to {}",
                s.schools,
                s.secondary,
                s.phbao,
                s.students,
                args.out.display()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", args.out.display());
            EXIT_UNREADABLE
        }
    }
}

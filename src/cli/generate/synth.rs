//! Synthetic district data for benchmarks.
//!
//! [`generate`] writes the eight CSV files of `policies/lausd/common/lausd.policy` (`school.csv`,
//! `student.csv`, `calendar.csv`, `conference.csv`, `event.csv`, `certification.csv`,
//! `norm_history.csv`, `attendance_form.csv`) for a district of any size. Everything is invented:
//! schools are "Synthetic Elementary 000001", students "Student 0000001".
//!
//! The output is a function of `(seed, schools, students)` alone: the same arguments give the same
//! bytes on every platform. Randomness comes from a hand-written SplitMix64, one independent stream
//! per (school, file), so each file is written in one pass without looking at the others.
//!
//! Memory is `O(schools)`: student rows are streamed to a [`BufWriter`](std::io::BufWriter) as they are drawn, so five
//! million students cost no more than five hundred.
//!
//! Distributions, roughly: 20% secondary schools (each with a marking calendar); about three in four
//! schools PHBAO this year; a few in each transition state (notice year 1 and 2, reclassified, newly
//! qualifying); ~7% MAG1 (60:40 or 70:30, a few without a balance) and ~4% MAG2; 12% non-resident
//! students; two conferences per PHBAO or magnet school, mostly in window, with a few out of window,
//! on an event day, or missing; semester certifications mostly on time; three years of norm history.
//! About 3% of schools come pre-counted: one row per (ethnicity, enrollment) with a `headcount`.
//!
//! Not part of the engine: the library's stages never use it; `mandate gen` and the tests do.

mod files;

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

use files::*;

/// What [`generate`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenSummary {
    /// Schools written (rows of `school.csv`).
    pub schools: usize,
    /// Students represented in `student.csv` (headcounts included); equals the `students` argument.
    pub students: u64,
    /// Secondary schools (each has a `calendar.csv` row).
    pub secondary: usize,
    /// Schools that are PHBAO this year (continuing or in a notice year), from the data written.
    pub phbao: usize,
    /// Schools with no resident student: PHBAO undetermined.
    pub undetermined: usize,
    pub mag1: usize,
    pub mag2: usize,
    /// Schools given as pre-counted headcount rows.
    pub precounted: usize,
    /// Data rows (header excluded) per file name.
    pub rows: BTreeMap<&'static str, u64>,
}

/// Writes a synthetic district of `schools` schools and `students` students into `out_dir`
/// (created if missing), replacing the eight CSV files there.
///
/// Students are spread over schools by size (secondary schools are about three times larger); with
/// more schools than students some schools have none and their PHBAO status is undetermined.
/// `students > 0` with `schools == 0` is an `InvalidInput` error.
pub fn generate(
    out_dir: &Path,
    seed: u64,
    schools: usize,
    students: usize,
) -> io::Result<GenSummary> {
    if schools == 0 && students > 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot place students in a district without schools",
        ));
    }
    fs::create_dir_all(out_dir)?;
    let mut plans = plan_schools(seed, schools);
    assign_sizes(&mut plans, students as u64);

    let mut summary = GenSummary {
        schools,
        ..GenSummary::default()
    };
    write_schools(out_dir, &plans, &mut summary)?;
    let outcomes = write_students(out_dir, seed, &plans, &mut summary)?;
    write_calendars(out_dir, &plans, &mut summary)?;
    write_conferences(out_dir, seed, &plans, &outcomes, &mut summary)?;
    write_events(out_dir, seed, &plans, &outcomes, &mut summary)?;
    write_certifications(out_dir, seed, &plans, &outcomes, &mut summary)?;
    write_norm_history(out_dir, &plans, &outcomes, &mut summary)?;
    write_attendance_forms(out_dir, seed, &plans, &outcomes, &mut summary)?;

    for (plan, outcome) in plans.iter().zip(&outcomes) {
        summary.secondary += usize::from(plan.secondary);
        summary.mag1 += usize::from(plan.magnet == Magnet::Mag1);
        summary.mag2 += usize::from(plan.magnet == Magnet::Mag2);
        summary.precounted += usize::from(plan.precounted);
        summary.phbao += usize::from(outcome.phbao_now == Some(true));
        summary.undetermined += usize::from(outcome.phbao_now.is_none());
    }
    Ok(summary)
}

// ── randomness ────────────────────────────────────────────────────────────────────────────────────

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for synthetic data.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n == 0`), by multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p / 1000`.
    fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    /// One item, with probability proportional to its weight.
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)], fallback: T) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for &(item, w) in items {
            if r < w {
                return item;
            }
            r -= w;
        }
        fallback
    }
}

/// An independent stream for one school and one purpose (file), so files can be written one at a
/// time and in any order.
fn stream(seed: u64, school: usize, purpose: u64) -> SplitMix64 {
    let mut base = SplitMix64(seed ^ purpose.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let first = base.next_u64();
    let mut s = SplitMix64(first ^ (school as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    s.next_u64();
    s
}

const PLAN: u64 = 1;
const STUDENTS: u64 = 2;
const CONFERENCES: u64 = 3;
const EVENTS: u64 = 4;
const CERTIFICATIONS: u64 = 5;
const FORMS: u64 = 6;

// ── calendar days ─────────────────────────────────────────────────────────────────────────────────

/// A calendar day, counted from 1970-01-01 (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Day(i64);

impl Day {
    /// Days from civil (Howard Hinnant's algorithm); total for any input.
    const fn ymd(y: i64, m: i64, d: i64) -> Day {
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Day(era * 146_097 + doe - 719_468)
    }

    fn civil(self) -> (i64, i64, i64) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    fn plus(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    /// 0 = Monday … 6 = Sunday.
    fn weekday(self) -> i64 {
        (self.0 + 3).rem_euclid(7)
    }

    fn is_weekday(self) -> bool {
        self.weekday() < 5
    }

    /// The same day `n` years later (Feb 29 becomes Mar 1 in a common year).
    fn plus_years(self, n: i64) -> Day {
        let (y, m, d) = self.civil();
        Day::ymd(y + n, m, 1).plus(d - 1)
    }

    /// A school day (Monday to Friday) in `lo..=hi`, or `lo` if the range holds none.
    fn pick_weekday(rng: &mut SplitMix64, lo: Day, hi: Day) -> Day {
        let span = u64::try_from(hi.0 - lo.0).unwrap_or(0);
        for _ in 0..16 {
            let d = lo.plus(i64::try_from(rng.below(span + 1)).unwrap_or(0));
            if d.is_weekday() {
                return d;
            }
        }
        lo
    }
}

/// Month-first, as the guides print dates: `1/31/2024`.
struct Us(Day);

impl fmt::Display for Us {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.0.civil();
        write!(f, "{m}/{d}/{y}")
    }
}

/// ISO 8601: `2024-01-31`.
struct Iso(Day);

impl fmt::Display for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.0.civil();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

// ── the plan of each school ───────────────────────────────────────────────────────────────────────

/// The PHBAO story a school is drawn to have; its actual state follows from the students written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Story {
    Continuing,
    Notice1,
    Notice2,
    Reclassified,
    Newly,
    NotPhbao,
}

impl Story {
    /// (phbao held, qualified) in 2021-2022 and 2022-2023.
    fn history(self) -> [(bool, bool); 2] {
        match self {
            Story::Continuing | Story::Notice1 => [(true, true), (true, true)],
            Story::Notice2 => [(true, true), (true, false)],
            Story::Reclassified => [(true, false), (true, false)],
            Story::Newly | Story::NotPhbao => [(false, false), (false, false)],
        }
    }

    /// PHBAO status held in 2023-2024.
    fn held(self) -> bool {
        !matches!(self, Story::Newly | Story::NotPhbao)
    }

    /// The target HBAO share of resident students, per mille.
    fn share_range(self) -> (u64, u64) {
        match self {
            Story::Continuing | Story::Newly => (780, 985),
            Story::Notice1 | Story::Notice2 | Story::Reclassified => (450, 660),
            Story::NotPhbao => (150, 620),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Magnet {
    None,
    Mag1,
    Mag2,
}

#[derive(Clone, Copy, Debug)]
struct Calendar {
    class_start: Day,
    s1_progress_report: Day,
    s2_start: Day,
    s2_progress_report: Day,
}

#[derive(Clone, Debug)]
struct SchoolPlan {
    id: String,
    secondary: bool,
    story: Story,
    magnet: Magnet,
    balance: &'static str,
    share_per_mille: u64,
    precounted: bool,
    /// Relative size, then the number of students assigned.
    weight: u64,
    students: u64,
    calendar: Option<Calendar>,
}

/// What the students written say about a school.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    /// Met > 70% this year; `None` with no resident student.
    qualified: Option<bool>,
    /// PHBAO this year; `None` when undetermined.
    phbao_now: Option<bool>,
}

impl Outcome {
    /// The conference, certification and retention rules apply (PHBAO or magnet).
    fn rules_apply(self, plan: &SchoolPlan) -> bool {
        plan.magnet != Magnet::None || self.phbao_now == Some(true)
    }
}

const STORIES: [(Story, u64); 6] = [
    (Story::Continuing, 690),
    (Story::Notice1, 30),
    (Story::Notice2, 20),
    (Story::Reclassified, 20),
    (Story::Newly, 30),
    (Story::NotPhbao, 210),
];

fn plan_schools(seed: u64, schools: usize) -> Vec<SchoolPlan> {
    let width = schools.to_string().len().max(6);
    (0..schools)
        .map(|i| {
            let mut rng = stream(seed, i, PLAN);
            let secondary = rng.per_mille(200);
            let story = rng.weighted(&STORIES, Story::Continuing);
            let magnet = if story.held() && story != Story::Reclassified {
                if rng.per_mille(50) {
                    Magnet::Mag2
                } else {
                    Magnet::None
                }
            } else if rng.per_mille(250) {
                Magnet::Mag1
            } else {
                Magnet::None
            };
            let balance = if magnet == Magnet::Mag1 {
                rng.weighted(&[("60:40", 480), ("70:30", 480), ("", 40)], "")
            } else {
                ""
            };
            let (lo, hi) = story.share_range();
            let share_per_mille = rng.range(lo, hi);
            let precounted = rng.per_mille(30);
            let weight = if secondary {
                rng.range(1800, 4200)
            } else {
                rng.range(500, 1500)
            };
            let calendar = secondary.then(|| {
                let class_start =
                    Day::ymd(2023, 8, 14).plus(i64::try_from(rng.below(3)).unwrap_or(0));
                let s2_start = if rng.per_mille(500) {
                    Day::ymd(2024, 1, 16)
                } else {
                    Day::ymd(2024, 1, 22)
                };
                Calendar {
                    class_start,
                    s1_progress_report: class_start.plus(7 * 13 + 3),
                    s2_start,
                    s2_progress_report: s2_start.plus(7 * 14 + 2),
                }
            });
            SchoolPlan {
                id: format!("SCH{:0width$}", i + 1),
                secondary,
                story,
                magnet,
                balance,
                share_per_mille,
                precounted,
                weight,
                students: 0,
                calendar,
            }
        })
        .collect()
}

/// Splits `students` over the schools in proportion to their weights, exactly.
fn assign_sizes(plans: &mut [SchoolPlan], students: u64) {
    let total: u128 = plans.iter().map(|p| u128::from(p.weight)).sum();
    if total == 0 {
        return;
    }
    let mut cumulative: u128 = 0;
    let mut given: u64 = 0;
    for p in plans.iter_mut() {
        cumulative += u128::from(p.weight);
        let upto = u64::try_from(u128::from(students) * cumulative / total).unwrap_or(students);
        p.students = upto - given;
        given = upto;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const FILES: [&str; 8] = [
        "school.csv",
        "student.csv",
        "calendar.csv",
        "conference.csv",
        "event.csv",
        "certification.csv",
        "norm_history.csv",
        "attendance_form.csv",
    ];

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir =
                std::env::temp_dir().join(format!("mandate-gen-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn read_all(dir: &Path) -> io::Result<Vec<(String, String)>> {
        FILES
            .iter()
            .map(|f| Ok((f.to_string(), fs::read_to_string(dir.join(f))?)))
            .collect()
    }

    #[test]
    fn same_seed_same_bytes() -> io::Result<()> {
        let (a, b, c) = (TempDir::new("a"), TempDir::new("b"), TempDir::new("c"));
        let sa = generate(&a.0, 42, 25, 2_000)?;
        let sb = generate(&b.0, 42, 25, 2_000)?;
        generate(&c.0, 43, 25, 2_000)?;
        assert_eq!(sa, sb);
        assert_eq!(read_all(&a.0)?, read_all(&b.0)?);
        assert_ne!(read_all(&a.0)?, read_all(&c.0)?);
        Ok(())
    }

    #[test]
    fn row_counts_match_the_summary() -> io::Result<()> {
        let dir = TempDir::new("counts");
        let s = generate(&dir.0, 7, 12, 600)?;
        assert_eq!(s.schools, 12);
        assert_eq!(s.students, 600);
        for f in FILES {
            let text = fs::read_to_string(dir.0.join(f))?;
            let data_rows = text.lines().count() as u64 - 1;
            assert_eq!(Some(&data_rows), s.rows.get(f), "{f}");
        }
        assert_eq!(s.rows.get("school.csv"), Some(&12));
        assert_eq!(s.rows.get("norm_history.csv"), Some(&36));
        assert_eq!(s.rows.get("calendar.csv"), Some(&(s.secondary as u64)));

        // every student is represented once: a row each, or inside a headcount
        let students = fs::read_to_string(dir.0.join("student.csv"))?;
        let mut represented = 0u64;
        for line in students.lines().skip(1) {
            let headcount = line.split(',').nth(3).unwrap_or("");
            represented += if headcount.is_empty() {
                1
            } else {
                headcount.parse().unwrap_or(0)
            };
        }
        assert_eq!(represented, 600);
        Ok(())
    }

    #[test]
    fn headers_are_the_schema_field_names() -> io::Result<()> {
        let dir = TempDir::new("headers");
        generate(&dir.0, 1, 3, 30)?;
        let first = |f: &str| -> io::Result<String> {
            Ok(fs::read_to_string(dir.0.join(f))?
                .lines()
                .next()
                .unwrap_or("")
                .to_string())
        };
        assert_eq!(first("school.csv")?, "id,name,level,magnet,balance");
        assert_eq!(
            first("student.csv")?,
            "school,ethnicity,enrollment,headcount,extracted,student_name"
        );
        assert_eq!(
            first("attendance_form.csv")?,
            "school,date,discarded,participants"
        );
        Ok(())
    }

    #[test]
    fn distributions_look_like_a_district() -> io::Result<()> {
        let dir = TempDir::new("district");
        let s = generate(&dir.0, 2024, 400, 40_000)?;
        let share = |n: usize| n as f64 / s.schools as f64;
        assert!((0.65..=0.85).contains(&share(s.phbao)), "phbao {}", s.phbao);
        assert!(
            (0.12..=0.28).contains(&share(s.secondary)),
            "secondary {}",
            s.secondary
        );
        assert!(s.mag1 > 0 && s.mag2 > 0 && s.precounted > 0);
        assert_eq!(s.undetermined, 0);
        Ok(())
    }

    #[test]
    fn more_schools_than_students_and_empty_districts() -> io::Result<()> {
        let dir = TempDir::new("sparse");
        let s = generate(&dir.0, 3, 10, 4)?;
        assert_eq!(s.students, 4);
        assert!(s.undetermined >= 6);
        let empty = TempDir::new("empty");
        let s = generate(&empty.0, 3, 0, 0)?;
        assert_eq!(s.rows.get("student.csv"), Some(&0));
        assert!(generate(&empty.0, 3, 0, 5).is_err());
        Ok(())
    }

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(Iso(Day::ymd(2024, 1, 31)).to_string(), "2024-01-31");
        assert_eq!(Us(Day::ymd(2024, 1, 31)).to_string(), "1/31/2024");
        assert_eq!(Day::ymd(1970, 1, 1), Day(0));
        assert_eq!(Day::ymd(2023, 8, 14).plus(35), Day::ymd(2023, 9, 18));
        assert_eq!(Day::ymd(2023, 11, 13).weekday(), 0);
        assert_eq!(Day::ymd(2024, 3, 9).weekday(), 5);
        assert_eq!(Day::ymd(2024, 2, 29).plus_years(1), Day::ymd(2025, 3, 1));
        for n in [-800_000, -1, 0, 19_000, 2_000_000] {
            let (y, m, d) = Day(n).civil();
            assert_eq!(Day::ymd(y, m, d), Day(n));
        }
    }
}

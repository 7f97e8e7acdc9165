//! The eight CSV files, one writer each, from the schools' plans.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::*;

pub(super) fn create(out_dir: &Path, name: &str, header: &str) -> io::Result<BufWriter<File>> {
    let mut w = BufWriter::with_capacity(1 << 16, File::create(out_dir.join(name))?);
    writeln!(w, "{header}")?;
    Ok(w)
}

pub(super) fn finish(
    w: BufWriter<File>,
    name: &'static str,
    rows: u64,
    summary: &mut GenSummary,
) -> io::Result<()> {
    w.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    summary.rows.insert(name, rows);
    Ok(())
}

pub(super) fn level(plan: &SchoolPlan) -> &'static str {
    if plan.secondary {
        "secondary"
    } else {
        "elementary"
    }
}

pub(super) fn write_schools(
    out_dir: &Path,
    plans: &[SchoolPlan],
    summary: &mut GenSummary,
) -> io::Result<()> {
    let mut w = create(out_dir, "school.csv", "id,name,level,magnet,balance")?;
    for p in plans {
        let kind = if p.secondary {
            "Secondary"
        } else {
            "Elementary"
        };
        let magnet = match p.magnet {
            Magnet::None => "",
            Magnet::Mag1 => "mag1",
            Magnet::Mag2 => "mag2",
        };
        let number = p.id.trim_start_matches("SCH");
        writeln!(
            w,
            "{},Synthetic {kind} {number},{},{magnet},{}",
            p.id,
            level(p),
            p.balance
        )?;
    }
    finish(w, "school.csv", plans.len() as u64, summary)
}

const HBAO: [(&str, u64); 7] = [
    ("hispanic", 740),
    ("black", 80),
    ("asian", 70),
    ("filipino", 40),
    ("pacific_islander", 5),
    ("american_indian", 5),
    ("two_or_more", 60),
];
const NOT_HBAO: [(&str, u64); 2] = [("white", 920), ("not_reported", 80)];
const NONRESIDENT: [(&str, u64); 4] = [
    ("traveling", 450),
    ("permit", 300),
    ("open_enrollment", 150),
    ("special_day_class", 100),
];

/// One student: (ethnicity, enrollment, resident, hbao).
pub(super) fn draw_student(
    rng: &mut SplitMix64,
    share_per_mille: u64,
) -> (&'static str, &'static str, bool, bool) {
    if rng.per_mille(120) {
        let enrollment = rng.weighted(&NONRESIDENT, "traveling");
        let hbao = rng.per_mille(700);
        let ethnicity = if hbao {
            rng.weighted(&HBAO, "hispanic")
        } else {
            rng.weighted(&NOT_HBAO, "white")
        };
        (ethnicity, enrollment, false, hbao)
    } else {
        let hbao = rng.per_mille(share_per_mille);
        let ethnicity = if hbao {
            rng.weighted(&HBAO, "hispanic")
        } else {
            rng.weighted(&NOT_HBAO, "white")
        };
        (ethnicity, "resident", true, hbao)
    }
}

pub(super) fn write_students(
    out_dir: &Path,
    seed: u64,
    plans: &[SchoolPlan],
    summary: &mut GenSummary,
) -> io::Result<Vec<Outcome>> {
    let mut w = create(
        out_dir,
        "student.csv",
        "school,ethnicity,enrollment,headcount,extracted,student_name",
    )?;
    let norm_day = Us(Day::ymd(2023, 9, 15)).to_string();
    let mut rows: u64 = 0;
    let mut next_name: u64 = 0;
    let mut outcomes = Vec::with_capacity(plans.len());
    for (i, p) in plans.iter().enumerate() {
        let mut rng = stream(seed, i, STUDENTS);
        let (mut resident, mut hbao_resident) = (0u64, 0u64);
        // pre-counted schools: at most 9 × 5 groups
        let mut groups: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for _ in 0..p.students {
            let (ethnicity, enrollment, is_resident, is_hbao) =
                draw_student(&mut rng, p.share_per_mille);
            resident += u64::from(is_resident);
            hbao_resident += u64::from(is_resident && is_hbao);
            if p.precounted {
                *groups.entry((ethnicity, enrollment)).or_insert(0) += 1;
                continue;
            }
            // about one row in 50,000 was extracted on the wrong day
            let extracted = if rng.below(50_000) == 0 {
                if rng.per_mille(500) {
                    "9/14/2023"
                } else {
                    "9/18/2023"
                }
            } else {
                norm_day.as_str()
            };
            next_name += 1;
            writeln!(
                w,
                "{},{ethnicity},{enrollment},,{extracted},Student {next_name:07}",
                p.id
            )?;
            rows += 1;
        }
        for ((ethnicity, enrollment), n) in &groups {
            writeln!(w, "{},{ethnicity},{enrollment},{n},{norm_day},", p.id)?;
            rows += 1;
        }
        outcomes.push(outcome(p.story, resident, hbao_resident));
        summary.students += p.students;
    }
    finish(w, "student.csv", rows, summary)?;
    Ok(outcomes)
}

/// The PHBAO transition, decided the way the policy decides it: share > 70% exactly, gain next
/// year, loss in the third failing year.
pub(super) fn outcome(story: Story, resident: u64, hbao_resident: u64) -> Outcome {
    if resident == 0 {
        return Outcome {
            qualified: None,
            phbao_now: None,
        };
    }
    let qualified = hbao_resident * 100 > resident * 70;
    let phbao_now = if !story.held() {
        false
    } else if qualified {
        true
    } else {
        let failing_before = story.history().iter().rev().take_while(|(_, q)| !q).count();
        failing_before < 2
    };
    Outcome {
        qualified: Some(qualified),
        phbao_now: Some(phbao_now),
    }
}

pub(super) fn write_calendars(
    out_dir: &Path,
    plans: &[SchoolPlan],
    summary: &mut GenSummary,
) -> io::Result<()> {
    let mut w = create(
        out_dir,
        "calendar.csv",
        "school,class_start,s1_progress_report,s2_start,s2_progress_report",
    )?;
    let mut rows = 0;
    for p in plans {
        if let Some(c) = p.calendar {
            writeln!(
                w,
                "{},{},{},{},{}",
                p.id,
                Us(c.class_start),
                Us(c.s1_progress_report),
                Us(c.s2_start),
                Us(c.s2_progress_report)
            )?;
            rows += 1;
        }
    }
    finish(w, "calendar.csv", rows, summary)
}

/// The conference days of a school: `(first?, day)`. Drawn from the school's own stream so the
/// conference, event and attendance-form files agree.
pub(super) fn conference_days(
    seed: u64,
    i: usize,
    plan: &SchoolPlan,
    applies: bool,
) -> Vec<(bool, Day)> {
    let mut rng = stream(seed, i, CONFERENCES);
    // schools the rules do not cover seldom hold them
    if !applies && !rng.per_mille(60) {
        return Vec::new();
    }
    let mut days = Vec::new();
    for first in [true, false] {
        if !first && rng.per_mille(25) {
            continue; // second conference missing
        }
        let (lo, hi_excl) = match plan.calendar {
            None if first => (Day::ymd(2023, 11, 13), Day::ymd(2023, 11, 18)),
            None => (Day::ymd(2024, 3, 4), Day::ymd(2024, 3, 9)),
            Some(c) if first => (c.class_start.plus(35), c.s1_progress_report),
            Some(c) => (c.s2_start, c.s2_progress_report),
        };
        let out_of_window = rng.per_mille(40);
        let count = if plan.secondary {
            rng.range(1, 2)
        } else {
            rng.range(1, 3)
        };
        let start = if out_of_window {
            if rng.per_mille(500) {
                lo.plus(-1)
            } else {
                hi_excl
            }
        } else if plan.secondary {
            Day::pick_weekday(&mut rng, lo.plus(1), hi_excl.plus(-4))
        } else {
            // the elementary windows are Monday to Friday
            let last_start = u64::try_from(hi_excl.0 - lo.0)
                .unwrap_or(1)
                .saturating_sub(count);
            lo.plus(i64::try_from(rng.below(last_start + 1)).unwrap_or(0))
        };
        for k in 0..count {
            let day = start.plus(i64::try_from(k).unwrap_or(0));
            if k == 0 || (day.is_weekday() && day < hi_excl) {
                days.push((first, day));
            }
        }
    }
    days
}

pub(super) fn write_conferences(
    out_dir: &Path,
    seed: u64,
    plans: &[SchoolPlan],
    outcomes: &[Outcome],
    summary: &mut GenSummary,
) -> io::Result<()> {
    let mut w = create(out_dir, "conference.csv", "school,number,date")?;
    let mut rows = 0;
    for (i, (p, o)) in plans.iter().zip(outcomes).enumerate() {
        for (first, day) in conference_days(seed, i, p, o.rules_apply(p)) {
            let number = if first { "first" } else { "second" };
            writeln!(w, "{},{number},{}", p.id, Iso(day))?;
            rows += 1;
        }
    }
    finish(w, "conference.csv", rows, summary)
}

pub(super) fn write_events(
    out_dir: &Path,
    seed: u64,
    plans: &[SchoolPlan],
    outcomes: &[Outcome],
    summary: &mut GenSummary,
) -> io::Result<()> {
    let mut w = create(out_dir, "event.csv", "school,kind,date")?;
    let mut rows = 0;
    for (i, (p, o)) in plans.iter().zip(outcomes).enumerate() {
        let mut rng = stream(seed, i, EVENTS);
        let (mut back_to_school, mut open_house) = if p.secondary {
            (
                Day::pick_weekday(&mut rng, Day::ymd(2023, 8, 24), Day::ymd(2023, 9, 14)),
                Day::pick_weekday(&mut rng, Day::ymd(2024, 5, 6), Day::ymd(2024, 5, 24)),
            )
        } else {
            (
                Day::pick_weekday(&mut rng, Day::ymd(2023, 9, 5), Day::ymd(2023, 9, 29)),
                Day::pick_weekday(&mut rng, Day::ymd(2024, 4, 15), Day::ymd(2024, 5, 17)),
            )
        };
        // about one school in a hundred schedules a conference on its event night
        if rng.per_mille(10) {
            let days = conference_days(seed, i, p, o.rules_apply(p));
            if let Some(&(first, day)) = days.first() {
                if first && rng.per_mille(500) {
                    back_to_school = day;
                } else {
                    open_house = day;
                }
            }
        }
        let mut events = vec![
            ("back_to_school", back_to_school),
            ("open_house", open_house),
        ];
        if rng.per_mille(300) {
            events.push((
                "other",
                Day::pick_weekday(&mut rng, Day::ymd(2023, 12, 4), Day::ymd(2023, 12, 15)),
            ));
        }
        events.sort_by_key(|&(kind, day)| (day, kind));
        for (kind, day) in events {
            writeln!(w, "{},{kind},{}", p.id, Us(day))?;
            rows += 1;
        }
    }
    finish(w, "event.csv", rows, summary)
}

pub(super) fn write_certifications(
    out_dir: &Path,
    seed: u64,
    plans: &[SchoolPlan],
    outcomes: &[Outcome],
    summary: &mut GenSummary,
) -> io::Result<()> {
    let mut w = create(out_dir, "certification.csv", "school,semester,completed")?;
    let mut rows = 0;
    for (i, (p, o)) in plans.iter().zip(outcomes).enumerate() {
        if !o.rules_apply(p) {
            continue;
        }
        let mut rng = stream(seed, i, CERTIFICATIONS);
        // (on time, late, empty; the rest missing) per mille, and the date ranges
        let semesters = [
            (
                "first",
                [930, 30, 15],
                (Day::ymd(2024, 1, 8), Day::ymd(2024, 1, 31)),
                (Day::ymd(2024, 2, 1), Day::ymd(2024, 2, 14)),
            ),
            (
                "second",
                [450, 40, 300],
                (Day::ymd(2024, 6, 3), Day::ymd(2024, 6, 21)),
                (Day::ymd(2024, 6, 24), Day::ymd(2024, 6, 28)),
            ),
        ];
        for (semester, [on_time, late, empty], (a, b), (c, d)) in semesters {
            let r = rng.below(1000);
            let completed = if r < on_time {
                Some(Day::pick_weekday(&mut rng, a, b))
            } else if r < on_time + late {
                Some(Day::pick_weekday(&mut rng, c, d))
            } else if r < on_time + late + empty {
                None
            } else {
                continue;
            };
            match completed {
                Some(day) => writeln!(w, "{},{semester},{}", p.id, Us(day))?,
                None => writeln!(w, "{},{semester},", p.id)?,
            }
            rows += 1;
        }
    }
    finish(w, "certification.csv", rows, summary)
}

pub(super) fn write_norm_history(
    out_dir: &Path,
    plans: &[SchoolPlan],
    outcomes: &[Outcome],
    summary: &mut GenSummary,
) -> io::Result<()> {
    let mut w = create(out_dir, "norm_history.csv", "school,year,phbao,qualified")?;
    let mut rows = 0;
    for (p, o) in plans.iter().zip(outcomes) {
        for (year, (held, qualified)) in ["2021-2022", "2022-2023"].iter().zip(p.story.history()) {
            writeln!(w, "{},{year},{held},{qualified}", p.id)?;
            rows += 1;
        }
        let qualified = o.qualified.unwrap_or(false);
        writeln!(w, "{},2023-2024,{},{qualified}", p.id, p.story.held())?;
        rows += 1;
    }
    finish(w, "norm_history.csv", rows, summary)
}

pub(super) fn write_attendance_forms(
    out_dir: &Path,
    seed: u64,
    plans: &[SchoolPlan],
    outcomes: &[Outcome],
    summary: &mut GenSummary,
) -> io::Result<()> {
    // Each form records the parents who signed it (REF-1028.19's `participants`): a count drawn
    // from the row number, so that the random streams, and every other file, are unchanged.
    let mut w = create(
        out_dir,
        "attendance_form.csv",
        "school,date,discarded,participants",
    )?;
    let mut rows = 0;
    for (i, (p, o)) in plans.iter().zip(outcomes).enumerate() {
        let applies = o.rules_apply(p);
        if !applies {
            continue;
        }
        for (first, day) in conference_days(seed, i, p, applies) {
            if first {
                writeln!(w, "{},{},,{}", p.id, Us(day), rows % 23 + 4)?;
                rows += 1;
            }
        }
        let mut rng = stream(seed, i, FORMS);
        if rng.per_mille(300) {
            let year = if rng.per_mille(500) { 2017 } else { 2018 };
            let day = Day::pick_weekday(&mut rng, Day::ymd(year, 11, 6), Day::ymd(year, 11, 17));
            let kept = day.plus_years(5);
            // one old form in a hundred went to the shredder early
            let offset = i64::try_from(rng.range(30, 400)).unwrap_or(30);
            let discarded = if rng.per_mille(10) {
                kept.plus(-offset)
            } else {
                kept.plus(offset)
            };
            writeln!(
                w,
                "{},{},{},{}",
                p.id,
                Us(day),
                Us(discarded),
                rows % 23 + 4
            )?;
            rows += 1;
        }
    }
    finish(w, "attendance_form.csv", rows, summary)
}

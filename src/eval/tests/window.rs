//! The date words, defined in `window.rs`: which days a window holds, and the first and last
//! days it shows, agree for every combination of bound words.

use chrono::{Duration, NaiveDate};

use crate::eval::window::{in_window, show_window};
use crate::syntax::ast::BoundKind::{self, After, Before, By, From};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, m, day).unwrap()
}

#[test]
fn each_date_word_includes_or_excludes_its_date() {
    let oct = d(10, 2);
    let (day_before, day_after) = (d(10, 1), d(10, 3));
    // Lower bounds: `from` holds its date, `after` starts the day after.
    assert!(in_window(oct, Some((From, oct)), None));
    assert!(!in_window(day_before, Some((From, oct)), None));
    assert!(!in_window(oct, Some((After, oct)), None));
    assert!(in_window(day_after, Some((After, oct)), None));
    // Upper bounds: `by` holds its date, `before` ends the day before.
    assert!(in_window(oct, None, Some((By, oct))));
    assert!(!in_window(day_after, None, Some((By, oct))));
    assert!(!in_window(oct, None, Some((Before, oct))));
    assert!(in_window(day_before, None, Some((Before, oct))));
    // No bound: every day.
    assert!(in_window(oct, None, None));
}

#[test]
fn windows_show_their_first_and_last_days() {
    let (a, b) = (d(9, 20), d(12, 7));
    assert_eq!(
        show_window(Some((From, a)), Some((By, b))),
        "9/20/2023 to 12/7/2023"
    );
    assert_eq!(
        show_window(Some((After, a)), Some((Before, b))),
        "9/21/2023 to 12/6/2023"
    );
    assert_eq!(show_window(Some((From, a)), None), "from 9/20/2023");
    assert_eq!(show_window(Some((After, a)), None), "from 9/21/2023");
    assert_eq!(show_window(None, Some((By, b))), "through 12/7/2023");
    assert_eq!(show_window(None, Some((Before, b))), "through 12/6/2023");
    assert_eq!(show_window(None, None), "any day");
    // Across a month and a year.
    assert_eq!(
        show_window(Some((After, d(9, 30))), Some((Before, d(1, 1)))),
        "10/1/2023 to 12/31/2022"
    );
}

/// For every pair of bound words and dates a few days apart, a day is in the window exactly when
/// it lies between the first and last days the window shows, inclusive.
#[test]
fn the_days_shown_are_the_days_held() {
    let words = [From, After, By, Before];
    let base = d(11, 10);
    let day = |n: i64| base + Duration::days(n);
    let shown = |x: NaiveDate| crate::check::model::us_date(x);
    for lo_word in words {
        for hi_word in words {
            for lo in -3..=3 {
                for hi in -3..=3 {
                    let lower = Some((lo_word, day(lo)));
                    let upper = Some((hi_word, day(hi)));
                    let text = show_window(lower, upper);
                    let (first, last) = text.split_once(" to ").unwrap();
                    for n in -6..=6 {
                        let held = in_window(day(n), lower, upper);
                        let between = shown_between(first, last, day(n), &shown);
                        assert_eq!(
                            held, between,
                            "{lo_word:?} {lo} {hi_word:?} {hi}: day {n}, shown {text}"
                        );
                    }
                }
            }
        }
    }
}

/// Whether `x` lies between the days shown as `first` and `last`, inclusive.
fn shown_between(
    first: &str,
    last: &str,
    x: NaiveDate,
    shown: &impl Fn(NaiveDate) -> String,
) -> bool {
    let parse = |t: &str| NaiveDate::parse_from_str(t, "%m/%d/%Y").unwrap();
    assert_eq!(shown(parse(first)), first);
    parse(first) <= x && x <= parse(last)
}

#[test]
fn bound_words_read_as_the_guide_reads_them() {
    let words: Vec<&str> = [From, After, By, Before]
        .iter()
        .map(|w: &BoundKind| w.word())
        .collect();
    assert_eq!(words, ["from", "after", "by", "before"]);
}

/// Each word's first or last day, as the checker and the evaluator both read it; at the ends of
/// the calendar `after` and `before` let in no day.
#[test]
fn first_and_last_days_of_each_word() {
    use crate::check::model::{first_day, last_day};
    let oct = d(10, 2);
    assert_eq!(first_day(From, oct), Some(oct));
    assert_eq!(first_day(After, oct), Some(d(10, 3)));
    assert_eq!(last_day(By, oct), Some(oct));
    assert_eq!(last_day(Before, oct), Some(d(10, 1)));
    assert_eq!(first_day(After, NaiveDate::MAX), None);
    assert_eq!(last_day(Before, NaiveDate::MIN), None);
    assert!(!in_window(
        NaiveDate::MAX,
        Some((After, NaiveDate::MAX)),
        None
    ));
    assert!(!in_window(
        NaiveDate::MIN,
        None,
        Some((Before, NaiveDate::MIN))
    ));
}

//! Dates as exports write them (month first, ISO, named months, a time of day after them),
//! school years and durations.

use chrono::NaiveDate;

use crate::data::error::{quote, shown};
use crate::syntax::ast::{Duration, DurationUnit};

use super::CellError;
use super::fast::plain_date;
use super::number::all_digits;

/// A date as exports write it: `1/31/2024` (month first), `2024-01-31`, `2024/01/31`,
/// `20240131`, `January 31, 2024`, `Jan 31 2024`, `31-Jan-2024`, each optionally followed by a time of day
/// (`1/31/2024 12:00:00 AM`, `2024-01-31T08:30:00Z`, `2024-01-31 00:00:00.000`), which is
/// ignored: a date-time stands for the day it falls on, as written. Two-digit years are refused
/// (is `1/31/24` 2024 or 1924?), with the four-digit spelling as help.
pub(crate) fn date(t: &str, private: bool) -> Result<NaiveDate, CellError> {
    date_zoned(t, private).map(|(d, _)| d)
}

/// `expected a date, found ...`, with the spellings to use.
fn not_a_date(t: &str, private: bool) -> CellError {
    CellError::value(
        format!("expected a date, found {}", shown(t, private)),
        "write dates month first, as `1/31/2024`, or as `2024-01-31`",
    )
}

/// [`date`], and whether the time after it named a time zone (`Z`, `+02:00`): the date is the
/// one written, not converted to the district's time.
pub(super) fn date_zoned(t: &str, private: bool) -> Result<(NaiveDate, bool), CellError> {
    if let Some(d) = plain_date(t.as_bytes()) {
        return Ok((d, false));
    }
    let general = || not_a_date(t, private);
    // A spreadsheet's day number (45322 is 1/31/2024): a date column exported unformatted.
    // Said, not read: the same cell could be a count or a code.
    if t.len() == 5
        && all_digits(t)
        && let Ok(n) = t.parse::<i64>()
        && let Some(d) = NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::days(n)))
    {
        let help = if private {
            "it looks like a spreadsheet's day number: format the column as dates (month first, as `1/31/2024`) before exporting".to_string()
        } else {
            format!(
                "it looks like a spreadsheet's day number for {}: format the column as dates (month first, as `1/31/2024`) before exporting",
                quote(&crate::check::model::us_date(d))
            )
        };
        return Err(CellError {
            help,
            ..not_a_date(t, private)
        });
    }
    let (day, zoned) = without_time(t).ok_or_else(general)?;
    let d = if !day.bytes().any(|b| b.is_ascii_alphabetic()) {
        numeric_date(t, day, private)
    } else {
        match named_month(day) {
            Some(Ok((y, m, d))) => ymd(t, private, y, m, d, false),
            Some(Err(two_digit)) => Err(two_digit_year(t, private, &two_digit)),
            None => numeric_date(t, day, private),
        }
    }?;
    Ok((d, zoned))
}

/// `t`'s date part when the rest, if any, is a time of day, and whether that names a time zone;
/// `None` when something else follows.
fn without_time(t: &str) -> Option<(&str, bool)> {
    let Some(colon) = t.find(':') else {
        return Some((t, false));
    };
    // The time starts after the space or `T` before its first colon.
    let head = t.get(..colon)?;
    let start = head.rfind([' ', 'T'])?;
    let (day, time) = (head.get(..start)?, t.get(start + 1..)?);
    let zoned = time_of_day(time.trim())?;
    Some((day.trim_end().trim_end_matches(',').trim_end(), zoned))
}

/// `8:30`, `08:30:00`, `00:00:00.000`, `12:00:00 AM`, `8:30 pm`, each optionally followed by `Z`,
/// `UTC` or an offset (`+02:00`, `-0800`, `+02`): whether it names a zone, or `None` when it is
/// not a time of day.
fn time_of_day(t: &str) -> Option<bool> {
    let b = t.as_bytes();
    let mut i = 0;
    // Up to `max` digits from `i`, their value and count.
    let digits = |i: &mut usize, max: usize| -> (u32, usize) {
        let (mut v, mut n) = (0u32, 0usize);
        while n < max
            && let Some(c) = b.get(*i).filter(|c| c.is_ascii_digit())
        {
            v = v * 10 + u32::from(c - b'0');
            n += 1;
            *i += 1;
        }
        (v, n)
    };
    let (h, hn) = digits(&mut i, 2);
    if hn == 0 || b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let (m, mn) = digits(&mut i, 2);
    if mn != 2 || m > 59 {
        return None;
    }
    if b.get(i) == Some(&b':') {
        i += 1;
        let (sec, sn) = digits(&mut i, 2);
        if sn != 2 || sec > 60 {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i, 9).1 == 0 {
                return None;
            }
        }
    }
    let rest = t.get(i..).unwrap_or("").trim_start();
    let (meridiem, rest) = match rest.get(..2) {
        Some(x) if x.eq_ignore_ascii_case("am") || x.eq_ignore_ascii_case("pm") => {
            (true, rest.get(2..).unwrap_or("").trim_start())
        }
        _ => (false, rest),
    };
    let hour_ok = if meridiem {
        (1..=12).contains(&h)
    } else {
        h <= 23
    };
    if !hour_ok {
        return None;
    }
    if rest.is_empty() {
        return Some(false);
    }
    zone(rest).then_some(true)
}

/// `Z`, `UTC`, `GMT`, `+02:00`, `-0800`, `+02`.
fn zone(t: &str) -> bool {
    if ["z", "utc", "gmt"]
        .iter()
        .any(|z| t.eq_ignore_ascii_case(z))
    {
        return true;
    }
    let Some(offset) = t.strip_prefix(['+', '-']) else {
        return false;
    };
    let b = offset.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    match b.len() {
        2 => digit(0) && digit(1),
        4 => (0..4).all(digit),
        5 => digit(0) && digit(1) && b.get(2) == Some(&b':') && digit(3) && digit(4),
        _ => false,
    }
}

/// A date with the month's name: `January 31, 2024`, `Jan. 31 2024`, `31-Jan-2024`,
/// `31 January 2024`. `None` when `t` names no month; `Err` with the four-digit spelling when
/// the year has two digits.
fn named_month(t: &str) -> Option<Result<(i32, u32, u32), String>> {
    let parts: Vec<&str> = t
        .split([' ', ',', '-', '.', '/'])
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (month, day, year) = match (month_number(a), month_number(b)) {
        (Some(m), None) => (m, *b, *c),
        (None, Some(m)) => (m, *a, *c),
        _ => return None,
    };
    if !all_digits(day) || day.len() > 2 || !all_digits(year) {
        return None;
    }
    let d: u32 = day.parse().ok()?;
    match year.len() {
        4 => Some(Ok((year.parse().ok()?, month, d))),
        2 => Some(Err(format!("{month}/{d}/20{year}"))),
        _ => None,
    }
}

/// The month a name or an abbreviation of at least three letters names (`Sept`, `jan`).
fn month_number(word: &str) -> Option<u32> {
    if word.len() < 3 || !word.bytes().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let word = word.to_ascii_lowercase();
    crate::syntax::ast::MONTH_NAMES
        .iter()
        .position(|name| name.to_ascii_lowercase().starts_with(&word))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The error for a date whose year has two digits, with the date spelled out in full.
fn two_digit_year(t: &str, private: bool, example: &str) -> CellError {
    CellError::value(
        format!("{} has a two-digit year", shown(t, private)),
        if private {
            "write the year with four digits, as `1/31/2024`".to_string()
        } else {
            format!("write the year with four digits, as {}", quote(example))
        },
    )
}

/// `1/31/2024` (month first), `2024/01/31` or `2024-01-31`: `day` is `t` without its time.
pub(super) fn numeric_date(t: &str, day: &str, private: bool) -> Result<NaiveDate, CellError> {
    let general = || not_a_date(t, private);
    // `20240131`, as state reporting files (CALPADS) write dates: year, month, day.
    if day.len() == 8
        && all_digits(day)
        && let (Some(y), Some(m), Some(d)) = (day.get(..4), day.get(4..6), day.get(6..))
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
        && (1900..2100).contains(&y)
    {
        return ymd(t, private, y, m, d, false);
    }
    let slashes = day.contains('/');
    let mut parts = day.split(if slashes { '/' } else { '-' });
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(general());
    };
    let (a, b, c) = (a.trim(), b.trim(), c.trim());
    if ![a, b, c].iter().all(|p| all_digits(p)) {
        return Err(general());
    }
    // Month first with slashes, unless the year comes first (`2024/01/31`).
    let us = slashes && a.len() != 4;
    let (y, m, d) = if us { (c, a, b) } else { (a, b, c) };
    if m.len() > 2 || d.len() > 2 {
        return Err(general());
    }
    if us && y.len() == 2 {
        return Err(two_digit_year(t, private, &format!("{m}/{d}/20{y}")));
    }
    if y.len() != 4 {
        return Err(general());
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(general());
    };
    ymd(t, private, y, m, d, us)
}

/// The date `y-m-d`, or why there is none: no such month (with the day-first reading as a hint
/// when `us`), or too few days in the month.
fn ymd(t: &str, private: bool, y: i32, m: u32, d: u32, us: bool) -> Result<NaiveDate, CellError> {
    if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
        return Ok(date);
    }
    let Some(month) = m
        .checked_sub(1)
        .and_then(|i| crate::syntax::ast::MONTH_NAMES.get(i as usize))
    else {
        let mut help = "dates are month first, as `1/31/2024`".to_string();
        if us && (1..=12).contains(&d) && (1..=31).contains(&m) && !private {
            help = format!(
                "dates are month first: did you mean {}?",
                quote(&format!("{d}/{m}/{y}"))
            );
        }
        let message = if private {
            format!("{} is not a date", shown(t, private))
        } else {
            format!("{} is not a date: there is no month {m}", shown(t, private))
        };
        return Err(CellError::value(message, help));
    };
    let days = days_in_month(y, m);
    let message = if private {
        format!("{} is not a date", shown(t, private))
    } else {
        format!(
            "{} is not a date: {month} {y} has {days} days",
            shown(t, private)
        )
    };
    Err(CellError::value(
        message,
        if us {
            "check the day and the month; dates are month first, as `1/31/2024`"
        } else {
            "check the day and the month"
        },
    ))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .map_or(31, |last| chrono::Datelike::day(&last))
}

/// `2023-2024` or `2023-24` → 2023.
pub(super) fn school_year(t: &str, private: bool) -> Result<i32, CellError> {
    let general = || {
        CellError::value(
            format!("expected a school year, found {}", shown(t, private)),
            "write a school year as `2023-2024` or `2023-24`",
        )
    };
    let (a, b) = t.split_once(['-', '/']).ok_or_else(general)?;
    let (a, b) = (a.trim(), b.trim());
    if !all_digits(a) || !all_digits(b) || a.len() != 4 || !(b.len() == 2 || b.len() == 4) {
        return Err(general());
    }
    let first: i32 = a.parse().map_err(|_| general())?;
    let second: i32 = b.parse().map_err(|_| general())?;
    let follows = if b.len() == 2 {
        second == (first + 1) % 100
    } else {
        second == first + 1
    };
    if !follows {
        return Err(CellError::value(
            format!(
                "{} is not a school year: the second year must follow the first",
                shown(t, private)
            ),
            if private {
                "write a school year as `2023-2024`".to_string()
            } else {
                format!("write {}", quote(&format!("{first}-{}", first + 1)))
            },
        ));
    }
    Ok(first)
}

pub(super) fn duration(t: &str) -> Option<Duration> {
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = t.get(..split)?.parse().ok()?;
    let unit = match t.get(split..)?.trim().to_ascii_lowercase().as_str() {
        "day" | "days" => DurationUnit::Day,
        "week" | "weeks" => DurationUnit::Week,
        "month" | "months" => DurationUnit::Month,
        "year" | "years" => DurationUnit::Year,
        _ => return None,
    };
    Some(Duration { n, unit })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(date("1/31/2024", false), Ok(d(2024, 1, 31)));
        assert_eq!(date("01/05/2024", false), Ok(d(2024, 1, 5)));
        assert_eq!(date("2024-01-31", false), Ok(d(2024, 1, 31)));
        assert_eq!(date("2/29/2024", false), Ok(d(2024, 2, 29)));
        let e = date("2/30/2024", false).unwrap_err();
        assert_eq!(
            e.message,
            "`2/30/2024` is not a date: February 2024 has 29 days"
        );
        let e = date("1/31/24", false).unwrap_err();
        assert_eq!(e.message, "`1/31/24` has a two-digit year");
        assert_eq!(e.help, "write the year with four digits, as `1/31/2024`");
        let e = date("13/1/2024", false).unwrap_err();
        assert_eq!(e.help, "dates are month first: did you mean `1/13/2024`?");
        assert!(date("tomorrow", false).is_err());
        assert!(date("1/31/2024/5", false).is_err());
        assert!(date("2024-1-31x", false).is_err());
        let e = date("1/31/24", true).unwrap_err();
        assert!(!e.message.contains("24"), "{e:?}");
    }

    #[test]
    fn dates_as_exports_write_them() {
        let jan31 = Ok(d(2024, 1, 31));
        for t in [
            "2024/01/31",
            "1/31/2024 0:00",
            "1/31/2024 12:00:00 AM",
            "1/31/2024 11:59 pm",
            "2024-01-31T00:00:00",
            "2024-01-31T08:30:00Z",
            "2024-01-31T08:30:00.250-08:00",
            "2024-01-31 00:00:00.000",
            "2024-01-31 09:15 +0200",
            "January 31, 2024",
            "january 31 2024",
            "Jan 31, 2024",
            "Jan. 31, 2024",
            "JAN 31 2024",
            "31-Jan-2024",
            "31 January 2024",
            "Jan 31, 2024, 10:00 AM",
        ] {
            assert_eq!(date(t, false), jan31, "{t}");
        }
        assert_eq!(date("Sept 5, 2023", false), Ok(d(2023, 9, 5)));
        // State reporting files: year, month, day without separators.
        assert_eq!(date("20240131", false), Ok(d(2024, 1, 31)));
        assert_eq!(date("20240131 08:00", false), Ok(d(2024, 1, 31)));
        let e = date("20240230", false).unwrap_err();
        assert_eq!(
            e.message,
            "`20240230` is not a date: February 2024 has 29 days"
        );
        assert!(date("01312024", false).is_err());
        assert!(date("2024013", false).is_err());
        assert_eq!(date("AUGUST 28, 2023 10:00", false), Ok(d(2023, 8, 28)));
        // Not a time of day, not a month, or a day the month lacks.
        for t in [
            "1/31/2024 25:00",
            "1/31/2024 12:60",
            "1/31/2024 0:00 PM",
            "1/31/2024 13:00 PM",
            "1/31/2024 8:30 tomorrow",
            "2024-01-31T",
            "Ja 31, 2024",
            "Janx 31, 2024",
            "Jan 31",
            "Jan 31 2024 2025",
            "31-Jan-202",
        ] {
            assert!(date(t, false).is_err(), "{t}");
        }
        // A time zone is not converted; the caller is told it was there.
        assert_eq!(
            date_zoned("2024-01-31T23:30:00Z", false),
            Ok((d(2024, 1, 31), true))
        );
        assert_eq!(
            date_zoned("2024-01-31 08:00 -08:00", false),
            Ok((d(2024, 1, 31), true))
        );
        assert_eq!(
            date_zoned("2024-01-31T08:00:00", false),
            Ok((d(2024, 1, 31), false))
        );
        for t in [
            "2024-01-31T08:00+0:200",
            "2024-01-31T08:00+0200:",
            "2024-01-31T08:00+2",
        ] {
            assert!(date(t, false).is_err(), "{t}");
        }
        let e = date("Feb 30, 2024", false).unwrap_err();
        assert_eq!(
            e.message,
            "`Feb 30, 2024` is not a date: February 2024 has 29 days"
        );
        let e = date("31-Jan-24", false).unwrap_err();
        assert_eq!(e.message, "`31-Jan-24` has a two-digit year");
        assert_eq!(e.help, "write the year with four digits, as `1/31/2024`");
        let e = date("1/31/24 0:00", false).unwrap_err();
        assert_eq!(e.help, "write the year with four digits, as `1/31/2024`");
    }

    #[test]
    fn school_years() {
        assert_eq!(school_year("2023-2024", false), Ok(2023));
        assert_eq!(school_year("2023-24", false), Ok(2023));
        assert_eq!(school_year("1999-00", false), Ok(1999));
        let e = school_year("2023-2025", false).unwrap_err();
        assert_eq!(e.help, "write `2023-2024`");
        assert!(school_year("2023", false).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(
            duration("5 weeks"),
            Some(Duration {
                n: 5,
                unit: DurationUnit::Week
            })
        );
        assert_eq!(duration("weeks"), None);
        assert_eq!(duration("5 fortnights"), None);
    }
}

//! Whole numbers, exact decimals, percentages, booleans and ratios, as exports write them.

use crate::check::model::Ratio;
use crate::data::error::shown;

use super::CellError;

/// A whole number: `12`, and as spreadsheets export it, `1,002` or `12.0`.
pub(super) fn int(t: &str, private: bool) -> Result<i64, CellError> {
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    if let Some(n) = grouped(t) {
        return Ok(n);
    }
    // `12.0`, `12.00` (a spreadsheet's number format): digits, a point, zeros.
    if let Some((whole, zeros)) = t.split_once('.')
        && !zeros.is_empty()
        && zeros.bytes().all(|b| b == b'0')
        && let Ok(n) = whole.parse::<i64>()
    {
        return Ok(n);
    }
    let help = if !private && decimal(t).is_some() {
        "write a whole number, without a decimal part"
    } else {
        "write a whole number, as `12`"
    };
    Err(CellError::value(
        format!("expected a whole number, found {}", shown(t, private)),
        help,
    ))
}

/// A whole number with thousands separators, `1,002` or `-12,345,678`.
fn grouped(t: &str) -> Option<i64> {
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let mut groups = body.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !all_digits(first) {
        return None;
    }
    let mut n: i64 = first.parse().ok()?;
    let mut any = false;
    for g in groups {
        if g.len() != 3 || !all_digits(g) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(g.parse::<i64>().ok()?)?;
        any = true;
    }
    any.then_some(if negative { -n } else { n })
}

/// An amount as exports write it, in dollars: `$1,234.56`, `1234.56`, `-$12.50`, and
/// accountants' negative `(1,234.56)`. Exact.
pub(super) fn money(t: &str) -> Option<Ratio> {
    let (negative, body) = match t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, t),
        },
    };
    let body = body.strip_prefix('$').unwrap_or(body).trim_start();
    if body.starts_with('-') || body.starts_with('+') || body.starts_with('(') {
        return None;
    }
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let whole_n: i64 = if whole.contains(',') {
        grouped(whole)?
    } else if whole.is_empty() && !frac.is_empty() {
        0
    } else if all_digits(whole) && !whole.is_empty() {
        whole.parse().ok()?
    } else {
        return None;
    };
    if (!frac.is_empty() && !all_digits(frac)) || frac.len() > 12 {
        return None;
    }
    let scale = u32::try_from(frac.len()).ok()?;
    let den = 10i128.checked_pow(scale)?;
    let frac_n: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let num = i128::from(whole_n).checked_mul(den)?.checked_add(frac_n)?;
    reduced(if negative { -num } else { num }, den)
}

/// A ratio in lowest terms, so equal values compare equal whatever their spelling.
fn reduced(num: i128, den: i128) -> Option<Ratio> {
    Ratio::new(num, den).map(Ratio::reduced)
}

/// Exact decimal text: `12`, `-3.25`, `.5`, `1e-7`. At most 30 significant digits.
pub(crate) fn decimal(t: &str) -> Option<Ratio> {
    let b = t.as_bytes();
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut num: i128 = 0;
    let mut digits = 0u32;
    let mut scale: i32 = 0;
    let mut seen_point = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                num = num.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
                digits += 1;
                if seen_point {
                    scale += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 || digits > 30 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        let exp: i32 = t.get(i + 1..)?.parse().ok()?;
        if exp.abs() > 30 {
            return None;
        }
        scale -= exp;
        i = b.len();
    }
    if i != b.len() {
        return None;
    }
    let num = if negative { -num } else { num };
    if scale >= 0 {
        reduced(num, 10i128.checked_pow(scale.unsigned_abs())?)
    } else {
        reduced(
            num.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?,
            1,
        )
    }
}

/// `70%`, `70.5 %` → 7/10, 141/200.
pub(super) fn percent(t: &str, private: bool) -> Result<Ratio, CellError> {
    let fail = || {
        CellError::value(
            format!("expected a percentage, found {}", shown(t, private)),
            "write a percentage with `%`, as `70%` or `70.5%`",
        )
    };
    let body = t.strip_suffix('%').ok_or_else(fail)?.trim_end();
    let r = decimal(body).ok_or_else(fail)?;
    reduced(r.num, r.den.checked_mul(100).ok_or_else(fail)?).ok_or_else(fail)
}

pub(super) fn boolean(t: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "yes", "y", "1"];
    const FALSE: [&str; 4] = ["false", "no", "n", "0"];
    if TRUE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

pub(super) fn pair(t: &str) -> Option<(i64, i64)> {
    let (a, b) = t.split_once(':')?;
    let a: i64 = a.trim().parse().ok()?;
    let b: i64 = b.trim().parse().ok()?;
    (a >= 0 && b >= 0).then_some((a, b))
}

pub(super) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
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

    #[test]
    fn amounts_as_exports_write_them() {
        let r = |n, d| Ratio::new(n, d).map(Ratio::reduced);
        assert_eq!(money("$1,234.56"), r(123_456, 100));
        assert_eq!(money("1234.56"), r(123_456, 100));
        assert_eq!(money("(1,234.56)"), r(-123_456, 100));
        assert_eq!(money("-$12.50"), r(-1250, 100));
        assert_eq!(money("$500,000"), r(500_000, 1));
        assert_eq!(money("$0.5"), r(1, 2));
        for t in [
            "$1,23",
            "$",
            "12$",
            "$-5",
            "((5))",
            "1,2345.00",
            "$1.2.3",
            "abc",
        ] {
            assert_eq!(money(t), None, "{t}");
        }
    }

    #[test]
    fn whole_numbers_as_exports_write_them() {
        assert_eq!(int("1,002", false), Ok(1002));
        assert_eq!(int("-12,345,678", false), Ok(-12_345_678));
        assert_eq!(int("12.0", false), Ok(12));
        assert_eq!(int("12.00", false), Ok(12));
        assert!(int("1,02", false).is_err());
        assert!(int("1,0023", false).is_err());
        assert!(int(",100", false).is_err());
        assert!(int("12.5", false).is_err());
        assert!(int("1e3", false).is_err());
        // Scientific notation (a spreadsheet rounds large numbers so) and bare points are not
        // whole numbers as written.
        for t in ["1.5E+3", "1.0e3", "1.23457E+11", "12.", "1.e2", ".0"] {
            assert!(int(t, false).is_err(), "{t}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(decimal("12"), Ratio::new(12, 1));
        assert_eq!(decimal("0.50"), Ratio::new(1, 2));
        assert_eq!(decimal("-3.25"), Ratio::new(-13, 4));
        assert_eq!(decimal(".5"), Ratio::new(1, 2));
        assert_eq!(decimal("1e-7"), Ratio::new(1, 10_000_000));
        assert_eq!(decimal("2E3"), Ratio::new(2000, 1));
        assert_eq!(decimal("1.2.3"), None);
        assert_eq!(decimal("."), None);
        assert_eq!(decimal("9".repeat(40).as_str()), None);
        assert_eq!(percent("70%", false), Ok(Ratio { num: 7, den: 10 }));
        assert_eq!(percent("70.5 %", false), Ok(Ratio { num: 141, den: 200 }));
        assert!(percent("70", false).is_err());
        assert_eq!(pair("60:40"), Some((60, 40)));
        assert_eq!(pair("60 : 40"), Some((60, 40)));
        assert_eq!(pair("60/40"), None);
        assert_eq!(boolean("YES"), Some(true));
        assert_eq!(boolean("n"), Some(false));
        assert_eq!(boolean("maybe"), None);
        assert!(int("1.5", false).unwrap_err().help.contains("decimal"));
    }
}

//! Windows as days: a window's bounds (`from`, `after`, `by`, `before`, or a range, which is
//! inclusive) say which days are in it, and which first and last days messages show. What each
//! word lets in is defined once, in [`first_day`] and [`last_day`] (`check::model`).
//! Unit-tested in `tests/window.rs`.

use chrono::NaiveDate;

use crate::check::model::{first_day, last_day, us_date};
use crate::syntax::ast::BoundKind;

/// Whether day `d` is in the window: between the first and last days its bounds let in
/// ([`first_day`], [`last_day`]), inclusive.
pub(super) fn in_window(
    d: NaiveDate,
    lo: Option<(BoundKind, NaiveDate)>,
    hi: Option<(BoundKind, NaiveDate)>,
) -> bool {
    let lower_ok = match lo {
        None => true,
        Some((k, b)) => first_day(k, b).is_some_and(|first| d >= first),
    };
    let upper_ok = match hi {
        None => true,
        Some((k, b)) => last_day(k, b).is_some_and(|last| d <= last),
    };
    lower_ok && upper_ok
}

/// The window's first and last allowed days: `9/20/2023 to 12/7/2023`.
pub(super) fn show_window(
    lo: Option<(BoundKind, NaiveDate)>,
    hi: Option<(BoundKind, NaiveDate)>,
) -> String {
    let first = lo.and_then(|(k, d)| first_day(k, d));
    let last = hi.and_then(|(k, d)| last_day(k, d));
    match (first, last) {
        (Some(a), Some(b)) => format!("{} to {}", us_date(a), us_date(b)),
        (Some(a), None) => format!("from {}", us_date(a)),
        (None, Some(b)) => format!("through {}", us_date(b)),
        (None, None) => "any day".into(),
    }
}

//! Where a date word is defined: a window's bounds (`from`, `after`, `by`, `before`, or a bare
//! date, which is inclusive) say which days are in it, and which first and last days messages
//! show. Unit-tested in `tests/window.rs`.

use chrono::NaiveDate;

use crate::check::model::us_date;
use crate::syntax::ast::BoundKind;

/// Whether day `d` is in the window: `after` and `before` exclude their date, every other bound
/// includes it.
pub(super) fn in_window(
    d: NaiveDate,
    lo: Option<(BoundKind, NaiveDate)>,
    hi: Option<(BoundKind, NaiveDate)>,
) -> bool {
    let lower_ok = match lo {
        None => true,
        Some((BoundKind::After, b)) => d > b,
        Some((_, b)) => d >= b,
    };
    let upper_ok = match hi {
        None => true,
        Some((BoundKind::Before, b)) => d < b,
        Some((_, b)) => d <= b,
    };
    lower_ok && upper_ok
}

/// The window's first and last allowed days: `9/20/2023 to 12/7/2023`.
pub(super) fn show_window(
    lo: Option<(BoundKind, NaiveDate)>,
    hi: Option<(BoundKind, NaiveDate)>,
) -> String {
    let first = lo.and_then(|(k, d)| match k {
        BoundKind::After => d.succ_opt(),
        _ => Some(d),
    });
    let last = hi.and_then(|(k, d)| match k {
        BoundKind::Before => d.pred_opt(),
        _ => Some(d),
    });
    match (first, last) {
        (Some(a), Some(b)) => format!("{} to {}", us_date(a), us_date(b)),
        (Some(a), None) => format!("from {}", us_date(a)),
        (None, Some(b)) => format!("through {}", us_date(b)),
        (None, None) => "any day".into(),
    }
}

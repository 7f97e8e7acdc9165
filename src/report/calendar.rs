//! `calendar`: every window and deadline of the year, as text or iCalendar (RFC 5545) all-day
//! events, with the guide's section in each description.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::check::model::*;

/// One dated item of the year.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Item {
    pub start: NaiveDate,
    /// Last day, inclusive.
    pub end: NaiveDate,
    pub name: String,
    pub what: String,
    pub section: String,
    /// The guide's words for it: the quote of its rule (for a window, of a rule checked against
    /// it), when the policy gives one.
    pub quote: Option<String>,
}

/// Windows or deadlines whose dates depend on the data (a school's calendar), listed apart.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relative {
    /// A per-row deadline (`within 30 days of enrolled`): each row's own data sets its date.
    pub per_row: bool,
    pub name: String,
    pub text: String,
    pub section: String,
}

/// Does a window case apply at this level? A case is kept when its condition can hold with the
/// entity's first enum field that has `level` as a value set to it; cases without a condition
/// always apply.
fn case_applies(model: &Model, case: &WindowCase, level: Option<&str>) -> bool {
    let (Some(level), Some(when)) = (level, &case.when) else {
        return true;
    };
    match &when.kind {
        TExprKind::Compare(CmpOp::Eq, a, b) => match (&a.kind, &b.kind) {
            (TExprKind::EntityField(_), TExprKind::Const(Value::Enum(e, ix)))
            | (TExprKind::Const(Value::Enum(e, ix)), TExprKind::EntityField(_)) => model
                .schema
                .enum_type(*e)
                .and_then(|t| t.values.get(*ix as usize))
                .map(|v| v == level)
                .unwrap_or(true),
            _ => true,
        },
        _ => true,
    }
}

fn const_date(e: &TExpr) -> Option<NaiveDate> {
    match &e.kind {
        TExprKind::Const(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

/// The dated items and the relative ones, sorted.
pub fn items(model: &Model, level: Option<&str>) -> (Vec<Item>, Vec<Relative>) {
    let mut items = Vec::new();
    let mut relative = Vec::new();
    for w in &model.windows {
        let section = w.section.clone().unwrap_or_default();
        for case in &w.cases {
            if !case_applies(model, case, level) {
                continue;
            }
            let lo = case.lower.as_ref().map(|b| (b.kind, const_date(&b.expr)));
            let hi = case.upper.as_ref().map(|b| (b.kind, const_date(&b.expr)));
            let when = case
                .when
                .as_ref()
                .map(|_| format!(" ({})", case_label(model, case)))
                .unwrap_or_default();
            match (lo, hi) {
                (Some((lk, Some(a))), Some((hk, Some(b)))) => {
                    // The date words mean what they mean everywhere (check::model).
                    let start = first_day(lk, a).unwrap_or(a);
                    let end = last_day(hk, b).unwrap_or(b);
                    items.push(Item {
                        start,
                        end,
                        name: format!("{}{when}", w.name),
                        what: format!("window: {}", case.text),
                        section: section.clone(),
                        quote: window_quote(model, w),
                    });
                }
                _ => relative.push(Relative {
                    per_row: false,
                    name: format!("{}{when}", w.name),
                    text: case.text.clone(),
                    section: section.clone(),
                }),
            }
        }
    }
    for r in &model.rules {
        if let Check::Each {
            record,
            test: EachTest::WithinOf { .. },
            ..
        } = &r.check
        {
            let rname = model.schema.record(*record).map_or("", |x| x.name.as_str());
            relative.push(Relative {
                per_row: true,
                name: format!("{} due for each {rname}", r.name),
                text: r.text.clone(),
                section: r.section.clone().unwrap_or_default(),
            });
            continue;
        }
        let Check::Deadline { due, .. } = &r.check else {
            continue;
        };
        let section = r.section.clone().unwrap_or_default();
        match const_date(due) {
            Some(d) => items.push(Item {
                start: d,
                end: d,
                name: format!("{} due", r.name),
                what: format!("{} ({}): {}", r.modal.word(), r.severity.word(), r.text),
                section,
                quote: r.quote.clone(),
            }),
            None => relative.push(Relative {
                per_row: false,
                name: format!("{} due", r.name),
                text: r.text.clone(),
                section,
            }),
        }
    }
    for (name, v, _, _, section) in &model.constants {
        if let Value::Date(d) = v {
            items.push(Item {
                start: *d,
                end: *d,
                name: name.clone(),
                what: "date".into(),
                section: section.clone().unwrap_or_default(),
                quote: None,
            });
        }
    }
    // Non-school days read from the data: the dates counted on them are listed with the data's.
    if let Some(src) = &model.non_school_days_from {
        relative.push(Relative {
            per_row: false,
            name: "non_school_days".into(),
            text: format!("{} (read with the data)", src.text),
            section: String::new(),
        });
    }
    // The holidays and breaks that `N school days` skips, as the school calendar lists them.
    for (start, end) in model.non_school_days.ranges() {
        items.push(Item {
            start: *start,
            end: *end,
            name: "non-school days".into(),
            what: "no school: not counted in school days".into(),
            section: String::new(),
            quote: None,
        });
    }
    items.sort();
    relative.sort();
    (items, relative)
}

/// The quote of the first rule (in the policy's order) checked against window `w`.
fn window_quote(model: &Model, w: &Window) -> Option<String> {
    let wi = model.windows.position(|x| x.name == w.name)?;
    model.rules.iter().find_map(|r| match &r.check {
        Check::Each {
            test: EachTest::Within(i),
            ..
        } if *i == wi => r.quote.clone(),
        _ => None,
    })
}

/// The longest event title, in characters.
const TITLE_WIDTH: usize = 80;

/// An event's title in the guide's words: the first sentence of the quote, without a trailing
/// `(Due 1/31/2024)`, cut at a word to `TITLE_WIDTH`; `Due: ` before a deadline's. Without a
/// quote, the policy's name in words (`certify semester 1 due`).
pub fn title(i: &Item) -> String {
    let Some(q) = &i.quote else {
        return i.name.replace('_', " ");
    };
    let mut t = q.trim();
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
        && t.get(open..)
            .is_some_and(|p| p.to_lowercase().starts_with("(due"))
    {
        t = t.get(..open).unwrap_or(t).trim_end();
    }
    if let Some(end) = t.find(". ") {
        t = t.get(..=end).unwrap_or(t);
    }
    let mut out = String::new();
    for word in t.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > TITLE_WIDTH {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if i.name.ends_with(" due") {
        format!("Due: {out}")
    } else {
        out
    }
}

fn case_label(model: &Model, case: &WindowCase) -> String {
    match case.when.as_ref().map(|w| &w.kind) {
        Some(TExprKind::Compare(CmpOp::Eq, _, b)) => match &b.kind {
            TExprKind::Const(Value::Enum(e, ix)) => model
                .schema
                .enum_type(*e)
                .and_then(|t| t.values.get(*ix as usize))
                .cloned()
                .unwrap_or_default(),
            _ => "when".into(),
        },
        _ => "when".into(),
    }
}

/// `[III. CALENDAR] `, or nothing for a statement outside any section.
fn bracketed(section: &str) -> String {
    if section.is_empty() {
        String::new()
    } else {
        format!("[{section}] ")
    }
}

pub fn text(model: &Model, level: Option<&str>) -> String {
    let (items, relative) = items(model, level);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        model.guide.id,
        model.guide.title.as_deref().unwrap_or("")
    );
    for i in &items {
        let when = if i.start == i.end {
            us_date(i.start)
        } else {
            format!("{} to {}", us_date(i.start), us_date(i.end))
        };
        let _ = writeln!(
            out,
            "{when:<24} {}  {}{}",
            i.name,
            bracketed(&i.section),
            i.what
        );
        if i.quote.is_some() {
            let _ = writeln!(out, "{:<24}   {}", "", title(i));
        }
    }
    for (per_row, heading) in [
        (false, "set by each school's data:"),
        (true, "set by each row's data:"),
    ] {
        let part: Vec<&Relative> = relative.iter().filter(|r| r.per_row == per_row).collect();
        if part.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        for r in part {
            let section = bracketed(&r.section);
            let line = format!("  {}: {}  {}", r.name, r.text, section.trim_end());
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    out
}

fn ics_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            // RFC 5545 TEXT holds no control character: each is written as a visible escape.
            c if c.is_control() => {
                for e in c.escape_default() {
                    match e {
                        '\\' => out.push_str("\\\\"),
                        e => out.push(e),
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, on character boundaries (RFC 5545 3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// The first item whose dates an iCalendar file cannot hold (a DATE is four-digit year, month,
/// day: 1000-01-01 to 9999-12-31, and an event ends on the day after its last day), in words.
pub fn unwritable(model: &Model, level: Option<&str>) -> Option<String> {
    use chrono::Datelike as _;
    let (items, _) = items(model, level);
    let fits = |d: Option<NaiveDate>| d.is_some_and(|d| (1000..=9999).contains(&d.year()));
    items
        .iter()
        .find(|i| !fits(Some(i.start)) || !fits(i.end.succ_opt()))
        .map(|i| {
            format!(
                "`{}` runs {} to {}; an iCalendar event starts on or after 1/1/1000 and ends by 12/30/9999",
                crate::report::encode::one_line(&i.name),
                us_date(i.start),
                us_date(i.end)
            )
        })
}

/// iCalendar: one all-day event per dated item. Deterministic: UIDs are derived from the guide, the
/// item and its date; DTSTAMP is the guide's issue date.
pub fn ics(model: &Model, level: Option<&str>) -> String {
    let (items, relative) = items(model, level);
    let mut out = String::new();
    let stamp = model
        .guide
        .issued
        .map(|d| d.format("%Y%m%dT000000Z").to_string())
        .unwrap_or_else(|| "19700101T000000Z".into());
    fold("BEGIN:VCALENDAR", &mut out);
    fold("VERSION:2.0", &mut out);
    fold("PRODID:-//mandate//policy calendar//EN", &mut out);
    fold("CALSCALE:GREGORIAN", &mut out);
    fold(
        &format!("X-WR-CALNAME:{}", ics_escape(&model.guide.id)),
        &mut out,
    );
    for i in &items {
        let slug: String = i
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        fold("BEGIN:VEVENT", &mut out);
        fold(
            &format!(
                "UID:{}-{}-{}@mandate",
                ics_escape(&model.guide.id),
                slug,
                i.start.format("%Y%m%d")
            ),
            &mut out,
        );
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(
            &format!("DTSTART;VALUE=DATE:{}", i.start.format("%Y%m%d")),
            &mut out,
        );
        let end = i.end.succ_opt().unwrap_or(i.end);
        fold(
            &format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", ics_escape(&title(i))), &mut out);
        // The guide's words first, then where they are, then how the policy checks it.
        let mut desc = String::new();
        if let Some(q) = &i.quote {
            desc.push_str(&format!("\"{q}\"\n"));
        }
        desc.push_str(format!("{} {}", model.guide.id, i.section).trim());
        desc.push_str(&format!("\npolicy: {}: {}", i.name, i.what));
        fold(&format!("DESCRIPTION:{}", ics_escape(&desc)), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    if !relative.is_empty() {
        let names: Vec<String> = relative
            .iter()
            .map(|r| format!("{}: {}", r.name, r.text))
            .collect();
        fold(
            &format!("X-MANDATE-RELATIVE:{}", ics_escape(&names.join("; "))),
            &mut out,
        );
    }
    fold("END:VCALENDAR", &mut out);
    out
}

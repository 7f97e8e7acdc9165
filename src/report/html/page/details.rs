//! School details: a folded section per school with its findings, outcomes, categories and
//! measures.

use super::*;

/// A data file as the page names it: without the data folder given on the command line, which
/// the header names once (a state's page names thousands of rows).
pub(super) fn short<'p>(file: &'p str, data: &[String]) -> &'p str {
    data.iter()
        .filter_map(|d| {
            file.strip_prefix(d.trim_end_matches('/'))
                .and_then(|rest| rest.strip_prefix('/'))
        })
        .next()
        .unwrap_or(file)
}

/// `text` with each data folder given on the command line left out of the paths in it
/// (`…/state/event.csv line 4938` → `event.csv line 4938`).
pub(super) fn unfolder<'t>(text: &'t str, data: &[String]) -> std::borrow::Cow<'t, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for d in data {
        let prefix = format!("{}/", d.trim_end_matches('/'));
        if prefix.len() > 1 && out.contains(&prefix) {
            out = std::borrow::Cow::Owned(out.replace(&prefix, ""));
        }
    }
    out
}

/// One finding as a table row (`data-finding` marks it for the browser test's count).
fn finding_row(f: &Finding, data: &[String]) -> Markup {
    html! {
        tr data-finding=(f.rule) {
            th scope="row" { a href={"#" (anchor("rule", &f.rule))} { code { (f.rule) } } }
            td class=(status_class(f.status)) {
                (f.status.word()) br; span class=(severity_class(f.severity)) { (f.severity.word()) }
            }
            td { (ticks(&unfolder(&f.message, data))) }
            td { @if let Some(d) = &f.data { code { (short(&d.file, data)) } " " (d.location) } }
            td.quote {
                (f.section.as_deref().unwrap_or(&f.guide))
                @if let Some(q) = &f.quote { br; q { (q) } }
            }
        }
    }
}

const FINDING_HEAD: [&str; 5] = ["Rule", "Outcome", "What", "Data", "The guide"];

pub(super) fn findings_table(caption: &str, findings: &[&Finding], data: &[String]) -> Markup {
    html! {
        div.scroll {
            table.findings {
                caption { (caption) }
                thead { tr { @for h in FINDING_HEAD { th scope="col" { (h) } } } }
                tbody { @for f in findings { (finding_row(f, data)) } }
            }
        }
    }
}

/// Each rule's outcome for one entity: its findings, and a row for each other outcome that needs
/// words (undetermined whether it applies, ok for a reason), then the plain ok and not
/// applicable ones, a line each (a state's page has tens of thousands of these).
fn outcomes(s: &School<'_>, data: &[String]) -> Markup {
    // Why each rule came out as it did, from the explanation.
    let why = |rule: &str| -> Option<&str> {
        s.x?.rules
            .iter()
            .find(|o| o.rule == rule)
            .and_then(|o| o.detail.as_deref())
    };
    let plain = |o: &&crate::eval::RuleResult, want: Outcome| {
        o.outcome == want && (want == Outcome::NotApplicable || why(&o.name).is_none())
    };
    // Outcomes that need words and have no finding shown (a finding below the `--severity`
    // asked for, or an ok that rests on a reason).
    let rows: Vec<_> =
        s.r.rules
            .iter()
            .filter(|o| !plain(o, Outcome::Ok) && !plain(o, Outcome::NotApplicable))
            .filter(|o| !s.findings.iter().any(|f| f.rule == o.name))
            .collect();
    let ok: Vec<&str> =
        s.r.rules
            .iter()
            .filter(|o| plain(o, Outcome::Ok))
            .map(|o| o.name.as_str())
            .collect();
    // Not applicable, grouped by why (`applies to MAG1`).
    let mut na: Vec<(&str, Vec<&str>)> = Vec::new();
    for o in
        s.r.rules
            .iter()
            .filter(|o| plain(o, Outcome::NotApplicable))
    {
        let why = why(&o.name).unwrap_or("");
        match na.iter_mut().find(|(w, _)| *w == why) {
            Some((_, rules)) => rules.push(&o.name),
            None => na.push((why, vec![&o.name])),
        }
    }
    let severity = |rule: &str| {
        s.x.and_then(|x| x.rules.iter().find(|o| o.rule == rule))
            .map(|o| o.severity)
    };
    // Categories the entity is plainly not in (`MAG1: magnet == mag1 (magnet is empty) → false`).
    let outside: Vec<_> =
        s.x.map(|x| {
            x.categories
                .iter()
                .filter(|c| c.state == CategoryState::NotMember && c.history.is_empty())
                .collect()
        })
        .unwrap_or_default();
    html! {
        @if !s.findings.is_empty() || !rows.is_empty() {
            div.scroll {
                table.findings {
                    caption { "Findings and outcomes to look at" }
                    thead { tr { @for h in FINDING_HEAD { th scope="col" { (h) } } } }
                    tbody {
                        @for f in s.findings { (finding_row(f, data)) }
                        @for o in &rows {
                            tr {
                                th scope="row" { a href={"#" (anchor("rule", &o.name))} { code { (o.name) } } }
                                td class=(outcome_class(o.outcome)) {
                                    (o.outcome.word())
                                    @if let Some(sev) = severity(&o.name) { br; span class=(severity_class(sev)) { (sev.word()) } }
                                }
                                td colspan="3" { (ticks(&unfolder(why(&o.name).unwrap_or(""), data))) }
                            }
                        }
                    }
                }
            }
        }
        @if !ok.is_empty() || !na.is_empty() || !outside.is_empty() { ul.plain {
            @if !ok.is_empty() {
                li { span.o-ok { "ok" } ": " @for (i, r) in ok.iter().enumerate() { @if i > 0 { ", " } code { (r) } } }
            }
            @for (why, rules) in &na {
                li {
                    span.o-na { "not applicable" } @if !why.is_empty() { " (" (why) ")" } ": "
                    @for (i, r) in rules.iter().enumerate() { @if i > 0 { ", " } code { (r) } }
                }
            }
            @for c in &outside {
                li { "not in " (c.name) ": " (c.reason) }
            }
        } }
    }
}

pub(super) fn details(input: &Input<'_>, facts: &Facts<'_>) -> Markup {
    html! {
        section #details aria-labelledby="details-h" {
            h2 #details-h { "School details" }
            p.note { "The findings with the data rows behind them, each rule's outcome, categories with the years behind them, measures and windows. Data files are named within the data given above." }
            @for s in &facts.schools {
                @let r = s.r;
                details.school id=(anchor("school", &r.entity)) {
                    summary {
                        strong { (r.entity) } " " (r.entity_name.as_deref().unwrap_or(""))
                        " — "
                        @if s.findings.is_empty() { "no finding" }
                        @else {
                            @let parts = [(s.errors, "error"), (s.warnings, "warning"), (s.info, "info")];
                            @for (i, (k, w)) in parts.iter().filter(|(k, _)| *k > 0).enumerate() {
                                @if i > 0 { ", " }
                                @if *w == "info" { (k) " info" } @else { (plural(*k, w)) }
                            }
                        }
                    }
                    div.detail {
                        (outcomes(s, input.data))
                        @if let Some(x) = s.x {
                        @let cats: Vec<_> = x.categories.iter().filter(|c| !(c.state == CategoryState::NotMember && c.history.is_empty())).collect();
                        @if !cats.is_empty() {
                            table.cats {
                                caption { "Categories" }
                                thead { tr { th scope="col" { "Category" } th scope="col" { "State" } th scope="col" { "Decision" } th scope="col" { "Years behind it" } } }
                                tbody {
                                    @for c in &cats {
                                        tr {
                                            th scope="row" { (c.name) }
                                            td {
                                                (c.state.describe())
                                                @match c.member { Some(true) => { br; "in this year" } Some(false) => { br; "not in this year" } None => {} }
                                            }
                                            td { (c.reason) @if let Some(d) = &c.distance { br; span.help { (d) } } }
                                            td { @for (i, h) in c.history.iter().enumerate() { @if i > 0 { br; } (h) } }
                                        }
                                    }
                                }
                            }
                        }
                        @if !x.measures.is_empty() {
                            h4 { "Measures" }
                            dl.kv {
                                @for m in &x.measures {
                                    dt { code { (m.name) } }
                                    dd { (m.value) @if let Some(e) = &m.exact { " (" (e) ")" } }
                                }
                            }
                        }
                        @if !x.windows.is_empty() {
                            h4 { "Windows" }
                            dl.kv {
                                @for (w, t) in &x.windows {
                                    dt { code { (w) } }
                                    dd { (t) }
                                }
                            }
                        }
                        @if !x.retention.is_empty() {
                            h4 { "Records kept" }
                            ul.retention { @for t in &x.retention { li { (unfolder(t, input.data)) } } }
                        }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_folders_are_named_once() {
        let data = ["samples/district/".to_string(), "more".to_string()];
        assert_eq!(short("samples/district/school.csv", &data), "school.csv");
        assert_eq!(short("more/x/a.csv", &data), "x/a.csv");
        assert_eq!(short("elsewhere/a.csv", &data), "elsewhere/a.csv");
        assert_eq!(short("moreover/a.csv", &data), "moreover/a.csv");
        assert_eq!(
            unfolder("on 10/9 (samples/district/event.csv line 3)", &data),
            "on 10/9 (event.csv line 3)"
        );
    }
}

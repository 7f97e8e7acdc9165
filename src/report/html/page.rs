//! The page: a maud template, so every text from a policy or a data file is escaped.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::svg;
use super::{CategoryFacts, Facts, Input, School, outcome_class, state_label};
use crate::check::model::{Severity, us_date};
use crate::eval::{CategoryState, Finding, Outcome, Status};

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// No fetch of any kind (styles and the script are inline, images are drawn inline), and no
/// script runs but the page's own, named by its SHA-256: were text from a data file ever to reach
/// the page unescaped, it could not run.
fn csp() -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(JS.as_bytes());
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
        base64(&digest)
    )
}

/// Standard base64 with padding (RFC 4648), as a CSP hash is written.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| ABC.get((i & 63) as usize).map_or('=', |&c| char::from(c));
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

fn plural(k: usize, word: &str) -> String {
    format!("{k} {word}{}", if k == 1 { "" } else { "s" })
}

/// `schools` → `Schools`.
fn capital(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// An id usable in a fragment, one per distinct `id`: ASCII letters, digits, `-` and `_` kept,
/// every other byte as `~XX`.
pub(super) fn anchor(prefix: &str, id: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + id.len() + 1);
    out.push_str(prefix);
    out.push('-');
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("~{b:02X}"));
            }
        }
    }
    out
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Violation | Status::Late | Status::Overdue => "o-fail",
        Status::Pending => "o-pend",
        Status::Undetermined => "o-und",
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev-error",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

pub(super) fn render(input: &Input<'_>, facts: &Facts<'_>) -> Markup {
    let r = input.report;
    let guide = &input.model.guide;
    let as_of = us_date(r.as_of);
    let word = &r.entity_word;
    let data_errors = r.data_errors.iter().filter(|e| e.is_error()).count();
    let blocking = r.gaps.iter().filter(|g| g.blocks()).count();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(csp());
                meta name="generator" content={"mandate " (env!("CARGO_PKG_VERSION"))};
                title { (guide.id) " lint report, as of " (as_of) }
                link rel="icon" href="data:,";
                style { (PreEscaped(CSS)) }
            }
            body {
                a.skip href="#schools" { "Skip to the school table" }
                header {
                    h1 { (guide.id) " lint report, as of " (as_of) }
                    @if let Some(t) = &guide.title { p.guide-title { (t) } }
                    dl.meta {
                        dt { "Guide" }
                        dd {
                            (guide.id)
                            @if let Some(d) = guide.issued { ", issued " (us_date(d)) }
                            @if let Some(p) = &guide.replaces { ", replaces " (p) }
                            @if let Some((a, b)) = guide.year_bounds() {
                                ", school year " (a.format("%Y")) "-" (b.format("%Y"))
                            }
                        }
                        dt { "As of" }
                        dd { (as_of) " (deadlines after it are pending)" }
                        dt { "Policy" }
                        dd { code { (r.policy) } }
                        dt { "Data" }
                        dd {
                            @for (i, d) in input.data.iter().enumerate() {
                                @if i > 0 { ", " }
                                code { (d) }
                            }
                            " (" (r.rows) " rows read)"
                        }
                        dt { "Made by" }
                        dd { "mandate " (env!("CARGO_PKG_VERSION")) }
                    }
                    @if let Some(p) = &r.provenance {
                        details.provenance {
                            summary { "Files read, for an audit (" (plural(p.policy_files.len() + p.data_files.len(), "file")) ", with SHA-256)" }
                            div.scroll {
                                table {
                                    caption { "What this report was made from: " (p.mandate) @if !p.options.is_empty() { "; options " (p.options.join(", ")) } }
                                    thead { tr { th scope="col" { "File" } th scope="col" { "Holds" } th scope="col" class="num" { "Bytes" } th scope="col" { "SHA-256" } } }
                                    tbody {
                                        @for f in p.policy_files.iter().chain(&p.data_files) {
                                            tr {
                                                th scope="row" { code { (f.path) } }
                                                td { (f.record.as_deref().unwrap_or("policy")) }
                                                td.num { (f.bytes) }
                                                td { code.digest { (f.sha256) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    ul.totals aria-label="Totals" {
                        li { strong { (r.entities) } " " (word) " checked" }
                        li.sev-error { (counted(r.count(Severity::Error), "error")) }
                        li.sev-warning { (counted(r.count(Severity::Warning), "warning")) }
                        li.sev-info { strong { (r.count(Severity::Info)) } " info" }
                        li.o-und { strong { (r.undetermined()) } " undetermined" }
                        li.sev-error { (counted(data_errors, "data error")) }
                        li.o-und { (counted(r.gaps.len(), "gap")) " in the data" }
                    }
                    @if blocking > 0 {
                        p.alert role="alert" {
                            strong { "Data missing: " }
                            (plural(blocking, "record")) " the rules need had no data at all; see "
                            a href="#data" { "Data errors and gaps" } "."
                        }
                    }
                }
                nav aria-label="Contents" {
                    ol {
                        li { a href="#rules" { "Rules" } }
                        li { a href="#schools" { "Schools" } }
                        li { a href="#data" { "Data errors and gaps" } }
                        li { a href="#categories" { "Categories" } }
                        li { a href="#calendar" { "Calendar" } }
                        li { a href="#near" { "Near a threshold" } }
                        li { a href="#details" { "School details" } }
                    }
                }
                main {
                    (rules(facts, word))
                    (schools(input, facts, word))
                    (data(input))
                    (categories(input, facts, word))
                    (calendar(input))
                    (near(input))
                    (details(input, facts))
                }
                footer {
                    p {
                        "Made by mandate " (env!("CARGO_PKG_VERSION")) " from " code { (r.policy) }
                        ". Every outcome cites the guide's section; an outcome resting on data not read is "
                        em { "undetermined" } ", never a guess."
                    }
                }
                script { (PreEscaped(JS)) }
            }
        }
    }
}

/// A message whose `quoted` parts (a column, a value, a file) are set as code.
fn ticks(text: &str) -> Markup {
    if text.matches('`').count() % 2 == 1 {
        return html! { (text) };
    }
    html! {
        @for (i, part) in text.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// `<strong>3</strong> errors`.
fn counted(k: usize, word: &str) -> Markup {
    html! { strong { (k) } " " (word) @if k != 1 { "s" } }
}

fn rules(facts: &Facts<'_>, word: &str) -> Markup {
    html! {
        section #rules aria-labelledby="rules-h" {
            h2 #rules-h { "Rules" }
            p.note {
                "Each rule's outcome for every " (word.trim_end_matches('s')) ". The pass rate counts the "
                (word) " whose outcome is decided: ok out of ok and failing (violation, late or overdue); pending and undetermined outcomes are not decided yet. A category's row counts the "
                (word) " whose membership is decided as ok."
            }
            div.scroll {
                table.rules {
                    caption { "Outcome of each rule, by " (word.trim_end_matches('s')) }
                    thead {
                        tr {
                            th scope="col" { "Rule" }
                            th scope="col" { "Severity" }
                            th scope="col" { "Section" }
                            th scope="col" class="num" { "Ok" }
                            th scope="col" class="num" { "Failing" }
                            th scope="col" class="num" { "Pending" }
                            th scope="col" class="num" { "Undetermined" }
                            th scope="col" class="num" { "Not applicable" }
                            th scope="col" class="num" { "Pass rate" }
                            th scope="col" { "The guide says" }
                        }
                    }
                    tbody {
                        @for s in &facts.rules {
                            @let rate = if s.category { percent(s.ok, s.ok + s.undetermined) } else { percent(s.ok, s.ok + s.failing) };
                            tr data-rule=[(!s.category).then_some(s.name)] data-category=[s.category.then_some(s.name)]
                                data-findings=(s.findings) data-ok=(s.ok) data-failing=(s.failing) data-pending=(s.pending)
                                data-undetermined=(s.undetermined) data-na=(s.not_applicable) id=(anchor("rule", s.name)) {
                                th scope="row" {
                                    code { (s.name) }
                                    span.where title=(s.file) { (s.file.rsplit('/').next().unwrap_or(s.file)) ":" (s.line) }
                                }
                                td class=(severity_class(s.severity)) {
                                    @if s.category { "category (a warning where undetermined)" }
                                    @else { (s.modal) " (" (s.severity.word()) ")" }
                                }
                                td { (s.section.unwrap_or("")) }
                                td.num { (s.ok) }
                                td.num.o-fail-n[s.failing > 0] { (s.failing) }
                                td.num { (s.pending) }
                                td.num.o-und-n[s.undetermined > 0] { (s.undetermined) }
                                td.num { (s.not_applicable) }
                                td.num {
                                    @match rate {
                                        Some(p) => {
                                            span.meter aria-hidden="true" { span style={"width:" (format!("{p:.1}")) "%"} {} }
                                            " " (format!("{p:.1}%"))
                                        }
                                        None => "–",
                                    }
                                }
                                td.quote {
                                    @if let Some(q) = s.quote { q { (q) } }
                                    @else { code { (s.text) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `PHBAO: continuing`, for each category the entity is in or moving into or out of.
fn category_cells(s: &School<'_>) -> Markup {
    html! {
        @for c in &s.r.categories {
            @if c.state != CategoryState::NotMember {
                span class={"cat" @if c.member == Some(true) { " member" }} {
                    (c.name) ": " (state_label(&c.state))
                }
                " "
            }
        }
    }
}

fn schools(input: &Input<'_>, facts: &Facts<'_>, word: &str) -> Markup {
    let cats: Vec<&str> = facts.categories.iter().map(|c| c.name).collect();
    html! {
        section #schools aria-labelledby="schools-h" {
            h2 #schools-h { "Schools" }
            p.note {
                "Worst first: errors, then undetermined outcomes, warnings, pending. Each id opens the "
                (word.trim_end_matches('s')) "'s details."
            }
            div.controls #controls hidden {
                label { "Filter " input #filter type="search" placeholder="id, name, rule, category"; }
                label {
                    "Show "
                    select #show {
                        option value="" { "all" }
                        option value="errors" { "with errors" }
                        option value="warnings" { "with warnings" }
                        option value="pending" { "with pending items" }
                        option value="undetermined" { "with undetermined outcomes" }
                        option value="clean" { "with no finding" }
                    }
                }
                @if !cats.is_empty() {
                    label {
                        "Category "
                        select #category {
                            option value="" { "any" }
                            @for c in &cats { option value=(c) { "in " (c) } }
                        }
                    }
                }
                span #shown aria-live="polite" {}
                span #pager hidden {
                    button #prev type="button" { "‹ previous" }
                    " "
                    button #next type="button" { "next ›" }
                }
            }
            div.scroll {
                table #school-table.schools {
                    caption { (plural(facts.schools.len(), word.trim_end_matches('s'))) ", worst first" }
                    thead {
                        tr {
                            th scope="col" { "Id" }
                            th scope="col" { "Name" }
                            th scope="col" { "Categories" }
                            th scope="col" class="num" data-type="num" { "Errors" }
                            th scope="col" class="num" data-type="num" { "Warnings" }
                            th scope="col" class="num" data-type="num" { "Pending" }
                            th scope="col" class="num" data-type="num" { "Undetermined" }
                            th scope="col" { "Rules failed" }
                        }
                    }
                    tbody {
                        @for s in &facts.schools {
                            @let members: Vec<&str> = s.r.categories.iter().filter(|c| c.member == Some(true)).map(|c| c.name.as_str()).collect();
                            tr data-school=(s.r.entity) data-errors=(s.errors) data-warnings=(s.warnings)
                                data-pending=(s.pending) data-undetermined=(s.undetermined)
                                data-findings=(s.findings.len()) data-cats=(members.join(" ")) {
                                th scope="row" { a href={"#" (anchor("school", &s.r.entity))} { (s.r.entity) } }
                                td { (s.r.entity_name.as_deref().unwrap_or("")) }
                                td { (category_cells(s)) }
                                td.num.o-fail-n[s.errors > 0] { (s.errors) }
                                td.num { (s.warnings) }
                                td.num { (s.pending) }
                                td.num.o-und-n[s.undetermined > 0] { (s.undetermined) }
                                td {
                                    @for (i, f) in s.failed.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        code { (f) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !facts.orphans.is_empty() {
                h3 { "Findings about entities not listed above" }
                (findings_table("Other findings", &facts.orphans, input.data))
            }
        }
    }
}

fn data(input: &Input<'_>) -> Markup {
    let r = input.report;
    html! {
        section #data aria-labelledby="data-h" {
            h2 #data-h { "Data errors and gaps" }
            @if r.data_errors.is_empty() && r.gaps.is_empty() {
                p { "Every data file was read whole: no data error, no gap." }
            }
            @if !r.gaps.is_empty() {
                div.scroll {
                    table.gaps {
                        caption { "Data not read, and the outcomes it left undetermined" }
                        thead {
                            tr {
                                th scope="col" { "Not read" }
                                th scope="col" { "Severity" }
                                th scope="col" { "Rules left undetermined" }
                                th scope="col" class="num" { (capital(&r.entity_word)) }
                            }
                        }
                        tbody {
                            @for g in r.gaps {
                                tr data-gap="" {
                                    th scope="row" { (ticks(&g.cause)) }
                                    td class=(if g.blocks() { "sev-error" } else { "sev-warning" }) {
                                        @if g.blocks() { "error: no data" } @else { "warning: read in part" }
                                    }
                                    td {
                                        @if g.rules.is_empty() { "none" }
                                        @for (i, rule) in g.rules.iter().enumerate() {
                                            @if i > 0 { ", " }
                                            code { (rule) }
                                        }
                                    }
                                    td.num { (g.entities) }
                                }
                            }
                        }
                    }
                }
            }
            @if !r.data_errors.is_empty() {
                div.scroll {
                    table.data-errors {
                        caption { (plural(r.data_errors.len(), "data message")) ": errors skip the row, warnings do not" }
                        thead {
                            tr {
                                th scope="col" { "File" }
                                th scope="col" { "Where" }
                                th scope="col" { "Severity" }
                                th scope="col" { "Code" }
                                th scope="col" { "Message" }
                            }
                        }
                        tbody {
                            @for e in r.data_errors {
                                tr data-data-error="" {
                                    th scope="row" { code { (e.file) } }
                                    td {
                                        (e.location.as_deref().unwrap_or(""))
                                        @if let Some(c) = &e.column { ", column " code { (c) } }
                                    }
                                    td class=(if e.is_error() { "sev-error" } else { "sev-warning" }) {
                                        (if e.is_error() { "error" } else { "warning" })
                                    }
                                    td { code { (e.kind.code()) } }
                                    td {
                                        (ticks(&e.message))
                                        @if let Some(h) = &e.help { br; span.help { "help: " (ticks(h)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn category(c: &CategoryFacts<'_>, input: &Input<'_>, unit: &str) -> Markup {
    let id = anchor("cat", c.name);
    let band = input.near / 100.0;
    let bars: Vec<(String, usize)> = c
        .states
        .iter()
        .map(|(s, ids)| (state_label(s), ids.len()))
        .collect();
    html! {
        section.category aria-labelledby={(id) "-h"} {
            h3 id={(id) "-h"} { (c.name) @if let Some(s) = c.section { span.where { " " (s) } } }
            div.figures {
                @if let Some((m, t, right_closed)) = c.measure {
                    figure {
                        (svg::histogram(&svg::Histogram {
                            id: &format!("{id}-dist"),
                            title: &format!("{}: distribution of {m}", c.name),
                            unit,
                            values: &c.shares,
                            threshold: Some(t),
                            band: Some(band),
                            left_out: c.left_out,
                            bins: 50,
                            right_closed,
                        }))
                        figcaption {
                            "The distribution of " code { (m) } ", with the threshold line and a band of "
                            (input.near) " points either side (" a href="#near" { "near a threshold" } ")."
                            @if c.left_out > 0 {
                                " " (plural(c.left_out, unit)) " not plotted: the share is undefined, or rests on a count under the policy's small-cell suppression."
                            }
                        }
                    }
                }
                figure {
                    (svg::bars(&format!("{id}-states"), &format!("{}: {unit}s by state", c.name), &bars))
                    figcaption {
                        @if c.transitions {
                            "Category transitions this school year: continuing, newly qualifying (joins next year), notice years, reclassified."
                        } @else {
                            (capital(unit)) "s by state this school year."
                        }
                    }
                }
            }
            details.roster {
                summary { "Who is in which state (" (c.name) ")" }
                table {
                    caption { (c.name) ": " (unit) "s by state" }
                    thead { tr { th scope="col" { "State" } th scope="col" class="num" { "Count" } th scope="col" { (unit) "s" } } }
                    tbody {
                        @for (s, ids) in &c.states {
                            tr {
                                th scope="row" { (state_label(s)) }
                                td.num { (ids.len()) }
                                td.ids {
                                    // Who is not in a category is the rest: not listed.
                                    @if *s == CategoryState::NotMember { "the others" }
                                    @else {
                                        @for (i, e) in ids.iter().enumerate() {
                                            @if i > 0 { " " }
                                            a href={"#" (anchor("school", e))} { (e) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn categories(input: &Input<'_>, facts: &Facts<'_>, word: &str) -> Markup {
    let unit = word.trim_end_matches('s');
    html! {
        section #categories aria-labelledby="categories-h" {
            h2 #categories-h { "Categories" }
            @if facts.categories.is_empty() { p { "The policy declares no category." } }
            @for c in &facts.categories { (category(c, input, unit)) }
        }
    }
}

fn calendar(input: &Input<'_>) -> Markup {
    let model = input.model;
    let (items, relative) = crate::report::calendar::items(model, None);
    let bounds = model.guide.year_bounds().or_else(|| {
        let first = items.iter().map(|i| i.start).min()?;
        let last = items.iter().map(|i| i.end).max()?;
        Some((first, last))
    });
    let labels: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    let spans: Vec<svg::Span<'_>> = items
        .iter()
        .zip(&labels)
        .map(|(i, l)| svg::Span {
            label: l,
            start: i.start,
            end: i.end,
            deadline: i.name.ends_with(" due"),
        })
        .collect();
    html! {
        section #calendar aria-labelledby="calendar-h" {
            h2 #calendar-h { "Calendar" }
            @if let Some(b) = bounds {
                figure {
                    (svg::timeline("year", "The school year: windows and deadlines", b, &spans, Some(("as of", input.report.as_of))))
                    figcaption { "Windows (bars) and deadlines (diamonds) of the school year; the line is the as-of date." }
                }
            }
            @if !items.is_empty() {
                div.scroll {
                    table {
                        caption { "Dated windows and deadlines" }
                        thead { tr { th scope="col" { "When" } th scope="col" { "What" } th scope="col" { "Policy" } th scope="col" { "Section" } } }
                        tbody {
                            @for i in &items {
                                tr.past[i.end < input.report.as_of] {
                                    td {
                                        (us_date(i.start))
                                        @if i.end != i.start { " to " (us_date(i.end)) }
                                    }
                                    th scope="row" { code { (i.name) } }
                                    td { (i.what) }
                                    td { (i.section) }
                                }
                            }
                        }
                    }
                }
            }
            @if !relative.is_empty() {
                h3 { "Dates that depend on each school's calendar" }
                ul {
                    @for r in &relative {
                        li { code { (r.name) } ": " (r.text) @if !r.section.is_empty() { " (" (r.section) ")" } }
                    }
                }
            }
        }
    }
}

fn near(input: &Input<'_>) -> Markup {
    let r = input.report;
    html! {
        section #near aria-labelledby="near-h" {
            h2 #near-h { "Near a threshold" }
            p.note {
                (capital(&r.entity_word)) " whose share is within " (input.near) " percentage points of a category threshold: the ones whose status may flip next year. A share resting on a suppressed count is not listed."
            }
            @if r.near.is_empty() {
                p { "None." }
            } @else {
                div.scroll {
                    table {
                        caption { (plural(r.near.len(), "entry")) " near a threshold" }
                        thead { tr { th scope="col" { "Id" } th scope="col" { "Category" } th scope="col" { "Decision and distance" } } }
                        tbody {
                            @for (e, c, note) in &r.near {
                                tr data-near="" {
                                    th scope="row" { a href={"#" (anchor("school", e))} { (e) } }
                                    td { (c) }
                                    td { (note) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A data file as the page names it: without the data folder given on the command line, which
/// the header names once (a state's page names thousands of rows).
fn short<'p>(file: &'p str, data: &[String]) -> &'p str {
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
fn unfolder<'t>(text: &'t str, data: &[String]) -> std::borrow::Cow<'t, str> {
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

fn findings_table(caption: &str, findings: &[&Finding], data: &[String]) -> Markup {
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

fn details(input: &Input<'_>, facts: &Facts<'_>) -> Markup {
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
    fn base64_as_rfc_4648_says() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn quoted_words_are_code() {
        assert_eq!(
            ticks("column `a<b>` missing").into_string(),
            "column <code>a&lt;b&gt;</code> missing"
        );
        // An odd number of backticks is left as it is.
        assert_eq!(ticks("a ` b").into_string(), "a ` b");
    }

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

    #[test]
    fn anchors_keep_safe_characters_only() {
        assert_eq!(anchor("school", "E01"), "school-E01");
        assert_eq!(anchor("school", "a b\"<"), "school-a~20b~22~3C");
        assert_eq!(anchor("rule", "é_1"), "rule-~C3~A9_1");
        assert_ne!(anchor("s", "a~20b"), anchor("s", "a b"));
    }
}

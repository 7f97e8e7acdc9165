//! The page: a maud template, so every text from a policy or a data file is escaped. One file per
//! part of the page: this one the document with its header, `overview.rs` the rules and school
//! tables, `sections.rs` data errors, categories, calendar and near-threshold schools,
//! `details.rs` each school's details.

mod details;
mod overview;
mod sections;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{Facts, Input, School, outcome_class, state_label};
use crate::check::model::{Severity, us_date};
use crate::eval::{CategoryState, Finding, Outcome, Status};
use details::details;
use overview::{rules, schools};
use sections::{calendar, categories, data, near};

const CSS: &str = include_str!("../report.css");
const JS: &str = include_str!("../report.js");

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
    fn anchors_keep_safe_characters_only() {
        assert_eq!(anchor("school", "E01"), "school-E01");
        assert_eq!(anchor("school", "a b\"<"), "school-a~20b~22~3C");
        assert_eq!(anchor("rule", "é_1"), "rule-~C3~A9_1");
        assert_ne!(anchor("s", "a~20b"), anchor("s", "a b"));
    }
}

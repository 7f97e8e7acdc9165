//! The page's sections after the school table: data errors and gaps, categories, the calendar,
//! the schools near a threshold.

use super::super::{CategoryFacts, svg};
use super::*;

pub(super) fn data(input: &Input<'_>) -> Markup {
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
                                        (e.location.as_ref().map(ToString::to_string).unwrap_or_default())
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

pub(super) fn categories(input: &Input<'_>, facts: &Facts<'_>, word: &str) -> Markup {
    let unit = word.trim_end_matches('s');
    html! {
        section #categories aria-labelledby="categories-h" {
            h2 #categories-h { "Categories" }
            @if facts.categories.is_empty() { p { "The policy declares no category." } }
            @for c in &facts.categories { (category(c, input, unit)) }
        }
    }
}

pub(super) fn calendar(input: &Input<'_>) -> Markup {
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

pub(super) fn near(input: &Input<'_>) -> Markup {
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

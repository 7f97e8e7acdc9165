//! The rules table and the school table: the page's summary of outcomes.

use super::details::findings_table;
use super::*;

pub(super) fn rules(facts: &Facts<'_>, word: &str) -> Markup {
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

pub(super) fn schools(input: &Input<'_>, facts: &Facts<'_>, word: &str) -> Markup {
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

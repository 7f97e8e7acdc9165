//! The `guide` block: id, title, issued date, the id it replaces, the school year.

use std::collections::BTreeMap;

use super::diag::Problem;
use super::model::*;
use super::{Checker, DefKind};
use crate::codes::Code;
use crate::suggest;
use crate::syntax::Span;
use crate::syntax::ast::{self, GuideValue, Item, Literal};

const GUIDE_KEYS: &[&str] = &["title", "issued", "replaces", "year", "suppress_below"];

impl<'a> Checker<'a> {
    pub(super) fn guide(&mut self) {
        let loaded = self.loaded;
        let mut seen: Option<Span> = None;
        for (fid, file) in &loaded.files {
            for item in &file.items {
                let Item::Guide(g) = item else { continue };
                if Some(*fid) != loaded.root {
                    self.push(
                        Problem::error(
                            Code::GuideInInclude,
                            g.id.span,
                            "an included file has a `guide` block",
                        )
                        .label("a shared file's guide block")
                        .help("only the yearly policy file names its guide; keep shared files to definitions"),
                    );
                    continue;
                }
                if let Some(first) = seen {
                    let at = self.location(first);
                    self.push(
                        Problem::error(Code::Duplicate, g.span, "a policy has one `guide` block")
                            .help(format!("the first is at {at}; merge them")),
                    );
                    continue;
                }
                seen = Some(g.span);
                self.guide_block(g);
            }
        }
        if seen.is_none()
            && let Some(root) = loaded.root
            && self.report_unused.is_empty()
            && loaded
                .files
                .first()
                .map(|(_, f)| f.items.iter().any(|i| matches!(i, Item::Section(_))))
                .unwrap_or(false)
            && self.defs.iter().any(|d| d.kind == DefKind::Rule)
        {
            self.push(
                Problem::warning(
                    Code::NoGuide,
                    Span::new(root, 0, 0),
                    "this policy has rules but no `guide` block",
                )
                .help("add `guide REF-... { title \"...\" issued DATE year 2023-2024 }` so findings cite the guide"),
            );
        }
    }

    /// True the first time `key` is met in a block; a repeat is a diagnostic.
    pub(super) fn first_of_key<'k>(
        &mut self,
        seen: &mut BTreeMap<&'k str, Span>,
        key: &'k ast::Ident,
    ) -> bool {
        if let Some(prev) = seen.get(key.name.as_str()) {
            let at = self.location(*prev);
            self.push(
                Problem::error(
                    Code::DuplicateKey,
                    key.span,
                    format!("`{}` is given twice", key.name),
                )
                .help(format!("the first is at {at}; keep one")),
            );
            return false;
        }
        seen.insert(key.name.as_str(), key.span);
        true
    }

    fn guide_block(&mut self, g: &ast::Guide) {
        let mut info = GuideInfo {
            id: g.id.node.clone(),
            span: g.span,
            ..GuideInfo::default()
        };
        let mut keys: BTreeMap<&str, Span> = BTreeMap::new();
        for e in &g.entries {
            let key = e.key.name.as_str();
            if !self.first_of_key(&mut keys, &e.key) {
                continue;
            }
            let word = match &e.value {
                GuideValue::Word(w) => Some(w.node.clone()),
                GuideValue::Lit(l) => match &l.node {
                    Literal::Str(s) => Some(s.clone()),
                    _ => None,
                },
            };
            match key {
                "title" => match &e.value {
                    GuideValue::Lit(l) if matches!(l.node, Literal::Str(_)) => info.title = word,
                    v => self.guide_value_error(v.span(), "title", "a quoted string"),
                },
                "replaces" => match word {
                    Some(w) => {
                        if w == info.id {
                            self.push(
                                Problem::error(
                                    Code::ReplacesItself,
                                    e.value.span(),
                                    format!("`{w}` replaces itself"),
                                )
                                .label("the guide's own number")
                                .help("`replaces` names the previous revision, e.g. REF-1028.18"),
                            );
                        }
                        info.replaces = Some(w);
                    }
                    None => self.guide_value_error(e.value.span(), "replaces", "a guide number"),
                },
                "issued" => match &e.value {
                    GuideValue::Lit(l) => match &l.node {
                        Literal::Date(d) => info.issued = self.date(d, l.span),
                        _ => self.guide_value_error(l.span, "issued", "a date"),
                    },
                    v => self.guide_value_error(v.span(), "issued", "a date"),
                },
                "suppress_below" => match &e.value {
                    GuideValue::Lit(l) => match &l.node {
                        Literal::Number(d) if d.scale == 0 && d.digits > 0 => {
                            info.suppress_below = Some(d.digits);
                        }
                        _ => self.guide_value_error(
                            l.span,
                            "suppress_below",
                            "a whole number of students, such as `10`",
                        ),
                    },
                    v => self.guide_value_error(
                        v.span(),
                        "suppress_below",
                        "a whole number of students, such as `10`",
                    ),
                },
                "year" => match &e.value {
                    GuideValue::Lit(l) => match &l.node {
                        Literal::SchoolYear(a, b) => {
                            info.year = self.school_year(*a, *b, l.span);
                        }
                        _ => self.guide_value_error(
                            l.span,
                            "year",
                            "a school year such as `2023-2024`",
                        ),
                    },
                    v => self.guide_value_error(
                        v.span(),
                        "year",
                        "a school year such as `2023-2024`",
                    ),
                },
                _ => {
                    let help = match suggest::closest(key, GUIDE_KEYS.iter()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("a guide block takes {}", GUIDE_KEYS.join(", ")),
                    };
                    self.push(
                        Problem::error(
                            Code::UnknownKey,
                            e.key.span,
                            format!("unknown guide entry `{key}`"),
                        )
                        .help(help),
                    );
                }
            }
        }
        if !keys.contains_key("year") {
            self.push(
                Problem::warning(
                    Code::NoYear,
                    g.id.span,
                    format!("guide `{}` does not say its school year", g.id.node),
                )
                .help("add `year 2023-2024`; windows and deadlines are checked against it"),
            );
        }
        self.model.guide = info;
    }

    fn guide_value_error(&mut self, span: Span, key: &str, want: &str) {
        self.push(
            Problem::error(Code::TypeMismatch, span, format!("`{key}` takes {want}"))
                .help(format!("write `{key}` followed by {want}")),
        );
    }
}

//! Which entity a measure, category, window or rule is about: `per ENTITY` when the policy says
//! so, otherwise inferred from what the statement reads, never from the order of declarations.
//!
//! Each thing a statement reads is a clue: a field of an entity's record (`title1` is a field of
//! `school`), a measure or category (about the entity it is about), an aggregation or a rule's
//! record (`count student`: student rows belong to the entity their reference field names). The
//! statement is about the one entity every clue allows. No clue, several entities, or clues that
//! disagree: the checker asks for `per ENTITY`, naming the entities and the clues.

use std::collections::BTreeSet;

use super::diag::Problem;
use super::model::*;
use super::{Checker, DefKind};
use crate::codes::Code;
use crate::syntax::ast::{self, ExprKind};

/// Something a statement reads that ties it to some entities.
struct Clue {
    entities: BTreeSet<RecordId>,
    /// How the clue reads in a message: `` `title1` (a field of `school`) ``.
    text: String,
}

impl Checker<'_> {
    /// The entity a statement named `name` is about: `per`, else inferred from the records it
    /// reads row by row (`records`) and its expressions (`exprs`). `None` after a diagnostic.
    pub(super) fn infer_entity(
        &mut self,
        name: &ast::Ident,
        per: Option<&ast::Ident>,
        records: &[&ast::Ident],
        exprs: &[&ast::Expr],
    ) -> Option<RecordId> {
        if per.is_some() {
            return self.entity_for(per, None);
        }
        let all: Vec<RecordId> = self.model.schema.entities().map(|(r, _)| r).collect();
        if all.is_empty() {
            self.no_entity(name);
            return None;
        }
        let mut clues = Vec::new();
        for r in records {
            if let Some(c) = self.record_clue(r) {
                clues.push(c);
            }
        }
        for e in exprs {
            self.expr_clues(e, &mut clues);
        }
        if clues.iter().any(|c| c.entities.is_empty()) {
            // It reads a definition that has errors of its own, reported where it stands.
            return None;
        }
        let mut left: BTreeSet<RecordId> = all.iter().copied().collect();
        for c in &clues {
            left = left.intersection(&c.entities).copied().collect();
        }
        if left.len() == 1 {
            return left.first().copied();
        }
        let names = |set: &BTreeSet<RecordId>| -> Vec<String> {
            set.iter()
                .filter_map(|r| self.model.schema.record(*r))
                .map(|r| format!("`{}`", r.name))
                .collect()
        };
        let read: Vec<String> = clues.iter().map(|c| c.text.clone()).collect();
        let (message, help) = if left.is_empty() {
            (
                format!(
                    "`{}` reads values of different entities: {}",
                    name.name,
                    read.join(", ")
                ),
                "write `per ENTITY` for the entity it is about, and read another entity's values \
                 through the field that links to it (`district.allocation`)"
                    .to_string(),
            )
        } else {
            let options = names(&left);
            let pers: Vec<String> = left
                .iter()
                .filter_map(|r| self.model.schema.record(*r))
                .map(|r| format!("`per {}`", r.name))
                .collect();
            let why = if read.is_empty() {
                "it reads no field, measure or record of one".to_string()
            } else {
                format!("it reads {}", read.join(", "))
            };
            (
                format!(
                    "cannot tell whether `{}` is about {}: {why}",
                    name.name,
                    or_list(&options)
                ),
                format!("write {}", or_list(&pers)),
            )
        };
        self.push(
            Problem::error(Code::AmbiguousEntity, name.span, message)
                .label("which entity?")
                .help(help),
        );
        None
    }

    /// Rows of `record` belong to the entities its reference fields name; an entity's own record
    /// with no such field belongs to itself.
    fn record_clue(&self, r: &ast::Ident) -> Option<Clue> {
        let rid = self.model.schema.record_by_name(&r.name)?;
        let rec = self.model.schema.record(rid)?;
        let mut entities: BTreeSet<RecordId> = rec
            .fields
            .iter()
            .filter_map(|f| match f.ty {
                Type::Ref(e) => Some(e),
                _ => None,
            })
            .collect();
        if entities.is_empty() && rec.key.is_some() {
            entities.insert(rid);
        }
        if entities.is_empty() {
            return None;
        }
        let owners: Vec<String> = entities
            .iter()
            .filter_map(|e| self.model.schema.record(*e))
            .map(|e| format!("`{}`", e.name))
            .collect();
        let text = if entities.contains(&rid) {
            format!("`{}` (an entity)", r.name)
        } else {
            format!(
                "`{}` (its rows belong to {})",
                r.name,
                or_list(&owners).replace(" or ", " and ")
            )
        };
        Some(Clue { entities, text })
    }

    fn expr_clues(&mut self, e: &ast::Expr, out: &mut Vec<Clue>) {
        match &e.kind {
            ExprKind::Name(id) => {
                if let Some(c) = self.name_clue(id) {
                    out.push(c);
                }
            }
            ExprKind::Not(a) => self.expr_clues(a, out),
            ExprKind::Binary(_, a, b) => {
                self.expr_clues(a, out);
                self.expr_clues(b, out);
            }
            // Its filter reads the rows, not the entity.
            ExprKind::Agg(a) => {
                // `count RULE late`: the rule's record.
                let rule_record = a.state.as_ref().and_then(|_| {
                    self.lookup(&a.record.name).and_then(|(_, d)| match d.stmt {
                        ast::Stmt::Rule(r) => match &r.assertion {
                            ast::Assertion::Each { record, .. } => Some(record.clone()),
                            _ => None,
                        },
                        _ => None,
                    })
                });
                let record = rule_record.unwrap_or_else(|| a.record.clone());
                if let Some(c) = self.record_clue(&record) {
                    out.push(c);
                }
            }
            ExprKind::Lit(_) | ExprKind::Path(..) | ExprKind::Set(_) | ExprKind::Missing => {}
        }
    }

    /// Whether the expressions read no field, measure, category or record (dates and constants).
    pub(super) fn reads_nothing(&mut self, exprs: &[&ast::Expr]) -> bool {
        let mut clues = Vec::new();
        for e in exprs {
            self.expr_clues(e, &mut clues);
        }
        clues.is_empty()
    }

    /// A measure or category is about its entity; a field names the entities that have it.
    fn name_clue(&mut self, id: &ast::Ident) -> Option<Clue> {
        let found = self.lookup(&id.name).map(|(i, d)| (i, d.kind));
        // A measure or category that failed its own check was reported there: an empty clue.
        let failed = || Clue {
            entities: BTreeSet::new(),
            text: String::new(),
        };
        let entity = match found {
            Some((i, DefKind::Measure)) => {
                let Some(m) = self.measure(i) else {
                    return Some(failed());
                };
                self.model.measures.get(m).map(|m| m.entity)
            }
            Some((i, DefKind::Category)) => {
                let Some(c) = self.category(i) else {
                    return Some(failed());
                };
                self.model.categories.get(c).map(|c| c.entity)
            }
            Some(_) => return None,
            None => None,
        };
        if let Some(e) = entity {
            let ename = self.model.schema.record(e)?.name.clone();
            return Some(Clue {
                entities: [e].into(),
                text: format!("`{}` (about each `{ename}`)", id.name),
            });
        }
        let having: Vec<(RecordId, String)> = self
            .model
            .schema
            .entities()
            .filter(|(_, r)| r.field(&id.name).is_some())
            .map(|(rid, r)| (rid, format!("`{}`", r.name)))
            .collect();
        if having.is_empty() {
            return None;
        }
        let owners: Vec<String> = having.iter().map(|(_, n)| n.clone()).collect();
        Some(Clue {
            entities: having.iter().map(|(r, _)| *r).collect(),
            text: format!("`{}` (a field of {})", id.name, or_list(&owners)),
        })
    }

    /// For an unknown name: where it is really declared, when that is the problem. `entity` is
    /// what the statement is about.
    pub(super) fn misplaced_name(
        &self,
        id: &ast::Ident,
        entity: Option<RecordId>,
    ) -> Option<Problem> {
        let schema = &self.model.schema;
        let here = entity
            .and_then(|e| schema.record(e))
            .map(|r| r.name.clone())?;
        let owners: Vec<&Record> = schema
            .records
            .iter()
            .filter(|r| r.field(&id.name).is_some())
            .collect();
        let first = owners.first()?;
        let names: Vec<String> = owners.iter().map(|r| format!("`{}`", r.name)).collect();
        let (entities, rows): (Vec<&&Record>, Vec<&&Record>) =
            owners.iter().partition(|r| r.key.is_some());
        let here_rec = entity.and_then(|e| schema.record(e));
        let help = if let Some(e) = entities.first() {
            let eid = schema.record_by_name(&e.name);
            // This entity refers to that one: read its field through the link. That one refers
            // to this one: aggregate its rows.
            let link = here_rec.and_then(|h| {
                h.fields
                    .iter()
                    .find(|f| eid.is_some_and(|x| f.ty == Type::Ref(x)))
            });
            let back = entity.is_some_and(|x| e.fields.iter().any(|f| f.ty == Type::Ref(x)));
            let other = match (link, back) {
                (Some(f), _) => format!("read it through the link: `{}.{}`", f.name, id.name),
                (None, true) => format!(
                    "aggregate `{}` rows: `count {} where {}`",
                    e.name, e.name, id.name
                ),
                (None, false) => format!("`{here}` has no field that refers to `{}`", e.name),
            };
            format!(
                "write `per {}` if the statement is about each `{}`; otherwise {other}",
                e.name, e.name
            )
        } else if let Some(r) = rows.first() {
            format!(
                "a `{}` row's field is read row by row: `each {} has {} ...`, or through an \
                 aggregation such as `count {} where ...`",
                r.name, r.name, id.name, r.name
            )
        } else {
            format!("`{}` is a field of `{}`", id.name, first.name)
        };
        Some(
            Problem::error(
                Code::UnknownName,
                id.span,
                format!(
                    "`{}` is a field of {}, but this is about each `{here}`, which has no such field",
                    id.name,
                    or_list(&names).replace(" or ", " and ")
                ),
            )
            .label(format!("not a field of `{here}`"))
            .help(help),
        )
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

//! Records: fields, keys, links between entities, column names.

use super::diag::Problem;
use super::model::*;
use super::types::COLUMNS;
use super::{BUILTIN_TYPES, Checker, Def, DefKind};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{self, Spanned, Stmt};

impl<'a> Checker<'a> {
    pub(super) fn records(&mut self) {
        // Ids first, so records can refer to each other in any order.
        let mut decls = Vec::new();
        for i in 0..self.defs.len() {
            if let Some(Def {
                stmt: Stmt::Record(r),
                ..
            }) = self.defs.get(i)
            {
                let idx = self.model.schema.records.len();
                self.model.schema.records.push(Record {
                    name: r.name.name.clone(),
                    key: None,
                    dating: RecordDating::Default,
                    fields: Table::new(),
                    span: r.span,
                });
                if let Some(d) = self.defs.get_mut(i) {
                    d.index = Some(idx);
                }
                decls.push((idx, r));
            }
        }
        for (idx, r) in decls {
            let mut fields: Table<FieldId, Field> = Table::new();
            for f in &r.fields {
                if fields.iter().any(|g| g.name == f.name.name) {
                    self.push(
                        Problem::error(
                            Code::Duplicate,
                            f.name.span,
                            format!(
                                "field `{}` is declared twice in `{}`",
                                f.name.name, r.name.name
                            ),
                        )
                        .help("remove one"),
                    );
                    continue;
                }
                let Some(ty) = self.field_type(&f.ty) else {
                    continue;
                };
                if ty == Type::Weight && fields.iter().any(|g| g.ty == Type::Weight) {
                    self.push(
                        Problem::error(
                            Code::TwoWeights,
                            f.ty.span,
                            format!("`{}` has two headcount fields", r.name.name),
                        )
                        .help("a row stands for one headcount; keep one `weight` field"),
                    );
                }
                fields.push(Field {
                    name: f.name.name.clone(),
                    ty,
                    optional: f.optional,
                    private: f.private,
                    columns: Vec::new(),
                    span: f.span,
                });
            }
            // Other column names: each names one field only.
            let names: Vec<String> = fields.iter().map(|g| g.name.clone()).collect();
            let cols: Vec<(usize, &Spanned<String>)> = r
                .fields
                .iter()
                .filter_map(|f| Some((names.iter().position(|g| *g == f.name.name)?, &f.columns)))
                .flat_map(|(fi, cols)| cols.iter().map(move |c| (fi, c)))
                .collect();
            for (text, fi) in self.other_names(&names, cols, &COLUMNS) {
                if let Some(field) = fields.get_mut(FieldId(fi)) {
                    field.columns.push(text);
                }
            }
            let mut key = None;
            if let Some(k) = &r.key {
                match fields.position(|f| f.name == k.name) {
                    Some(p) => {
                        if fields.get(p).map(|f| f.optional).unwrap_or(false) {
                            self.push(
                                Problem::error(
                                    Code::OptionalKey,
                                    k.span,
                                    format!("key `{}` is optional", k.name),
                                )
                                .help(
                                    "every entity needs its key; remove `optional` from the field",
                                ),
                            );
                        }
                        key = Some(p);
                    }
                    // A key field whose type is wrong has been reported already.
                    None if r.fields.iter().any(|f| f.name.name == k.name) => {}
                    None => {
                        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                        self.unknown_field(&r.name.name, k, &names);
                    }
                }
            }
            let dating = match &r.dating {
                None => RecordDating::Default,
                Some(ast::Dating::Not(_)) => RecordDating::Not,
                Some(ast::Dating::By(f)) => match fields.position(|g| g.name == f.name) {
                    Some(p) if fields.get(p).is_some_and(|g| g.ty == Type::Date) => {
                        RecordDating::By(p)
                    }
                    Some(_) => {
                        self.push(
                            Problem::error(
                                Code::DatedBy,
                                f.span,
                                format!("`{}` is not a date field of `{}`", f.name, r.name.name),
                            )
                            .help("`dated by` names the date field that places a row in a school year"),
                        );
                        RecordDating::Default
                    }
                    None => {
                        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                        self.unknown_field(&r.name.name, f, &names);
                        RecordDating::Default
                    }
                },
            };
            if let Some(rec) = self.model.schema.records.get_mut(RecordId(idx)) {
                rec.fields = fields;
                rec.key = key;
                rec.dating = dating;
            }
        }
        // References must point at entities.
        for r in self.defs.iter().filter_map(|d| match d.stmt {
            Stmt::Record(r) => Some(r),
            _ => None,
        }) {
            for f in &r.fields {
                if let Some(target) = self.model.schema.record_by_name(&f.ty.name)
                    && self
                        .model
                        .schema
                        .record(target)
                        .map(|t| t.key.is_none())
                        .unwrap_or(false)
                {
                    self.problems.push(
                        Problem::error(
                            Code::NotAnEntity,
                            f.ty.span,
                            format!(
                                "`{}` has no key, so `{}` cannot refer to it",
                                f.ty.name, f.name.name
                            ),
                        )
                        .help(format!("add `key FIELD` to `record {}`", f.ty.name)),
                    );
                }
            }
        }
    }

    pub(super) fn field_type(&mut self, ty: &ast::Ident) -> Option<Type> {
        if let Some((_, t)) = BUILTIN_TYPES.iter().find(|(n, _)| *n == ty.name) {
            return Some(*t);
        }
        match self.lookup(&ty.name) {
            Some((i, d)) if d.kind == DefKind::Type => {
                let idx = d.index;
                self.use_def(i);
                idx.map(|x| Type::Enum(EnumId(x)))
            }
            Some((i, d)) if d.kind == DefKind::Record => {
                let idx = d.index;
                self.use_def(i);
                idx.map(|x| Type::Ref(RecordId(x)))
            }
            Some((_, d)) => {
                let kind = d.kind.word();
                self.push(
                    Problem::error(
                        Code::NotAType,
                        ty.span,
                        format!("`{}` is a {kind}, not a type", ty.name),
                    )
                    .help("a field's type is a built-in type, a `type`, or a keyed `record`"),
                );
                None
            }
            None => {
                let mut cands: Vec<&str> = BUILTIN_TYPES.iter().map(|(n, _)| *n).collect();
                let defs: Vec<String> = self
                    .defs
                    .iter()
                    .filter(|d| matches!(d.kind, DefKind::Type | DefKind::Record))
                    .map(|d| d.stmt.name().name.clone())
                    .collect();
                cands.extend(defs.iter().map(String::as_str));
                self.unknown("type", ty, &cands);
                None
            }
        }
    }

    /// A record named in an aggregation or rule.
    pub(crate) fn record_ref(&mut self, name: &ast::Ident) -> Option<RecordId> {
        match self.lookup(&name.name) {
            Some((i, d)) if d.kind == DefKind::Record => {
                let idx = d.index;
                self.use_def(i);
                idx.map(RecordId)
            }
            Some((_, d)) => {
                let kind = d.kind.word();
                self.push(
                    Problem::error(
                        Code::NotARecord,
                        name.span,
                        format!("`{}` is a {kind}, not a record", name.name),
                    )
                    .help("aggregations and rules read records declared with `record`"),
                );
                None
            }
            None => {
                let recs: Vec<String> = self
                    .model
                    .schema
                    .records
                    .iter()
                    .map(|r| r.name.clone())
                    .collect();
                let refs: Vec<&str> = recs.iter().map(String::as_str).collect();
                self.unknown("record", name, &refs);
                None
            }
        }
    }

    pub(crate) fn record_field(&mut self, record: RecordId, f: &ast::Ident) -> Option<FieldId> {
        let rec = self.model.schema.record(record)?;
        match rec.field(&f.name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<String> = rec.fields.iter().map(|x| x.name.clone()).collect();
                let rname = rec.name.clone();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                self.unknown_field(&rname, f, &refs);
                None
            }
        }
    }

    /// The field of `record` that links its rows to `entity`.
    pub(super) fn owner_field(
        &mut self,
        record: RecordId,
        entity: RecordId,
        at: Span,
    ) -> Option<FieldId> {
        let rec = self.model.schema.record(record)?;
        if record == entity {
            return rec.key;
        }
        if let Some(i) = rec.fields.position(|f| f.ty == Type::Ref(entity)) {
            return Some(i);
        }
        let ent = self
            .model
            .schema
            .record(entity)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let rname = rec.name.clone();
        self.push(
            Problem::error(
                Code::NoLink,
                at,
                format!("`{rname}` has no field that refers to `{ent}`"),
            )
            .help(format!(
                "add a field `{ent}: {ent}` to `record {rname}`, or measure it `per` another entity"
            )),
        );
        None
    }

    pub(crate) fn field_ty(&self, record: RecordId, field: FieldId) -> Option<Type> {
        self.model
            .schema
            .record(record)
            .and_then(|r| r.fields.get(field))
            .map(|f| f.ty)
    }

    pub(super) fn field_not_date(&mut self, record: RecordId, field: &ast::Ident, ty: Type) {
        let rname = self
            .model
            .schema
            .record(record)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let tn = self.model.schema.type_name(ty);
        self.push(
            Problem::error(
                Code::TypeMismatch,
                field.span,
                format!("`{rname}.{}` is {tn}, not a date", field.name),
            )
            .label("a date is needed here")
            .help("name a field declared as `date`"),
        );
    }
}

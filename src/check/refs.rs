//! Names in expressions: a field of the row, a constant, a set, a measure, a category, a field of
//! the entity, and `a.b` paths (a record's field, another entity's value).

use super::diag::Problem;
use super::exprs::{Cx, texpr, value_type};
use super::model::*;
use super::{Checker, DefKind};
use crate::codes::Code;
use crate::suggest;
use crate::syntax::Span;
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn name(&mut self, id: &ast::Ident, cx: &Cx, expect: Option<Type>) -> Option<TExpr> {
        let span = id.span;
        // A field of the row being tested comes first, then definitions, then the entity's fields.
        if let Some(r) = cx.row
            && let Some(f) = self
                .model
                .schema
                .record(r)
                .and_then(|rec| rec.field(&id.name))
        {
            let ty = self.field_ty(r, f)?;
            return Some(texpr(TExprKind::RowField(f), ty, span));
        }
        // A value of the type it is compared with, even when a measure has the same name
        // (`measure resident = count student where enrollment == resident`).
        if let Some(Type::Enum(en)) = expect
            && let Some(ix) = self
                .model
                .schema
                .enum_type(en)
                .and_then(|t| t.index(&id.name))
        {
            return Some(texpr(
                TExprKind::Const(Value::Enum(en, ix)),
                Type::Enum(en),
                span,
            ));
        }
        let entity_field = cx
            .entity
            .and_then(|e| Some((e, self.model.schema.record(e)?.field(&id.name)?)));
        let def = self.lookup(&id.name).filter(|(_, d)| {
            entity_field.is_none() || !matches!(d.kind, DefKind::Type | DefKind::Record)
        });
        if let Some((i, d)) = def {
            let kind = d.kind;
            let index = d.index;
            self.use_def(i);
            return match kind {
                DefKind::Const => {
                    let (_, v, ty, _, _) = self.model.constants.get(ConstId(index?))?.clone();
                    Some(texpr(TExprKind::Const(v), ty, span))
                }
                DefKind::Set => {
                    let (_, v, _) = self.model.sets.get(SetId(index?))?.clone();
                    let ty = value_type(&v);
                    Some(texpr(TExprKind::Const(v), ty, span))
                }
                DefKind::Measure | DefKind::Category if cx.entity.is_none() => {
                    self.push(
                        Problem::error(
                            Code::NotConstant,
                            span,
                            format!(
                                "`{}` depends on data, so it cannot be used in a constant",
                                id.name
                            ),
                        )
                        .help("use it in a measure, category or rule"),
                    );
                    None
                }
                DefKind::Measure => {
                    let m = self.measure(i)?;
                    let me = self.model.measures.get(m)?;
                    let (ty, ment) = (me.ty, me.entity);
                    // Aggregating over entities: the filter reads each entity's own measures.
                    if cx.row == Some(ment) {
                        return Some(texpr(TExprKind::RowMeasure(m), ty, span));
                    }
                    self.same_entity(ment, cx, span, &id.name)?;
                    Some(texpr(TExprKind::Measure(m), ty, span))
                }
                DefKind::Category => {
                    let c = self.category(i)?;
                    if cx.row == self.model.categories.get(c).map(|x| x.entity) {
                        return Some(texpr(TExprKind::RowCategory(c), Type::Bool, span));
                    }
                    let ce = self.model.categories.get(c)?.entity;
                    self.same_entity(ce, cx, span, &id.name)?;
                    Some(texpr(TExprKind::Category(c), Type::Bool, span))
                }
                other => {
                    let help = match other {
                        DefKind::Window => {
                            "test a date against a window with `each R has FIELD within WINDOW`"
                        }
                        DefKind::Type => {
                            "a type names the values of a field; use one of its values"
                        }
                        DefKind::Record => {
                            "read a record through an aggregation such as `count RECORD`"
                        }
                        _ => "a rule is not a value",
                    };
                    self.push(
                        Problem::error(
                            Code::NotAValue,
                            span,
                            format!("`{}` is a {}, not a value", id.name, other.word()),
                        )
                        .help(help),
                    );
                    None
                }
            };
        }
        if let Some((e, f)) = entity_field {
            let ty = self.field_ty(e, f)?;
            return Some(texpr(TExprKind::EntityField(f), ty, span));
        }
        if let Some(Type::Enum(en)) = expect
            && let Some(t) = self.model.schema.enum_type(en).cloned()
        {
            let help = match suggest::closest(&id.name, t.values.iter()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("`{}` is one of: {}", t.name, t.values.join(", ")),
            };
            self.push(
                Problem::error(
                    Code::NotInType,
                    span,
                    format!("`{}` is not a value of `{}`", id.name, t.name),
                )
                .label("not in the type")
                .help(help),
            );
            return None;
        }
        if let Some(t) = self
            .model
            .schema
            .enums
            .iter()
            .find(|t| t.index(&id.name).is_some())
        {
            let tname = t.name.clone();
            self.push(
                Problem::error(
                    Code::UnknownName,
                    span,
                    format!(
                        "`{}` is a value of type `{tname}`, but nothing here has that type",
                        id.name
                    ),
                )
                .label(format!("not compared with a field of type `{tname}`"))
                .help(format!(
                    "compare a field of type `{tname}` with it, such as `FIELD == {}`; a `where` \
                     filter runs to the end of the expression, so put an aggregation with a filter \
                     in parentheses",
                    id.name
                )),
            );
            return None;
        }
        // A field of another record: say so, rather than suggest a similar name.
        if let Some(p) = self.misplaced_name(id, cx.entity) {
            self.push(p);
            return None;
        }
        let mut cands: Vec<String> = self.all_names().into_iter().map(String::from).collect();
        for r in [cx.row, cx.entity].into_iter().flatten() {
            if let Some(rec) = self.model.schema.record(r) {
                cands.extend(rec.fields.iter().map(|f| f.name.clone()));
            }
        }
        let refs: Vec<&str> = cands.iter().map(String::as_str).collect();
        self.unknown("name", id, &refs);
        None
    }

    fn same_entity(&mut self, of: RecordId, cx: &Cx, span: Span, name: &str) -> Option<()> {
        if cx.entity == Some(of) {
            return Some(());
        }
        let a = self
            .model
            .schema
            .record(of)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let b = cx
            .entity
            .and_then(|e| self.model.schema.record(e))
            .map(|r| r.name.clone())
            .unwrap_or_default();
        self.push(
            Problem::error(
                Code::WrongEntity,
                span,
                format!("`{name}` is about each `{a}`, but this is about each `{b}`"),
            )
            .label(format!("measured per `{a}`"))
            .help(format!(
                "use a value measured per `{b}`, or declare this statement `per {a}`"
            )),
        );
        None
    }

    pub(super) fn path(&mut self, a: &ast::Ident, b: &ast::Ident, cx: &Cx) -> Option<TExpr> {
        let span = a.span.to(b.span);
        // `district.share`: a measure, category or field of the entity this one refers to.
        if cx.row.is_none()
            && let Some(e) = cx.entity
            && let Some(f) = self.model.schema.record(e).and_then(|r| r.field(&a.name))
            && let Some(Type::Ref(parent)) = self.field_ty(e, f)
            && parent != e
        {
            let inner = self.expr(
                &ast::Expr {
                    kind: ast::ExprKind::Name(b.clone()),
                    span: b.span,
                },
                &Cx::entity(parent),
                None,
            )?;
            let ty = inner.ty;
            return Some(texpr(
                TExprKind::Parent {
                    field: f,
                    expr: Box::new(inner),
                },
                ty,
                span,
            ));
        }
        let rec = self.record_ref(a)?;
        if Some(rec) == cx.row {
            let f = self.record_field(rec, b)?;
            let ty = self.field_ty(rec, f)?;
            return Some(texpr(TExprKind::RowField(f), ty, span));
        }
        if Some(rec) == cx.entity {
            let f = self.record_field(rec, b)?;
            let ty = self.field_ty(rec, f)?;
            return Some(texpr(TExprKind::EntityField(f), ty, span));
        }
        self.push(
            Problem::error(
                Code::PathHere,
                span,
                format!("`{}` has many rows here; say which", a.name),
            )
            .label(format!("a field of each `{}` row", a.name))
            .help(format!(
                "read it through a measure, such as `measure m = min {}.{}`",
                a.name, b.name
            )),
        );
        None
    }
}

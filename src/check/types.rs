//! Value types (`type`), with their other spellings; sets and constants.

use super::diag::Problem;
use super::model::*;
use super::{BUILTIN_TYPES, Checker, Def, exprs};
use crate::codes::Code;
use crate::suggest;
use crate::syntax::ast::{self, Spanned, Stmt};

impl<'a> Checker<'a> {
    pub(super) fn types(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Type(t),
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let mut values: Vec<String> = Vec::new();
            for v in &t.values {
                if values.contains(&v.name) {
                    self.push(
                        Problem::error(
                            Code::Duplicate,
                            v.span,
                            format!("`{}` is listed twice in `{}`", v.name, t.name.name),
                        )
                        .help("remove one"),
                    );
                } else {
                    values.push(v.name.clone());
                }
            }
            // Other spellings: each stands for one value, and none for two.
            let alts: Vec<(usize, &Spanned<String>)> = t
                .values
                .iter()
                .zip(&t.spellings)
                .filter_map(|(v, alts)| Some((values.iter().position(|x| *x == v.name)?, alts)))
                .flat_map(|(vi, alts)| alts.iter().map(move |a| (vi, a)))
                .collect();
            let spellings = self
                .other_names(&values, alts, &SPELLINGS)
                .into_iter()
                .filter_map(|(text, vi)| Some((text, u32::try_from(vi).ok()?)))
                .collect();
            let idx = self.model.schema.enums.len();
            self.model.schema.enums.push(EnumType {
                name: t.name.name.clone(),
                values,
                spellings,
                span: t.span,
            });
            if let Some(d) = self.defs.get_mut(i) {
                d.index = Some(idx);
            }
        }
    }

    /// Checks the other names a policy gives its values or fields (`black ("African
    /// American")`, `school ("Loc Code"): school`): none is empty, and none stands for two
    /// owners, whether by an owner's own name or by another's other name (compared as data is
    /// matched: case, spaces, hyphens and underscores aside). Returns the names kept, each with
    /// its owner's index in `owners`.
    pub(super) fn other_names(
        &mut self,
        owners: &[String],
        names: Vec<(usize, &Spanned<String>)>,
        words: &OtherNames,
    ) -> Vec<(String, usize)> {
        let key = |text: &str| crate::check::model::normalized(text).collect::<String>();
        let mut kept: Vec<(String, usize)> = Vec::new();
        for (owner, name) in names {
            let k = key(&name.node);
            let clash = owners
                .iter()
                .position(|o| key(o) == k)
                .or_else(|| kept.iter().find(|(n, _)| key(n) == k).map(|x| x.1));
            match clash {
                _ if k.is_empty() => self.push(
                    Problem::error(Code::Value, name.span, words.empty).help(words.empty_help),
                ),
                Some(c) if c != owner => {
                    let this = owners.get(owner).map_or("", String::as_str);
                    let other = owners.get(c).map_or("", String::as_str);
                    self.push(
                        Problem::error(
                            Code::Duplicate,
                            name.span,
                            (words.clash)(&name.node, this, other),
                        )
                        .help(words.clash_help),
                    );
                }
                Some(_) => {}
                None => kept.push((name.node.clone(), owner)),
            }
        }
        kept
    }

    pub(super) fn sets(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Set(s), ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let s: &ast::SetDecl = s;
            let Some(Type::Enum(e)) = self.field_type(&s.of) else {
                if self.model.schema.record_by_name(&s.of.name).is_some()
                    || BUILTIN_TYPES.iter().any(|(n, _)| *n == s.of.name)
                {
                    self.push(
                        Problem::error(
                            Code::NotAType,
                            s.of.span,
                            format!("a set is a subset of a `type`; `{}` is not one", s.of.name),
                        )
                        .help("declare `type NAME = {a, b, c}` and make the set a subset of it"),
                    );
                }
                continue;
            };
            let mut members = Vec::new();
            for m in &s.members {
                if let Some(ix) = self.enum_member(e, m) {
                    if members.contains(&ix) {
                        self.push(
                            Problem::warning(
                                Code::Duplicate,
                                m.span,
                                format!("`{}` is listed twice", self.text(m.span)),
                            )
                            .help("remove one"),
                        );
                    } else {
                        members.push(ix);
                    }
                }
            }
            members.sort_unstable();
            let idx = self.model.sets.len();
            self.model
                .sets
                .push((s.name.name.clone(), Value::Set(e, members), s.span));
            if let Some(d) = self.defs.get_mut(i) {
                d.index = Some(idx);
            }
        }
    }

    /// A member of a set literal or named set: must be a value of the type.
    pub(crate) fn enum_member(&mut self, e: EnumId, m: &ast::Expr) -> Option<u32> {
        let ty = self.model.schema.enum_type(e).cloned()?;
        match &m.kind {
            ast::ExprKind::Name(id) => match ty.index(&id.name) {
                Some(ix) => Some(ix),
                None => {
                    let help = match suggest::closest(&id.name, ty.values.iter()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("`{}` is one of: {}", ty.name, ty.values.join(", ")),
                    };
                    self.push(
                        Problem::error(
                            Code::NotInType,
                            id.span,
                            format!("`{}` is not a value of `{}`", id.name, ty.name),
                        )
                        .label("not in the type")
                        .help(help),
                    );
                    None
                }
            },
            _ => {
                self.push(
                    Problem::error(
                        Code::TypeMismatch,
                        m.span,
                        format!("expected a value of `{}`", ty.name),
                    )
                    .help(format!(
                        "`{}` is one of: {}",
                        ty.name,
                        ty.values.join(", ")
                    )),
                );
                None
            }
        }
    }

    pub(super) fn consts(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Const(c),
                section,
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let c: &ast::ConstDecl = c;
            let section = self.section_title(*section);
            let cx = exprs::Cx::constant();
            if let Some(t) = self.expr(&c.value, &cx, None) {
                match t.kind {
                    TExprKind::Const(v) => {
                        let idx = self.model.constants.len();
                        self.model
                            .constants
                            .push((c.name.name.clone(), v, t.ty, c.span, section));
                        if let Some(d) = self.defs.get_mut(i) {
                            d.index = Some(idx);
                        }
                    }
                    _ => self.push(
                        Problem::error(
                            Code::NotConstant,
                            c.value.span,
                            format!("`{}` is not a constant value", self.text(c.value.span)),
                        )
                        .help("a constant is a literal, or a date plus or minus a duration"),
                    ),
                }
            }
        }
    }
}

/// How [`Checker::other_names`] words its problems for one kind of name.
pub(super) struct OtherNames {
    empty: &'static str,
    empty_help: &'static str,
    clash: fn(&str, &str, &str) -> String,
    clash_help: &'static str,
}

/// A value's other spellings in a `type`.
pub(super) const SPELLINGS: OtherNames = OtherNames {
    empty: "an empty spelling matches nothing",
    empty_help: "write the text the data uses, or remove it",
    clash: |name, this, other| format!("\"{name}\" would stand for both `{this}` and `{other}`"),
    clash_help: "a spelling may stand for one value only; remove one",
};

/// A field's other column names in a `record`.
pub(super) const COLUMNS: OtherNames = OtherNames {
    empty: "an empty column name matches nothing",
    empty_help: "write the column's name as the data files have it, or remove it",
    clash: |name, this, other| format!("column \"{name}\" would be both `{this}` and `{other}`"),
    clash_help: "a column name may stand for one field only; remove one",
};

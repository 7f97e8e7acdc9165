//! Items and statements: `include`, `guide`, `section`, and each kind of definition and rule.

use pest::iterators::Pair;

use super::*;

impl Builder<'_> {
    pub(super) fn item(&self, p: Pair<Rule>) -> R<Item> {
        Ok(match p.as_rule() {
            Rule::include => {
                let span = self.span(&p);
                let mut c = self.children(p).into_iter();
                let path = self.next_string(&mut c, span)?;
                let pin = match c.next() {
                    Some(pin) => {
                        let pspan = self.span(&pin);
                        let mut pc = self.children(pin).into_iter();
                        Some(self.next_string(&mut pc, pspan)?)
                    }
                    None => None,
                };
                Item::Include(Include { path, pin, span })
            }
            Rule::guide => Item::Guide(self.guide(p)?),
            Rule::section => Item::Section(self.section(p)?),
            _ => Item::Stmt(self.stmt(p)?),
        })
    }

    pub(super) fn next_pair<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        at: Span,
    ) -> R<Pair<'i, Rule>> {
        it.next()
            .ok_or_else(|| SyntaxError::internal(self.file, at.start, "a part is missing"))
    }

    fn next_ident<'i>(&self, it: &mut impl Iterator<Item = Pair<'i, Rule>>, at: Span) -> R<Ident> {
        Ok(self.ident(self.next_pair(it, at)?))
    }

    fn next_string<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        at: Span,
    ) -> R<Spanned<String>> {
        let p = self.next_pair(it, at)?;
        self.string(p)
    }

    pub(super) fn string(&self, p: Pair<Rule>) -> R<Spanned<String>> {
        let span = self.span(&p);
        let raw = p
            .into_inner()
            .next()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default();
        Ok(Spanned {
            node: unescape(&raw),
            span,
        })
    }

    pub(super) fn guide(&self, p: Pair<Rule>) -> R<Guide> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter();
        let id_pair = self.next_pair(&mut c, span)?;
        let id = if id_pair.as_rule() == Rule::string {
            self.string(id_pair)?
        } else {
            Spanned {
                node: id_pair.as_str().to_string(),
                span: self.span(&id_pair),
            }
        };
        let mut entries = Vec::new();
        for e in c {
            let espan = self.span(&e);
            let mut ec = self.children(e).into_iter();
            let key = self.next_ident(&mut ec, espan)?;
            let v = self.next_pair(&mut ec, espan)?;
            let value = match v.as_rule() {
                Rule::guide_id | Rule::ident => GuideValue::Word(Spanned {
                    node: v.as_str().to_string(),
                    span: self.span(&v),
                }),
                _ => GuideValue::Lit(self.literal(v)?),
            };
            entries.push(GuideEntry {
                key,
                value,
                span: espan,
            });
        }
        Ok(Guide { id, entries, span })
    }

    pub(super) fn section(&self, p: Pair<Rule>) -> R<Section> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter().peekable();
        let title = self.next_string(&mut c, span)?;
        let mut applies = None;
        if let Some(n) = c.peek()
            && n.as_rule() == Rule::for_clause
        {
            let f = self.next_pair(&mut c, span)?;
            applies = Some(self.for_clause(f)?);
        }
        let stmts = c.map(|s| self.stmt(s)).collect::<R<Vec<_>>>()?;
        Ok(Section {
            title,
            applies,
            stmts,
            span,
        })
    }

    fn for_clause(&self, p: Pair<Rule>) -> R<Expr> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter();
        self.expr(self.next_pair(&mut c, span)?)
    }

    fn stmt(&self, p: Pair<Rule>) -> R<Stmt> {
        let span = self.span(&p);
        let rule = p.as_rule();
        if rule == Rule::replace_decl {
            let keyword = Span::new(self.file, span.start, span.start + "replace".len());
            let mut c = self.children(p).into_iter();
            let stmt = self.stmt(self.next_pair(&mut c, span)?)?;
            self.replaces.borrow_mut().push(Replace {
                name: stmt.name().name.clone(),
                keyword,
                stmt: stmt.span(),
            });
            return Ok(stmt);
        }
        let mut c = self.children(p).into_iter().peekable();
        Ok(match rule {
            Rule::type_decl => {
                let name = self.next_ident(&mut c, span)?;
                let mut values = Vec::new();
                let mut spellings = Vec::new();
                for v in c {
                    let vspan = self.span(&v);
                    let mut parts = self.children(v).into_iter();
                    values.push(self.next_ident(&mut parts, vspan)?);
                    spellings.push(parts.map(|s| self.string(s)).collect::<R<Vec<_>>>()?);
                }
                Stmt::Type(TypeDecl {
                    name,
                    values,
                    spellings,
                    span,
                })
            }
            Rule::set_decl => {
                let name = self.next_ident(&mut c, span)?;
                let of = self.next_ident(&mut c, span)?;
                let set = self.next_pair(&mut c, span)?;
                let members = self
                    .children(set)
                    .into_iter()
                    .map(|m| self.atom(m))
                    .collect::<R<Vec<_>>>()?;
                Stmt::Set(SetDecl {
                    name,
                    of,
                    members,
                    span,
                })
            }
            Rule::const_decl => {
                let name = self.next_ident(&mut c, span)?;
                let value = self.expr(self.next_pair(&mut c, span)?)?;
                Stmt::Const(ConstDecl { name, value, span })
            }
            Rule::record_decl => {
                let name = self.next_ident(&mut c, span)?;
                let mut key = None;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::record_key
                {
                    let k = self.next_pair(&mut c, span)?;
                    let kspan = self.span(&k);
                    key = Some(self.next_ident(&mut self.children(k).into_iter(), kspan)?);
                }
                let mut dating = None;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::record_dating
                {
                    let d = self.next_pair(&mut c, span)?;
                    let dspan = self.span(&d);
                    // Keyword tokens are left out: `not dated` has no child, `dated by F` one.
                    let mut dc = self.children(d).into_iter();
                    dating = Some(match dc.next() {
                        None => Dating::Not(dspan),
                        Some(f) => Dating::By(self.next_ident(&mut std::iter::once(f), dspan)?),
                    });
                }
                let mut fields = Vec::new();
                for f in c {
                    let fspan = self.span(&f);
                    let mut fc = self.children(f).into_iter().peekable();
                    let fname = self.next_ident(&mut fc, fspan)?;
                    let mut columns = Vec::new();
                    if let Some(n) = fc.peek()
                        && n.as_rule() == Rule::field_columns
                    {
                        let cols = self.next_pair(&mut fc, fspan)?;
                        for s in self.children(cols) {
                            columns.push(self.string(s)?);
                        }
                    }
                    let ty = self.next_ident(&mut fc, fspan)?;
                    let mut optional = false;
                    let mut private = false;
                    for flag in fc {
                        match flag.as_str() {
                            "optional" => optional = true,
                            "private" => private = true,
                            _ => return Err(self.unexpected(&flag)),
                        }
                    }
                    fields.push(FieldDecl {
                        name: fname,
                        columns,
                        ty,
                        optional,
                        private,
                        span: fspan,
                    });
                }
                Stmt::Record(RecordDecl {
                    name,
                    key,
                    dating,
                    fields,
                    span,
                })
            }
            Rule::measure_decl => {
                let name = self.next_ident(&mut c, span)?;
                let per = self.per(&mut c, span)?;
                let expr = self.expr(self.next_pair(&mut c, span)?)?;
                let rounding = match c.next() {
                    Some(r) => Some(self.rounding(r)?),
                    None => None,
                };
                Stmt::Measure(MeasureDecl {
                    name,
                    per,
                    expr,
                    rounding,
                    span,
                })
            }
            Rule::category_decl => {
                let name = self.next_ident(&mut c, span)?;
                let per = self.per(&mut c, span)?;
                let when = self.expr(self.next_pair(&mut c, span)?)?;
                let mut entries = Vec::new();
                for e in c {
                    let espan = self.span(&e);
                    let mut ec = self.children(e).into_iter();
                    let key = self.next_ident(&mut ec, espan)?;
                    let v = self.next_pair(&mut ec, espan)?;
                    let vspan = self.span(&v);
                    let inner = self.next_pair(&mut self.children(v).into_iter(), vspan)?;
                    let value = match inner.as_rule() {
                        Rule::next_year => CategoryValue::NextYear(self.span(&inner)),
                        Rule::notice => {
                            let nspan = self.span(&inner);
                            let mut parts = inner.into_inner();
                            let d = self.next_pair(&mut parts, nspan)?;
                            let node = self.duration(d)?;
                            let effective = match parts.next() {
                                Some(e) => {
                                    let espan = self.span(&e);
                                    let when = self.next_pair(&mut e.into_inner(), espan)?;
                                    Some(Spanned {
                                        node: when.as_str().starts_with("next"),
                                        span: espan,
                                    })
                                }
                                None => None,
                            };
                            CategoryValue::Notice(Spanned { node, span: nspan }, effective)
                        }
                        Rule::path => {
                            let (a, b) = self.path(inner)?;
                            CategoryValue::Path(a, b)
                        }
                        Rule::ident => CategoryValue::Word(self.ident(inner)),
                        _ => return Err(self.unexpected(&inner)),
                    };
                    entries.push(CategoryEntry {
                        key,
                        value,
                        span: espan,
                    });
                }
                Stmt::Category(CategoryDecl {
                    name,
                    per,
                    when,
                    entries,
                    span,
                })
            }
            Rule::window_decl => {
                let name = self.next_ident(&mut c, span)?;
                let mut cases = Vec::new();
                for w in c {
                    match w.as_rule() {
                        Rule::window_case => {
                            let wspan = self.span(&w);
                            let mut wc = self.children(w).into_iter();
                            let when = self.expr(self.next_pair(&mut wc, wspan)?)?;
                            let spec = self.window_spec(self.next_pair(&mut wc, wspan)?)?;
                            cases.push(WindowCase {
                                when: Some(when),
                                spec,
                                span: wspan,
                            });
                        }
                        Rule::window_spec => {
                            let wspan = self.span(&w);
                            cases.push(WindowCase {
                                when: None,
                                spec: self.window_spec(w)?,
                                span: wspan,
                            });
                        }
                        _ => return Err(self.unexpected(&w)),
                    }
                }
                Stmt::Window(WindowDecl { name, cases, span })
            }
            Rule::rule_decl => {
                let m = self.next_pair(&mut c, span)?;
                let modal = Spanned {
                    node: match m.as_str() {
                        "must" => Modal::Must,
                        "shall" => Modal::Shall,
                        "required" => Modal::Required,
                        "should" => Modal::Should,
                        "may" => Modal::May,
                        _ => return Err(self.unexpected(&m)),
                    },
                    span: self.span(&m),
                };
                let name = self.next_ident(&mut c, span)?;
                let per = self.per(&mut c, span)?;
                let mut applies = None;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::for_clause
                {
                    let f = self.next_pair(&mut c, span)?;
                    applies = Some(self.for_clause(f)?);
                }
                let a = self.next_pair(&mut c, span)?;
                let assertion = self.assertion(a)?;
                let quote = match c.next() {
                    Some(q) => Some(self.string(q)?),
                    None => None,
                };
                Stmt::Rule(RuleDecl {
                    modal,
                    name,
                    per,
                    applies,
                    assertion,
                    quote,
                    span,
                })
            }
            Rule::non_school_days => {
                let mut days = Vec::new();
                let mut paths = Vec::new();
                for d in c {
                    if d.as_rule() == Rule::path {
                        paths.push(self.path(d)?);
                    } else {
                        days.push(self.literal(d)?);
                    }
                }
                let mut paths = paths.into_iter();
                Stmt::NonSchoolDays(NonSchoolDaysDecl {
                    name: Ident {
                        name: "non_school_days".into(),
                        span: Span::new(
                            self.file,
                            span.start,
                            span.start + "non_school_days".len(),
                        ),
                    },
                    days,
                    from: paths.next(),
                    until: paths.next(),
                    span,
                })
            }
            _ => {
                return Err(SyntaxError::internal(
                    self.file,
                    span.start,
                    format!("unexpected {rule:?} where a statement belongs"),
                ));
            }
        })
    }

    pub(super) fn per<'i>(
        &self,
        c: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
        span: Span,
    ) -> R<Option<Ident>> {
        if let Some(n) = c.peek()
            && n.as_rule() == Rule::per_clause
        {
            let p = self.next_pair(c, span)?;
            let pspan = self.span(&p);
            return Ok(Some(
                self.next_ident(&mut self.children(p).into_iter(), pspan)?,
            ));
        }
        Ok(None)
    }

    fn rounding(&self, p: Pair<Rule>) -> R<Spanned<Rounding>> {
        let span = self.span(&p);
        let inner = self.next_pair(&mut p.into_inner(), span)?;
        let node = match inner.as_rule() {
            Rule::exact => Rounding::Exact,
            Rule::rounded => {
                let rspan = self.span(&inner);
                let pc = self.next_pair(&mut self.children(inner).into_iter(), rspan)?;
                match self.literal(pc)?.node {
                    Literal::Percent(d) => Rounding::To(d),
                    _ => {
                        return Err(SyntaxError::internal(
                            self.file,
                            rspan.start,
                            "expected a percentage",
                        ));
                    }
                }
            }
            _ => return Err(self.unexpected(&inner)),
        };
        Ok(Spanned { node, span })
    }

    fn window_spec(&self, p: Pair<Rule>) -> R<WindowSpec> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter();
        let first = self.next_pair(&mut c, span)?;
        if first.as_rule() != Rule::bound {
            return Ok(WindowSpec::Range(self.literal(first)?));
        }
        let mut lower = None;
        let mut upper = None;
        for b in std::iter::once(first).chain(c) {
            let bspan = self.span(&b);
            let mut bc = self.children(b).into_iter();
            let kw = self.next_pair(&mut bc, bspan)?;
            let kind = match kw.as_str() {
                "from" => BoundKind::From,
                "after" => BoundKind::After,
                "by" => BoundKind::By,
                "before" => BoundKind::Before,
                _ => return Err(self.unexpected(&kw)),
            };
            let bound = Bound {
                kind: Spanned {
                    node: kind,
                    span: self.span(&kw),
                },
                expr: self.expr(self.next_pair(&mut bc, bspan)?)?,
            };
            let slot = if kind.is_lower() {
                &mut lower
            } else {
                &mut upper
            };
            if slot.is_some() {
                return Err(SyntaxError::Custom {
                    message: format!(
                        "a window has one {} bound",
                        if kind.is_lower() { "lower" } else { "upper" }
                    ),
                    help: "write the window as `from START before END`".into(),
                    file: self.file,
                    span: bspan,
                });
            }
            *slot = Some(bound);
        }
        Ok(WindowSpec::Bounds { lower, upper })
    }

    fn assertion(&self, p: Pair<Rule>) -> R<Assertion> {
        let span = self.span(&p);
        let rule = p.as_rule();
        if rule == Rule::expr {
            return Ok(Assertion::Holds(self.expr(p)?));
        }
        let mut c = self.children(p).into_iter().peekable();
        Ok(match rule {
            Rule::each_check => {
                let record = self.next_ident(&mut c, span)?;
                let filter = self.where_clause(&mut c, span)?;
                let field = self.next_ident(&mut c, span)?;
                let t = self.next_pair(&mut c, span)?;
                let tspan = self.span(&t);
                let trule = t.as_rule();
                let mut tc = self.children(t).into_iter().peekable();
                let mut absent = None;
                let test = match trule {
                    Rule::within_test => EachTest::Within(self.next_ident(&mut tc, tspan)?),
                    Rule::within_of_test => {
                        let d = self.next_pair(&mut tc, tspan)?;
                        let dspan = self.span(&d);
                        EachTest::WithinOf {
                            period: Spanned {
                                node: self.duration(d)?,
                                span: dspan,
                            },
                            from: self.next_ident(&mut tc, tspan)?,
                        }
                    }
                    Rule::not_on_test | Rule::on_test => {
                        let negated = trule == Rule::not_on_test;
                        let (record, field) = self.path(self.next_pair(&mut tc, tspan)?)?;
                        let filter = self.where_clause(&mut tc, tspan)?;
                        EachTest::NotOn {
                            record,
                            field,
                            filter,
                            negated,
                        }
                    }
                    Rule::compare_test => {
                        let op = self.next_pair(&mut tc, tspan)?;
                        let op = Spanned {
                            span: self.span(&op),
                            node: binop(op.as_rule()).ok_or_else(|| self.unexpected(&op))?,
                        };
                        let e = self.expr(self.next_pair(&mut tc, tspan)?)?;
                        // `F <= D or missing`: the `or missing` belongs to the test, not to `D`.
                        let (e, a) = peel_absent(e);
                        absent = a;
                        EachTest::Compare(op, e)
                    }
                    _ => {
                        return Err(SyntaxError::internal(
                            self.file,
                            tspan.start,
                            "unknown test",
                        ));
                    }
                };
                if let Some(a) = c.next() {
                    let aspan = self.span(&a);
                    let words: Vec<Rule> = a.into_inner().map(|x| x.as_rule()).collect();
                    let node = if words.contains(&Rule::op_not) {
                        Absent::Fails
                    } else {
                        Absent::Met
                    };
                    absent = Some(Spanned { node, span: aspan });
                }
                Assertion::Each {
                    record,
                    filter,
                    field,
                    test,
                    absent,
                    span,
                }
            }
            Rule::deadline_check => {
                let mut some = SomeWord(None);
                if let Some(w) = c.peek()
                    && w.as_rule() == Rule::some_word
                {
                    some = SomeWord(Some(self.span(w)));
                    c.next();
                }
                let record = self.next_ident(&mut c, span)?;
                let filter = self.where_clause(&mut c, span)?;
                let field = self.next_ident(&mut c, span)?;
                let due = self.expr(self.next_pair(&mut c, span)?)?;
                Assertion::Deadline {
                    some,
                    record,
                    filter,
                    field,
                    due,
                    span,
                }
            }
            Rule::retain_check => {
                let record = self.next_ident(&mut c, span)?;
                let d = self.next_pair(&mut c, span)?;
                let period = Spanned {
                    span: self.span(&d),
                    node: self.duration(d)?,
                };
                let year_end = c.peek().is_some_and(|p| p.as_rule() == Rule::year_end);
                if year_end {
                    c.next();
                }
                let from = self.next_ident(&mut c, span)?;
                let until = c.next().map(|u| self.ident(u));
                Assertion::Retain {
                    record,
                    period,
                    from,
                    year_end,
                    until,
                    span,
                }
            }
            _ => {
                return Err(SyntaxError::internal(
                    self.file,
                    span.start,
                    "unknown assertion",
                ));
            }
        })
    }

    pub(super) fn where_clause<'i>(
        &self,
        c: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
        span: Span,
    ) -> R<Option<Expr>> {
        if let Some(n) = c.peek()
            && n.as_rule() == Rule::where_clause
        {
            let w = self.next_pair(c, span)?;
            let wspan = self.span(&w);
            let e = self.next_pair(&mut self.children(w).into_iter(), wspan)?;
            return Ok(Some(self.expr(e)?));
        }
        Ok(None)
    }

    pub(super) fn path(&self, p: Pair<Rule>) -> R<(Ident, Ident)> {
        let span = self.span(&p);
        let mut c = p.into_inner();
        let a = self.next_ident(&mut c, span)?;
        let b = self.next_ident(&mut c, span)?;
        Ok((a, b))
    }
}

/// Splits `D or missing` and `D and not missing` into `D` and how an absent value counts.
fn peel_absent(e: Expr) -> (Expr, Option<Spanned<Absent>>) {
    let Expr { kind, span } = e;
    match kind {
        ExprKind::Binary(op, l, r) if op.node == BinOp::Or && r.kind == ExprKind::Missing => {
            let absent = Spanned {
                node: Absent::Met,
                span: op.span.to(r.span),
            };
            (*l, Some(absent))
        }
        ExprKind::Binary(op, l, r)
            if op.node == BinOp::And
                && matches!(&r.kind, ExprKind::Not(inner) if inner.kind == ExprKind::Missing) =>
        {
            let absent = Spanned {
                node: Absent::Fails,
                span: op.span.to(r.span),
            };
            (*l, Some(absent))
        }
        kind => (Expr { kind, span }, None),
    }
}

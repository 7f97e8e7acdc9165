//! Plan lowering: each policy under `tests/fixtures/plan/` is checked and lowered to its
//! per-record read plans (`plan.rs`), and the plans are snapshotted as text: the fields read, the
//! filter key, each aggregation and streamed row check with how its filter is decided, the rows
//! kept, the headcount field and the school-year bound.

use std::fmt::Write as _;

use crate::check::model::*;
use crate::data::Entities;
use crate::eval::filter::{DimKind, RowFilter};
use crate::eval::plan::{RecordPlan, Rhs};
use crate::syntax::Sources;

/// The plans of every record a policy reads, as text.
fn describe(model: &Model, sources: &Sources) -> String {
    let schema = &model.schema;
    let field = |rec: &Record, f: FieldId| {
        rec.fields
            .get(f)
            .map_or_else(|| format!("#{}", f.0), |fd| fd.name.clone())
    };
    let text = |e: &TExpr| sources.slice(e.span).to_string();
    let filter = |f: &RowFilter<'_>| match f {
        RowFilter::Always => "every row".to_string(),
        RowFilter::Table { table, expr } => format!(
            "`{}`, by table ({} of {} keys pass)",
            text(expr),
            table.iter().filter(|h| **h).count(),
            table.len()
        ),
        RowFilter::Expr(e) => format!("`{}`, evaluated per row", text(e)),
    };
    let mut out = String::new();
    let entities = Entities::default();
    for (ri, rec) in schema.records.iter().enumerate() {
        if rec.key.is_some() {
            writeln!(out, "record {}: an entity, loaded whole", rec.name).unwrap();
            continue;
        }
        let Some((plan, wanted)) = RecordPlan::new(model, &entities, RecordId(ri), rec, Vec::new())
        else {
            writeln!(out, "record {}: not read", rec.name).unwrap();
            continue;
        };
        let reads: Vec<String> = rec
            .fields
            .ids()
            .filter(|f| wanted[f.0])
            .map(|f| field(rec, f))
            .collect();
        writeln!(out, "record {}: reads {}", rec.name, reads.join(", ")).unwrap();
        if !plan.key.dims.is_empty() {
            let dims: Vec<String> = plan
                .key
                .dims
                .iter()
                .map(|d| {
                    let kind = match &d.kind {
                        DimKind::Enum(id) => schema.enum_type(*id).unwrap().name.clone(),
                        DimKind::Bool => "bool".into(),
                        DimKind::Equals(k) => format!("== {k:?}, other"),
                    };
                    format!("{} ({kind}: {} values and empty)", field(rec, d.field), d.n)
                })
                .collect();
            writeln!(
                out,
                "  filter key: {} = {} keys",
                dims.join(" x "),
                plan.key.size
            )
            .unwrap();
        }
        for a in &plan.aggs {
            let m = &model.measures[a.measure];
            let what = match a.kind {
                AggKind::Count => "count".to_string(),
                AggKind::CountDistinct(f) => format!("count distinct {}", field(rec, *f)),
                AggKind::Sum(f) => format!("sum {}", field(rec, *f)),
                AggKind::Min(f) => format!("min {}", field(rec, *f)),
                AggKind::Max(f) => format!("max {}", field(rec, *f)),
            };
            writeln!(
                out,
                "  measure {}: {what} per {}, rows: {}{}",
                m.name,
                field(rec, a.by),
                filter(&a.filter),
                if a.reads_entity {
                    ", reading the entity"
                } else {
                    ""
                }
            )
            .unwrap();
        }
        for s in &plan.streams {
            let r = &model.rules[s.rule];
            let rhs = match &s.rhs {
                Rhs::Fixed(Some(v)) => format!("{v:?}, fixed"),
                Rhs::Fixed(None) => "undefined, fixed".into(),
                Rhs::Expr(e) => format!("`{}` per row", text(e)),
            };
            writeln!(
                out,
                "  rule {}: streamed per {}, {} {} {rhs}, rows: {}{}",
                r.name,
                field(rec, s.by),
                field(rec, s.field),
                s.op.symbol(),
                filter(&s.filter),
                if s.reads_entity {
                    ", reading the entity"
                } else {
                    ""
                }
            )
            .unwrap();
        }
        if let Some((by, _)) = plan.keep {
            writeln!(out, "  rows kept per {}", field(rec, by)).unwrap();
        }
        if let Some(w) = plan.weight {
            writeln!(out, "  rows weighted by {}", field(rec, w)).unwrap();
        }
        if let Some((f, start, end)) = plan.dated {
            writeln!(out, "  rows dated by {}: {start} to {end}", field(rec, f)).unwrap();
        }
    }
    out
}

#[test]
fn plans() {
    insta::glob!("../../../tests/fixtures/plan", "*.policy", |path| {
        let (loaded, checked) = crate::check::check_path(path).unwrap();
        let model = checked
            .model
            .unwrap_or_else(|| panic!("{} has errors: {:?}", path.display(), checked.problems));
        insta::assert_snapshot!(describe(&model, &loaded.sources));
    });
}

/// A plan whose filters are all evaluated per row: the general path the tables stand for.
fn untabled(mut plan: RecordPlan<'_>) -> RecordPlan<'_> {
    for a in &mut plan.aggs {
        if let RowFilter::Table { expr, .. } = a.filter {
            a.filter = RowFilter::Expr(expr);
        }
    }
    for s in &mut plan.streams {
        if let RowFilter::Table { expr, .. } = s.filter {
            s.filter = RowFilter::Expr(expr);
        }
    }
    plan
}

/// Reading rows with the plan's filter tables (and the branch-free count they allow) gives the
/// accumulators and streamed findings that evaluating every filter on every row gives.
#[test]
fn reading_by_table_gives_what_evaluating_the_filters_gives() {
    use crate::eval::Acc;
    use crate::eval::tests::Rng;
    use chrono::NaiveDate;

    let path = std::path::Path::new("tests/fixtures/plan/rows.policy");
    let (_, checked) = crate::check::check_path(path).unwrap();
    let model = checked.model.unwrap();
    let schema = &model.schema;
    let rid = schema.record_by_name("contact").unwrap();
    let rec = schema.record(rid).unwrap();
    let school = schema.record_by_name("school").unwrap();
    let entities = Entities::of_ids(school, &["A", "B", "C"], &[]);
    let (tabled, _) = RecordPlan::new(&model, &entities, rid, rec, Vec::new()).unwrap();
    let tables = tabled
        .aggs
        .iter()
        .filter(|a| matches!(a.filter, RowFilter::Table { .. }))
        .count();
    assert!(tables >= 3, "only {tables} tabled aggregations");
    let (plan, _) = RecordPlan::new(&model, &entities, rid, rec, Vec::new()).unwrap();
    let general = untabled(plan);
    let (mut st_t, mut st_g) = (tabled.state(), general.state());
    let f = |name: &str| rec.field(name).unwrap();
    let Type::Enum(kind) = rec.fields[f("kind")].ty else {
        panic!("kind is an enum")
    };
    let day =
        |n: usize| NaiveDate::from_ymd_opt(2023, 9, 1).unwrap() + chrono::Duration::days(n as i64);
    let mut rng = Rng::new(0x0070_1a77_ab1e_0001);
    let file = std::path::Path::new("contact.csv");
    for line in 0..20_000u64 {
        let mut row = vec![Value::Null; rec.fields.len()];
        let mut set = |name: &str, v: Value| row[f(name).0] = v;
        if !rng.one_in(50) {
            set("school", Value::Ref(school, rng.below(3) as u32));
        }
        if !rng.one_in(8) {
            set("kind", Value::Enum(kind, rng.below(4) as u32));
        }
        if !rng.one_in(4) {
            set("urgent", Value::Bool(rng.one_in(2)));
        }
        if !rng.one_in(6) {
            set("minutes", Value::Int(rng.below(90) as i64));
        }
        set("booked", Value::Date(day(rng.below(300))));
        if !rng.one_in(5) {
            set("held", Value::Date(day(rng.below(300))));
        }
        if !rng.one_in(3) {
            set("students", Value::Int(rng.below(5) as i64));
        }
        let row = crate::data::Row {
            values: &row,
            file,
            line,
            pos: crate::data::Pos::Line(line),
        };
        tabled.visit(&mut st_t, &row, &entities, schema, rec);
        general.visit(&mut st_g, &row, &entities, schema, rec);
    }
    assert_eq!(st_t.rows, st_g.rows);
    assert_eq!(st_t.dated, st_g.dated);
    for (a, (t, g)) in tabled.aggs.iter().zip(st_t.accs.iter().zip(&st_g.accs)) {
        let name = &model.measures[a.measure].name;
        match (t, g) {
            (Acc::Count(t), Acc::Count(g)) => {
                assert_eq!(t, g, "{name}");
                // (The test's schools have no fields: a filter reading one passes no row.)
                assert!(
                    a.reads_entity || t.iter().any(|n| *n > 0),
                    "{name} counted nothing"
                );
            }
            (Acc::Sum(t), Acc::Sum(g)) => assert_eq!(t, g, "{name}"),
            (Acc::Distinct(t), Acc::Distinct(g)) => assert_eq!(t, g, "{name}"),
            (Acc::Min(t), Acc::Min(g)) | (Acc::Max(t), Acc::Max(g)) => {
                assert_eq!(t, g, "{name}")
            }
            _ => panic!("{name}: different accumulators"),
        }
    }
    for (s, (t, g)) in tabled
        .streams
        .iter()
        .zip(st_t.streamed.iter().zip(&st_g.streamed))
    {
        let name = &model.rules[s.rule].name;
        let counts = |v: &[crate::eval::Streamed]| -> Vec<(u64, Vec<String>)> {
            v.iter()
                .map(|x| {
                    (
                        x.count,
                        x.first.iter().map(|(l, v)| format!("{l:?} {v}")).collect(),
                    )
                })
                .collect()
        };
        assert_eq!(counts(t), counts(g), "{name}");
        assert!(t.iter().any(|x| x.count > 0), "{name} found nothing");
    }
}

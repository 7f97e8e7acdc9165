//! Filter tables against the expressions they stand for: for random `where` filters over random
//! rows, a filter decided by looking the row's key up in its table passes exactly the rows the
//! filter, evaluated on the row, holds for. Rows with values a key does not expect (an enum index
//! out of range, another type) must fall back to evaluating, and still agree.

use super::*;
use crate::eval::filter::{DimKind, FILTER_TABLE_MAX, FilterKey, RowFilter};
use crate::eval::plan::RowScope;
use crate::eval::value::eval_bool;

const LEVEL: usize = 0;
const KIND: usize = 1;
const FLAG: usize = 2;
const DONE: usize = 3;
const BIG: usize = 4;
const COUNT: usize = 5;
const NAME: usize = 6;
const LEVEL2: usize = 7;

fn schema() -> Schema {
    let big: Vec<String> = (0..70).map(|i| format!("v{i}")).collect();
    let big: Vec<&str> = big.iter().map(String::as_str).collect();
    Schema {
        enums: vec![
            enum_type("level", &["elementary", "middle", "high"]),
            enum_type("kind", &["a", "b", "c", "d", "e"]),
            enum_type("big", &big),
        ]
        .into(),
        records: vec![record(
            "visit",
            vec![
                field("level", Type::Enum(EnumId(0)), true),
                field("kind", Type::Enum(EnumId(1)), true),
                field("flag", Type::Bool, true),
                field("done", Type::Bool, false),
                field("big", Type::Enum(EnumId(2)), true),
                field("count", Type::Int, true),
                field("name", Type::Text, true),
                field("level2", Type::Enum(EnumId(0)), true),
            ],
        )]
        .into(),
    }
}

/// The enum type and its size of an enum field.
fn enum_of(schema: &Schema, rec: &Record, f: usize) -> (EnumId, u32) {
    let Type::Enum(id) = rec.fields[FieldId(f)].ty else {
        panic!("field {f} is not an enum")
    };
    (id, schema.enum_type(id).unwrap().values.len() as u32)
}

fn row_field(rec: &Record, f: usize) -> Box<TExpr> {
    Box::new(x(
        TExprKind::RowField(FieldId(f)),
        rec.fields[FieldId(f)].ty,
    ))
}

fn konst(v: Value, ty: Type) -> Box<TExpr> {
    Box::new(x(TExprKind::Const(v), ty))
}

fn op(rng: &mut Rng) -> CmpOp {
    [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ][rng.below(6)]
}

/// A random condition over the record's fields; mostly over the enum and bool fields a table can
/// index, now and then over a field it cannot (then the filter is evaluated per row).
fn condition(rng: &mut Rng, schema: &Schema, rec: &Record, depth: u32) -> TExpr {
    if depth > 0 && !rng.one_in(3) {
        let a = Box::new(condition(rng, schema, rec, depth - 1));
        return match rng.below(3) {
            0 => cond(TExprKind::Not(a)),
            1 => cond(TExprKind::And(
                a,
                Box::new(condition(rng, schema, rec, depth - 1)),
            )),
            _ => cond(TExprKind::Or(
                a,
                Box::new(condition(rng, schema, rec, depth - 1)),
            )),
        };
    }
    let choices = if rng.one_in(4) { 4 } else { 2 };
    let enum_field = [LEVEL, KIND, BIG, LEVEL2][rng.below(choices)];
    let bool_field = [FLAG, DONE][rng.below(2)];
    let (id, n) = enum_of(schema, rec, enum_field);
    let enum_value = |rng: &mut Rng| {
        if rng.one_in(8) {
            Value::Null
        } else {
            Value::Enum(id, rng.below(n as usize) as u32)
        }
    };
    match rng.below(23) {
        0..=4 => {
            let v = enum_value(rng);
            cond(TExprKind::Compare(
                op(rng),
                row_field(rec, enum_field),
                konst(v, Type::Enum(id)),
            ))
        }
        5 => {
            let v = enum_value(rng);
            cond(TExprKind::Compare(
                op(rng),
                konst(v, Type::Enum(id)),
                row_field(rec, enum_field),
            ))
        }
        6..=9 => {
            let mut members: Vec<u32> = (0..n).filter(|_| rng.one_in(3)).collect();
            members.sort_unstable();
            cond(TExprKind::In {
                value: row_field(rec, enum_field),
                set: konst(Value::Set(id, members), Type::Set(id)),
                negated: rng.one_in(2),
            })
        }
        10..=11 => *row_field(rec, bool_field),
        12..=14 => {
            let v = match rng.below(5) {
                0 => Value::Null,
                k => Value::Bool(k % 2 == 0),
            };
            cond(TExprKind::Compare(
                op(rng),
                row_field(rec, bool_field),
                konst(v, Type::Bool),
            ))
        }
        15 => cond(TExprKind::Const(Value::Bool(rng.one_in(2)))),
        16 => cond(TExprKind::Compare(
            op(rng),
            row_field(rec, LEVEL),
            row_field(rec, LEVEL2),
        )),
        17 => cond(TExprKind::Compare(
            op(rng),
            row_field(rec, FLAG),
            row_field(rec, DONE),
        )),
        18 => cond(TExprKind::Compare(
            op(rng),
            row_field(rec, COUNT),
            konst(Value::Int(rng.below(5) as i64 - 2), Type::Int),
        )),
        // A whole-number field tested against one constant, with `or missing` now and then: a
        // field the key can hold as equal, other or empty.
        20..=22 => {
            let k = konst(Value::Int(1), Type::Int);
            let eq = cond(TExprKind::Compare(
                [CmpOp::Eq, CmpOp::Ne][rng.below(2)],
                row_field(rec, COUNT),
                k,
            ));
            if rng.one_in(2) {
                cond(TExprKind::Or(
                    Box::new(eq),
                    Box::new(cond(TExprKind::Missing(vec![*row_field(rec, COUNT)]))),
                ))
            } else {
                eq
            }
        }
        _ => cond(TExprKind::Compare(
            CmpOp::Eq,
            row_field(rec, NAME),
            konst(Value::Text("a".into()), Type::Text),
        )),
    }
}

/// A random row: mostly values of the fields' types and empty fields, sometimes a value a key
/// does not expect (an enum index out of range, another enum's value, another type), sometimes
/// too short.
fn row(rng: &mut Rng, schema: &Schema, rec: &Record) -> Vec<Value> {
    let mut row: Vec<Value> = rec
        .fields
        .iter()
        .enumerate()
        .map(|(f, fd)| {
            if rng.one_in(6) {
                return Value::Null;
            }
            match fd.ty {
                Type::Enum(_) => {
                    let (id, n) = enum_of(schema, rec, f);
                    match rng.below(60) {
                        0 => Value::Enum(id, n + rng.below(3) as u32),
                        1 => Value::Enum(EnumId((id.0 + 1) % 3), 0),
                        2 => Value::Int(1),
                        _ => Value::Enum(id, rng.below(n as usize) as u32),
                    }
                }
                Type::Bool if rng.one_in(60) => Value::Int(1),
                Type::Bool => Value::Bool(rng.one_in(2)),
                Type::Int => Value::Int(rng.below(5) as i64 - 2),
                _ => Value::Text(["a", "b"][rng.below(2)].into()),
            }
        })
        .collect();
    if rng.one_in(50) {
        row.truncate(rng.below(row.len()));
    }
    row
}

#[test]
fn filter_tables_pass_the_rows_the_filters_hold_for() {
    let schema = schema();
    let rec = &schema.records[RecordId(0)];
    let mut rng = Rng::new(0x005e_edf1_1e7a_b1e5);
    let (mut tabled, mut by_expr, mut looked_up, mut fell_back, mut passed) = (0, 0, 0, 0, 0);
    let mut rows = 0;
    for _ in 0..3000 {
        let filters: Vec<TExpr> = (0..1 + rng.below(4))
            .map(|_| condition(&mut rng, &schema, rec, 3))
            .collect();
        let refs: Vec<&TExpr> = filters.iter().collect();
        let key = FilterKey::new(&refs, &schema, rec);
        assert!(key.size <= FILTER_TABLE_MAX, "{}", key.size);
        let row_filters: Vec<RowFilter<'_>> = filters
            .iter()
            .map(|f| RowFilter::new(Some(f), &key, &schema, rec))
            .collect();
        for rf in &row_filters {
            match rf {
                RowFilter::Table { .. } => tabled += 1,
                RowFilter::Expr(_) => by_expr += 1,
                RowFilter::Always => panic!("a filter became `Always`"),
            }
        }
        for _ in 0..100 {
            let row = row(&mut rng, &schema, rec);
            rows += 1;
            let k = key.of(&row);
            match k {
                Some(ix) => {
                    looked_up += 1;
                    // The key's row holds the row's values of the key's fields.
                    let back = key.row(ix, rec.fields.len()).unwrap();
                    for d in &key.dims {
                        match &d.kind {
                            // Held as equal to the constant, another value, or empty.
                            DimKind::Equals(k) => assert_eq!(
                                (back[d.field.0] == *k, back[d.field.0] == Value::Null),
                                (row[d.field.0] == *k, row[d.field.0] == Value::Null),
                                "field {}",
                                d.field.0
                            ),
                            _ => assert_eq!(back[d.field.0], row[d.field.0], "field {}", d.field.0),
                        }
                    }
                }
                None => fell_back += 1,
            }
            for (f, rf) in filters.iter().zip(&row_filters) {
                let general = eval_bool(
                    f,
                    &mut RowScope {
                        row: &row,
                        entity: None,
                    },
                ) == Some(true);
                assert_eq!(rf.passes(k, &row, None), general, "{f:#?}\n{row:?}");
                passed += usize::from(general);
            }
        }
    }
    // The cases reach every path: tables and expressions, keys looked up and not.
    assert!(
        tabled > 3000 && by_expr > 500,
        "{tabled} tabled, {by_expr} not"
    );
    assert!(
        looked_up > rows / 2 && fell_back > 1000,
        "{looked_up} keys, {fell_back} without"
    );
    assert!(passed > rows / 4, "only {passed} rows passed");
}

/// Tables share one key within [`FILTER_TABLE_MAX`] combinations, first come first served: a
/// filter whose fields would overflow it is evaluated per row.
#[test]
fn filter_key_keeps_within_its_bound() {
    let schema = schema();
    let rec = &schema.records[RecordId(0)];
    let (big, _) = enum_of(&schema, rec, BIG);
    let (kind, _) = enum_of(&schema, rec, KIND);
    let on = |f: usize, id: EnumId| {
        cond(TExprKind::Compare(
            CmpOp::Eq,
            row_field(rec, f),
            konst(Value::Enum(id, 1), Type::Enum(id)),
        ))
    };
    let both = cond(TExprKind::And(
        Box::new(on(BIG, big)),
        Box::new(on(KIND, kind)),
    ));
    let flags = cond(TExprKind::And(row_field(rec, FLAG), row_field(rec, DONE)));
    let level = on(LEVEL, EnumId(0));
    // big (71) * kind (6) * flag (3) * done (3) = 3834 fit; level (4) more does not.
    let key = FilterKey::new(&[&both, &flags, &level], &schema, rec);
    assert_eq!(key.size, 71 * 6 * 3 * 3);
    let fields: Vec<usize> = key.dims.iter().map(|d| d.field.0).collect();
    assert_eq!(fields, vec![KIND, BIG, FLAG, DONE]);
    assert!(matches!(
        RowFilter::new(Some(&both), &key, &schema, rec),
        RowFilter::Table { .. }
    ));
    assert!(matches!(
        RowFilter::new(Some(&level), &key, &schema, rec),
        RowFilter::Expr(_)
    ));
    assert!(matches!(
        RowFilter::new(None, &key, &schema, rec),
        RowFilter::Always
    ));
}

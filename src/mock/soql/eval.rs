//! Running a bound query over the store: filter, sort, offset and limit,
//! then each record shaped as a query result (`attributes`, then the
//! selected fields in order, parents as nested records).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::ast::Lit;
use super::lexer::Op;
use super::plan::{Cond, Path, Plan};
use crate::mock::sobjects::fields::FieldType;
use crate::mock::sobjects::record::{self, same_id};
use crate::mock::sobjects::store::{Record, RecordStore, is_deleted};

/// `(totalSize, records)`; `COUNT()` gives no records.
pub(crate) fn execute(
    plan: &Plan,
    store: &RecordStore,
    version: &str,
    include_deleted: bool,
) -> (usize, Vec<Value>) {
    let mut rows: Vec<&Record> = store
        .all(plan.kind)
        .iter()
        .filter(|row| include_deleted || !is_deleted(row))
        .filter(|row| {
            plan.filter
                .as_ref()
                .is_none_or(|cond| matches(cond, row, plan, store))
        })
        .collect();
    if !plan.order.is_empty() {
        rows.sort_by(|a, b| {
            plan.order
                .iter()
                .map(|&(path, descending, nulls_last)| {
                    let (a, b) = (get(plan, store, path, a), get(plan, store, path, b));
                    match (a.is_null(), b.is_null()) {
                        (true, true) => Ordering::Equal,
                        (true, false) if nulls_last => Ordering::Greater,
                        (true, false) => Ordering::Less,
                        (false, true) if nulls_last => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        (false, false) => {
                            let order = compare(path.target().kind, &a, &b);
                            if descending { order.reverse() } else { order }
                        }
                    }
                })
                .find(|order| order.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    let offset = usize::try_from(plan.offset).unwrap_or(usize::MAX);
    let limit = plan.limit.map_or(usize::MAX, |limit| {
        usize::try_from(limit).unwrap_or(usize::MAX)
    });
    let rows: Vec<&Record> = rows.into_iter().skip(offset).take(limit).collect();
    if plan.count {
        return (rows.len(), Vec::new());
    }
    let records: Vec<Value> = rows
        .iter()
        .map(|row| project(plan, store, version, row))
        .collect();
    (records.len(), records)
}

fn project(plan: &Plan, store: &RecordStore, version: &str, row: &Record) -> Value {
    let mut out = Map::new();
    out.insert(
        "attributes".into(),
        record::attributes(plan.kind, version, record::id(row)),
    );
    for path in &plan.columns {
        match *path {
            Path::Field(field) => {
                out.insert(field.name.into(), record::value(plan.kind, row, field.name));
            }
            Path::Parent { via, kind, field } => {
                let name = via.relationship.unwrap_or(via.name);
                let Some(parent) = parent(store, kind, row, via.name) else {
                    out.insert(name.into(), Value::Null);
                    continue;
                };
                let slot = out.entry(name).or_insert_with(|| {
                    let mut nested = Map::new();
                    let attributes = record::attributes(kind, version, record::id(parent));
                    nested.insert("attributes".into(), attributes);
                    Value::Object(nested)
                });
                if let Value::Object(nested) = slot {
                    nested.insert(field.name.into(), record::value(kind, parent, field.name));
                }
            }
        }
    }
    Value::Object(out)
}

fn parent<'s>(
    store: &'s RecordStore,
    kind: crate::mock::sobjects::SObjectKind,
    row: &Record,
    via: &str,
) -> Option<&'s Record> {
    let id = row.get(via)?.as_str()?;
    store.get(kind, id)
}

/// The value a path reads on a row.
fn get(plan: &Plan, store: &RecordStore, path: Path, row: &Record) -> Value {
    match path {
        Path::Field(field) => record::value(plan.kind, row, field.name),
        Path::Parent { via, kind, field } => parent(store, kind, row, via.name)
            .map_or(Value::Null, |parent| {
                record::value(kind, parent, field.name)
            }),
    }
}

fn matches(cond: &Cond, row: &Record, plan: &Plan, store: &RecordStore) -> bool {
    match cond {
        Cond::All(items) => items.iter().all(|item| matches(item, row, plan, store)),
        Cond::Any(items) => items.iter().any(|item| matches(item, row, plan, store)),
        Cond::Not(inner) => !matches(inner, row, plan, store),
        Cond::Compare(path, op, literal) => test(
            path.target().kind,
            &get(plan, store, *path, row),
            *op,
            literal,
        ),
        Cond::In(path, negated, literals) => {
            let actual = get(plan, store, *path, row);
            let ty = path.target().kind;
            let found = literals
                .iter()
                .any(|literal| test(ty, &actual, Op::Eq, literal));
            found != *negated
        }
        Cond::Like(path, pattern) => match get(plan, store, *path, row) {
            Value::String(text) => like(&text.to_lowercase(), &pattern.to_lowercase()),
            _ => false,
        },
    }
}

/// `actual <op> literal`, with SOQL's null rules (`null != 'x'` holds).
fn test(ty: FieldType, actual: &Value, op: Op, literal: &Lit) -> bool {
    let expected = match literal {
        Lit::Null => {
            return match op {
                Op::Eq => actual.is_null(),
                Op::Ne => !actual.is_null(),
                _ => false,
            };
        }
        Lit::Str(text) | Lit::Date(text) | Lit::DateTime(text) => Value::from(text.as_str()),
        Lit::Num(number) => Value::from(*number),
        Lit::Bool(flag) => Value::Bool(*flag),
    };
    if actual.is_null() {
        return op == Op::Ne;
    }
    let order = compare(ty, actual, &expected);
    match op {
        Op::Eq => order.is_eq(),
        Op::Ne => order.is_ne(),
        Op::Lt => order.is_lt(),
        Op::Le => order.is_le(),
        Op::Gt => order.is_gt(),
        Op::Ge => order.is_ge(),
    }
}

/// Orders two non-null values of a field: text ignoring case (ids by their
/// 15-character form), numbers numerically.
fn compare(ty: FieldType, a: &Value, b: &Value) -> Ordering {
    if let (Some(a), Some(b)) = (a.as_f64(), b.as_f64()) {
        return a.total_cmp(&b);
    }
    if let (Some(a), Some(b)) = (a.as_bool(), b.as_bool()) {
        return a.cmp(&b);
    }
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let (a, b) = (text(a), text(b));
    if matches!(ty, FieldType::Id | FieldType::Reference) && same_id(&a, &b) {
        return Ordering::Equal;
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

/// One element of a LIKE pattern.
enum Pattern {
    /// `%`.
    Run,
    /// `_`.
    One,
    Char(char),
}

/// SQL LIKE: `%` any run, `_` one character, `\%` and `\_` literal.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        parts.push(match c {
            '\\' => Pattern::Char(chars.next().unwrap_or('\\')),
            '%' => Pattern::Run,
            '_' => Pattern::One,
            other => Pattern::Char(other),
        });
    }
    // reachable[j]: the parts so far can match text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for part in &parts {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match part {
                Pattern::Run => reachable[j] || (j > 0 && next[j - 1]),
                Pattern::One => j > 0 && reachable[j - 1],
                Pattern::Char(c) => j > 0 && reachable[j - 1] && text[j - 1] == *c,
            };
        }
        reachable = next;
    }
    reachable[text.len()]
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_patterns() {
        assert!(like("acme corp", "acme%"));
        assert!(like("acme", "a_me"));
        assert!(like("a%b", "a\\%b"));
        assert!(!like("axb", "a\\%b"));
        assert!(like("", "%"));
        assert!(!like("acme", "acm"));
        assert!(like("global media", "%media"));
    }
}

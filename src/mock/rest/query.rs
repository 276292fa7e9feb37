//! `GET query?q=` and `queryAll?q=` (deleted records too), paged: a batch per
//! response, `done:false` and `nextRecordsUrl` `…/query/01g…-2000` for the
//! rest, fetched with `GET query/{locator}` (or `queryAll/{locator}`). With
//! `columns=true`, the query's columns instead of its records. The Tooling
//! API's `tooling/query` is the same over fewer sObjects.

use serde_json::{Map, Value, json};

use super::reply::{Reply, RestError};
use super::{Call, QueryApi, columns};
use crate::mock::sobjects::store::Cursor;
use crate::mock::soql;

/// Salesforce's bounds for `Sforce-Query-Options: batchSize=N`.
const MIN_BATCH: usize = 200;
const MAX_BATCH: usize = 2000;

pub(crate) fn run(call: &Call<'_>, api: QueryApi, include_deleted: bool) -> Reply {
    let text = call
        .request
        .query
        .iter()
        .find(|(key, _)| key == "q")
        .map(|(_, value)| value.trim())
        .filter(|text| !text.is_empty())
        .ok_or_else(|| RestError::bad("MALFORMED_QUERY", "A query string has to be specified"))?;
    let plan = match api {
        QueryApi::Rest => soql::compile(text),
        QueryApi::Tooling => soql::compile_tooling(text),
    };
    let plan = plan.map_err(|error| RestError::bad(error.code, error.message))?;
    if call.request.param("columns") == Some("true") {
        return Ok(call.json(&columns::metadata(&plan)));
    }
    let mut store = call.state.records();
    let (total, records) = soql::execute(&plan, &store, &call.version, include_deleted);
    let batch = batch_size(call);
    if records.len() <= batch {
        return Ok(call.json(&page(total, None, records)));
    }
    let first = records[..batch].to_vec();
    let cursor = store.open_cursor(Cursor { records, batch });
    let next = next_url(call, api, &cursor, batch);
    Ok(call.json(&page(total, Some(next), first)))
}

/// `GET query/{cursor}-{position}`.
pub(crate) fn more(call: &Call<'_>, api: QueryApi, locator: &str) -> Reply {
    let invalid = || RestError::bad("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (cursor_id, position) = locator
        .rsplit_once('-')
        .and_then(|(id, position)| Some((id, position.parse::<usize>().ok()?)))
        .ok_or_else(invalid)?;
    let store = call.state.records();
    let cursor = store.cursor(cursor_id).ok_or_else(invalid)?;
    let total = cursor.records.len();
    if position == 0 || position >= total {
        return Err(invalid());
    }
    let end = position.saturating_add(cursor.batch).min(total);
    let records = cursor.records[position..end].to_vec();
    let next = (end < total).then(|| next_url(call, api, cursor_id, end));
    Ok(call.json(&page(total, next, records)))
}

/// `{"totalSize", "done"[, "nextRecordsUrl"], "records"}`.
fn page(total: usize, next: Option<String>, records: Vec<Value>) -> Value {
    let mut body = Map::new();
    body.insert("totalSize".into(), json!(total));
    body.insert("done".into(), Value::Bool(next.is_none()));
    if let Some(next) = next {
        body.insert("nextRecordsUrl".into(), Value::from(next));
    }
    body.insert("records".into(), Value::Array(records));
    Value::Object(body)
}

fn next_url(call: &Call<'_>, api: QueryApi, cursor_id: &str, position: usize) -> String {
    let tooling = if api == QueryApi::Tooling {
        "tooling/"
    } else {
        ""
    };
    format!(
        "/services/data/v{}/{tooling}query/{cursor_id}-{position}",
        call.version
    )
}

/// `Sforce-Query-Options: batchSize=N` (kept within 200..=2000), else the
/// configured `mock.query_batch_size`.
fn batch_size(call: &Call<'_>) -> usize {
    let requested = call
        .request
        .headers
        .get("sforce-query-options")
        .and_then(|value| value.to_str().ok())
        .and_then(|options| {
            options.split(',').find_map(|option| {
                let (key, value) = option.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("batchSize")
                    .then(|| value.trim().parse::<usize>().ok())
                    .flatten()
            })
        });
    match requested {
        Some(size) => size.clamp(MIN_BATCH, MAX_BATCH),
        None => usize::try_from(call.state.config.query_batch_size)
            .unwrap_or(MAX_BATCH)
            .max(1),
    }
}

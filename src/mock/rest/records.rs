//! `sobjects/{Type}` (basic information, create), `sobjects/{Type}/{id}`
//! (get, update, delete) and `sobjects/{Type}/{field}/{value}` (get, upsert,
//! delete by external id).

use hyper::StatusCode;
use serde_json::{Value, json};

use super::Call;
use super::body::{self, Mode};
use super::reply::{self, Reply, RestError};
use crate::mock::response::MockResponse;
use crate::mock::sobjects::SObjectKind;
use crate::mock::sobjects::fields::FieldDef;
use crate::mock::sobjects::record::{self, is_id_shaped};
use crate::mock::sobjects::store::{Record, RecordStore, is_deleted};

/// `GET sobjects/{Type}`: the basic describe and the live records.
pub(crate) fn basic_information(call: &Call<'_>, kind: SObjectKind) -> MockResponse {
    let store = call.state.records();
    let recent: Vec<Value> = store
        .all(kind)
        .iter()
        .filter(|record| !is_deleted(record))
        .map(|record| kind.recent_item(&call.version, record))
        .collect();
    call.json(&json!({ "objectDescribe": kind.describe(&call.version), "recentItems": recent }))
}

/// `POST sobjects/{Type}` → 201 `{"id", "errors", "success"}`.
pub(crate) fn create(call: &Call<'_>, kind: SObjectKind) -> Reply {
    refuse_unless(kind.createable, "inserted", kind)?;
    let fields = body::fields(kind, body::object(call.request)?, Mode::Create)?;
    let id = call
        .state
        .records()
        .insert(kind, fields, &call.grant.user_id, call.state.now_ms());
    let body = json!({ "id": id, "errors": [], "success": true });
    Ok(reply::json(call.request, StatusCode::CREATED, &body))
}

/// `GET sobjects/{Type}/{id}[?fields=A,B]`.
pub(crate) fn get(call: &Call<'_>, kind: SObjectKind, id: &str) -> Reply {
    let names = requested_fields(call, kind)?;
    let store = call.state.records();
    let record = live(&store, kind, id, false)?;
    let view = match names {
        Some(names) => record::selected(kind, &call.version, record, &names),
        None => record::full(kind, &call.version, record),
    };
    Ok(call.json(&view))
}

/// `PATCH sobjects/{Type}/{id}` → 204.
pub(crate) fn update(call: &Call<'_>, kind: SObjectKind, id: &str) -> Reply {
    refuse_unless(kind.updateable, "updated", kind)?;
    let fields = body::fields(kind, body::object(call.request)?, Mode::Update)?;
    let mut store = call.state.records();
    live(&store, kind, id, true)?;
    store.update(kind, id, fields, &call.grant.user_id, call.state.now_ms());
    Ok(reply::no_content())
}

/// `DELETE sobjects/{Type}/{id}` → 204; the record stays for `queryAll`.
pub(crate) fn delete(call: &Call<'_>, kind: SObjectKind, id: &str) -> Reply {
    refuse_unless(kind.deletable, "deleted", kind)?;
    let mut store = call.state.records();
    live(&store, kind, id, true)?;
    store.delete(kind, id, &call.grant.user_id, call.state.now_ms());
    Ok(reply::no_content())
}

/// `GET sobjects/{Type}/{field}/{value}`.
pub(crate) fn get_by(call: &Call<'_>, kind: SObjectKind, field: &str, value: &str) -> Reply {
    let field = lookup_field(kind, field)?;
    let store = call.state.records();
    match store.matching(kind, field.name, value).as_slice() {
        [] => Err(RestError::not_found()),
        [id] => {
            let record = live(&store, kind, id, false)?;
            Ok(call.json(&record::full(kind, &call.version, record)))
        }
        many => Ok(multiple_choices(call, kind, many)),
    }
}

/// `PATCH sobjects/{Type}/{field}/{value}`: 201 created, 204 updated, 300
/// when several records match.
pub(crate) fn upsert(call: &Call<'_>, kind: SObjectKind, field: &str, value: &str) -> Reply {
    let field = lookup_field(kind, field)?;
    let mut body = body::object(call.request)?;
    // The URL names the value; a copy in the body is ignored.
    body.retain(|key, _| !key.eq_ignore_ascii_case(field.name));
    let mut store = call.state.records();
    let matches = store.matching(kind, field.name, value);
    let user: &str = &call.grant.user_id;
    match matches.as_slice() {
        [] if field.name == "Id" => Err(RestError::not_found()),
        [] => {
            refuse_unless(kind.createable, "inserted", kind)?;
            let mut fields = body::fields(kind, body, Mode::Create)?;
            fields.insert(field.name.to_string(), Value::from(value));
            let id = store.insert(kind, fields, user, call.state.now_ms());
            let body = json!({ "id": id, "success": true, "errors": [], "created": true });
            Ok(reply::json(call.request, StatusCode::CREATED, &body))
        }
        [id] => {
            refuse_unless(kind.updateable, "updated", kind)?;
            let fields = body::fields(kind, body, Mode::Update)?;
            store.update(kind, id, fields, user, call.state.now_ms());
            Ok(reply::no_content())
        }
        many => Ok(multiple_choices(call, kind, many)),
    }
}

/// `DELETE sobjects/{Type}/{field}/{value}`.
pub(crate) fn delete_by(call: &Call<'_>, kind: SObjectKind, field: &str, value: &str) -> Reply {
    let field = lookup_field(kind, field)?;
    refuse_unless(kind.deletable, "deleted", kind)?;
    let mut store = call.state.records();
    match store.matching(kind, field.name, value).as_slice() {
        [] => Err(RestError::not_found()),
        [id] => {
            store.delete(kind, id, &call.grant.user_id, call.state.now_ms());
            Ok(reply::no_content())
        }
        many => Ok(multiple_choices(call, kind, many)),
    }
}

/// The live record `id`, or Salesforce's 404 for a missing, deleted or
/// malformed id (a deleted one is `ENTITY_IS_DELETED` to writes, `NOT_FOUND`
/// to reads).
fn live<'s>(
    store: &'s RecordStore,
    kind: SObjectKind,
    id: &str,
    write: bool,
) -> Result<&'s Record, RestError> {
    if !is_id_shaped(id) {
        return Err(no_external_id_field(id));
    }
    match store.get(kind, id) {
        Some(record) if is_deleted(record) && !write => Err(RestError::not_found()),
        Some(record) if is_deleted(record) => Err(RestError::new(
            StatusCode::NOT_FOUND,
            "ENTITY_IS_DELETED",
            "entity is deleted",
        )
        .with_fields(Vec::new())),
        Some(record) => Ok(record),
        None => Err(RestError::not_found()),
    }
}

/// A field usable in `sobjects/{Type}/{field}/{value}`.
fn lookup_field(kind: SObjectKind, name: &str) -> Result<&'static FieldDef, RestError> {
    kind.field(name)
        .filter(|field| field.id_lookup())
        .ok_or_else(|| no_external_id_field(name))
}

fn no_external_id_field(name: &str) -> RestError {
    RestError::new(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("Provided external ID field does not exist or is not accessible: {name}"),
    )
}

fn refuse_unless(allowed: bool, operation: &str, kind: SObjectKind) -> Result<(), RestError> {
    if allowed {
        return Ok(());
    }
    Err(RestError::bad(
        "INVALID_TYPE_FOR_OPERATION",
        format!("entity type cannot be {operation}: {}", kind.name),
    ))
}

/// `?fields=A,B`: canonical names, `Id` last unless asked for.
fn requested_fields(
    call: &Call<'_>,
    kind: SObjectKind,
) -> Result<Option<Vec<&'static str>>, RestError> {
    let Some(list) = call
        .request
        .query
        .iter()
        .find(|(key, _)| key == "fields")
        .map(|(_, value)| value)
    else {
        return Ok(None);
    };
    let mut names = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let field = kind.field(name).ok_or_else(|| {
            RestError::bad(
                "INVALID_FIELD",
                format!(
                    "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                    kind.name
                ),
            )
        })?;
        if !names.contains(&field.name) {
            names.push(field.name);
        }
    }
    if !names.contains(&"Id") {
        names.push("Id");
    }
    Ok(Some(names))
}

/// 300: the URLs of every matching record.
fn multiple_choices(call: &Call<'_>, kind: SObjectKind, ids: &[String]) -> MockResponse {
    let urls: Vec<String> = ids
        .iter()
        .map(|id| format!("{}/{id}", kind.url(&call.version)))
        .collect();
    reply::json(call.request, StatusCode::MULTIPLE_CHOICES, &json!(urls))
}

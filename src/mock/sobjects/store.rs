//! The org's records (seeded at start, then changed by the REST API) and the
//! open query cursors. Deleted records stay, with `IsDeleted` true, so that
//! `queryAll` finds them.

use std::collections::{HashMap, VecDeque};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::SObjectKind;
use super::clock::rest_datetime;
use super::fields::FieldType;
use super::record::{id, same_id, value};
use crate::mock::random::salesforce_id;
use crate::mock::state::User;

/// Open cursors kept; the oldest is forgotten first.
const CURSOR_LIMIT: usize = 100;
/// `Name` of the mock's Organization record.
pub(crate) const ORG_NAME: &str = "sfscenario Mock Org";

pub(crate) type Record = Map<String, Value>;

/// The rest of a query's result, fetched a batch at a time.
#[derive(Debug, Clone)]
pub(crate) struct Cursor {
    pub(crate) records: Vec<Value>,
    pub(crate) batch: usize,
}

/// What the org starts with.
pub(crate) struct Seed<'a> {
    pub(crate) records: &'a IndexMap<String, Vec<Record>>,
    pub(crate) users: &'a [User],
    pub(crate) org_id: &'a str,
    /// `Organization.IsSandbox`.
    pub(crate) sandbox: bool,
    pub(crate) now_ms: u64,
}

#[derive(Debug, Default)]
pub(crate) struct RecordStore {
    tables: HashMap<&'static str, Vec<Record>>,
    sequences: HashMap<&'static str, u64>,
    cursors: VecDeque<(String, Cursor)>,
    cursor_sequence: u64,
}

impl RecordStore {
    pub(crate) fn new(seed: &Seed<'_>) -> Self {
        let mut store = RecordStore::default();
        let owner = seed.users.first().map_or("", |user| user.id.as_str());
        for user in seed.users {
            store.insert_user(user, owner, seed.now_ms);
        }
        store.insert_org(seed.org_id, seed.sandbox, owner, seed.now_ms);
        for (name, list) in seed.records {
            let Some(kind) = SObjectKind::find(name).filter(|kind| kind.seedable) else {
                continue;
            };
            for fields in list {
                store.insert(kind, canonical(kind, fields), owner, seed.now_ms);
            }
        }
        store
    }

    /// Every record of a type, deleted ones included, oldest first.
    pub(crate) fn all(&self, kind: SObjectKind) -> &[Record] {
        self.tables.get(kind.name).map_or(&[], Vec::as_slice)
    }

    /// The record with this id (15 or 18 characters), deleted or not.
    pub(crate) fn get(&self, kind: SObjectKind, record_id: &str) -> Option<&Record> {
        self.all(kind)
            .iter()
            .find(|record| same_id(id(record), record_id))
    }

    /// Ids of the live records whose `field` equals `wanted` (text ignoring case).
    pub(crate) fn matching(&self, kind: SObjectKind, field: &str, wanted: &str) -> Vec<String> {
        self.all(kind)
            .iter()
            .filter(|record| !is_deleted(record))
            .filter(|record| match value(kind, record, field) {
                Value::String(text) if field == "Id" => same_id(&text, wanted),
                Value::String(text) => text.eq_ignore_ascii_case(wanted),
                Value::Number(number) => number.to_string() == wanted,
                _ => false,
            })
            .map(|record| id(record).to_string())
            .collect()
    }

    /// Stores a new record; returns its id. `fields` has canonical names.
    pub(crate) fn insert(
        &mut self,
        kind: SObjectKind,
        fields: Record,
        user_id: &str,
        now_ms: u64,
    ) -> String {
        let sequence = self.sequences.entry(kind.name).or_insert(0);
        *sequence += 1;
        let sequence = *sequence;
        let mut record = Record::new();
        let new_id = match fields.get("Id").and_then(Value::as_str) {
            Some(given) => given.to_string(),
            None => salesforce_id(kind.key_prefix, sequence),
        };
        record.insert("Id".into(), Value::from(new_id.clone()));
        record.extend(fields.into_iter().filter(|(key, _)| key != "Id"));
        let now = Value::from(rest_datetime(now_ms));
        for field in kind.fields() {
            if record.contains_key(field.name) {
                continue;
            }
            let filler = match field.name {
                "IsDeleted" => Value::Bool(false),
                "OwnerId" | "CreatedById" | "LastModifiedById" => Value::from(user_id),
                "CreatedDate" | "LastModifiedDate" | "SystemModstamp" => now.clone(),
                "CaseNumber" => Value::from(format!("{:08}", 1000 + sequence)),
                _ => match (field.default, field.kind) {
                    (Some(default), FieldType::Boolean) => Value::Bool(default == "true"),
                    (Some(default), _) => Value::from(default),
                    (None, _) => continue,
                },
            };
            record.insert(field.name.into(), filler);
        }
        self.tables.entry(kind.name).or_default().push(record);
        new_id
    }

    /// Sets fields of a live record; false when there is none.
    pub(crate) fn update(
        &mut self,
        kind: SObjectKind,
        record_id: &str,
        fields: Record,
        user_id: &str,
        now_ms: u64,
    ) -> bool {
        let Some(record) = self.live_mut(kind, record_id) else {
            return false;
        };
        record.extend(fields);
        touch(record, user_id, now_ms);
        true
    }

    /// Marks a live record deleted; false when there is none.
    pub(crate) fn delete(
        &mut self,
        kind: SObjectKind,
        record_id: &str,
        user_id: &str,
        now_ms: u64,
    ) -> bool {
        let Some(record) = self.live_mut(kind, record_id) else {
            return false;
        };
        record.insert("IsDeleted".into(), Value::Bool(true));
        touch(record, user_id, now_ms);
        true
    }

    fn live_mut(&mut self, kind: SObjectKind, record_id: &str) -> Option<&mut Record> {
        self.tables
            .get_mut(kind.name)?
            .iter_mut()
            .find(|record| same_id(id(record), record_id) && !is_deleted(record))
    }

    /// Keeps a cursor; returns its id (`01g…`).
    pub(crate) fn open_cursor(&mut self, cursor: Cursor) -> String {
        self.cursor_sequence += 1;
        let cursor_id = salesforce_id("01g", self.cursor_sequence);
        if self.cursors.len() >= CURSOR_LIMIT {
            self.cursors.pop_front();
        }
        self.cursors.push_back((cursor_id.clone(), cursor));
        cursor_id
    }

    pub(crate) fn cursor(&self, cursor_id: &str) -> Option<&Cursor> {
        self.cursors
            .iter()
            .find(|(known, _)| known == cursor_id)
            .map(|(_, cursor)| cursor)
    }

    fn insert_user(&mut self, user: &User, owner: &str, now_ms: u64) {
        let Some(kind) = SObjectKind::find("User") else {
            return;
        };
        let config = &user.user;
        let nickname = config.username.split('@').next().unwrap_or_default();
        let alias: String = format!("{}{}", first_chars(&config.first_name, 1), config.last_name)
            .to_lowercase()
            .chars()
            .take(8)
            .collect();
        let fields = [
            ("Id", Value::from(user.id.clone())),
            ("Username", Value::from(config.username.clone())),
            ("LastName", Value::from(config.last_name.clone())),
            ("FirstName", Value::from(config.first_name.clone())),
            ("Email", Value::from(config.email.clone())),
            ("Alias", Value::from(alias)),
            ("CommunityNickname", Value::from(nickname)),
            ("IsActive", Value::Bool(config.active)),
            ("TimeZoneSidKey", Value::from("America/Los_Angeles")),
            ("LocaleSidKey", Value::from("en_US")),
            ("EmailEncodingKey", Value::from("UTF-8")),
            ("ProfileId", Value::from(salesforce_id("00e", 1))),
            ("LanguageLocaleKey", Value::from("en_US")),
            ("UserType", Value::from("Standard")),
        ];
        self.insert(kind, pairs(&fields), owner, now_ms);
    }

    fn insert_org(&mut self, org_id: &str, sandbox: bool, owner: &str, now_ms: u64) {
        let Some(kind) = SObjectKind::find("Organization") else {
            return;
        };
        let fields = [
            ("Id", Value::from(org_id)),
            ("Name", Value::from(ORG_NAME)),
            ("Country", Value::from("US")),
            ("InstanceName", Value::from("MOCK1")),
            ("IsSandbox", Value::Bool(sandbox)),
            ("OrganizationType", Value::from("Developer Edition")),
            ("NamespacePrefix", Value::Null),
            ("TrialExpirationDate", Value::Null),
            ("LanguageLocaleKey", Value::from("en_US")),
            ("TimeZoneSidKey", Value::from("America/Los_Angeles")),
        ];
        self.insert(kind, pairs(&fields), owner, now_ms);
    }
}

pub(crate) fn is_deleted(record: &Record) -> bool {
    record.get("IsDeleted") == Some(&Value::Bool(true))
}

fn touch(record: &mut Record, user_id: &str, now_ms: u64) {
    let now = Value::from(rest_datetime(now_ms));
    record.insert("LastModifiedById".into(), Value::from(user_id));
    record.insert("LastModifiedDate".into(), now.clone());
    record.insert("SystemModstamp".into(), now);
}

/// Seed fields under their canonical names (`name` → `Name`); unknown keys
/// are kept as given (configuration checks them).
fn canonical(kind: SObjectKind, fields: &Record) -> Record {
    fields
        .iter()
        .map(|(key, value)| {
            let name = kind.field(key).map_or(key.as_str(), |field| field.name);
            (name.to_string(), value.clone())
        })
        .collect()
}

fn pairs(fields: &[(&str, Value)]) -> Record {
    fields
        .iter()
        .map(|(key, value)| ((*key).to_string(), value.clone()))
        .collect()
}

fn first_chars(text: &str, count: usize) -> String {
    text.chars().take(count).collect()
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

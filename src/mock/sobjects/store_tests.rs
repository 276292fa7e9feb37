//! Tests of the record store.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::{Cursor, RecordStore, Seed, is_deleted};
use crate::mock::config::MockUser;
use crate::mock::sobjects::SObjectKind;
use crate::mock::state::User;

fn store() -> RecordStore {
    let mut records = IndexMap::new();
    let account = json!({"name": "Acme", "External_Id__c": "A-1"});
    records.insert(
        "account".to_string(),
        vec![account.as_object().cloned().unwrap_or_default()],
    );
    let users = [User {
        id: "005ak0000000001AAA".into(),
        user: MockUser::default(),
    }];
    RecordStore::new(&Seed {
        records: &records,
        users: &users,
        org_id: "00Dak0000000001EAA",
        sandbox: false,
        now_ms: 0,
    })
}

#[test]
fn seeds_users_the_org_and_records() {
    let store = store();
    let account = SObjectKind::find("Account").unwrap();
    let acme = &store.all(account)[0];
    assert_eq!(acme["Id"], "001ak0000000001AAA");
    assert_eq!(acme["Name"], "Acme");
    assert_eq!(acme["OwnerId"], "005ak0000000001AAA");
    assert_eq!(acme["CreatedDate"], "1970-01-01T00:00:00.000+0000");
    assert_eq!(acme["IsDeleted"], false);
    let user = SObjectKind::find("User").unwrap();
    let mock = store.get(user, "005ak0000000001").unwrap();
    assert_eq!(mock["Username"], "mock.user@example.com");
    assert_eq!(mock["Alias"], "muser");
    assert!(mock.get("IsDeleted").is_none());
    let org = SObjectKind::find("Organization").unwrap();
    assert_eq!(store.all(org)[0]["Id"], "00Dak0000000001EAA");
}

#[test]
fn insert_update_delete() {
    let mut store = store();
    let case = SObjectKind::find("Case").unwrap();
    let fields = json!({"Subject": "Help"}).as_object().cloned().unwrap();
    let id = store.insert(case, fields, "005ak0000000001AAA", 1000);
    assert_eq!(id, "500ak0000000001AAA");
    let record = store.get(case, &id).unwrap();
    assert_eq!(record["CaseNumber"], "00001001");
    assert_eq!(record["Status"], "New");
    assert_eq!(record["Priority"], "Medium");
    let change = json!({"Status": "Closed"}).as_object().cloned().unwrap();
    assert!(store.update(case, &id, change, "005ak0000000001AAA", 2000));
    assert_eq!(
        store.get(case, &id).unwrap()["LastModifiedDate"],
        "1970-01-01T00:00:02.000+0000"
    );
    assert!(store.delete(case, &id, "005ak0000000001AAA", 3000));
    assert!(is_deleted(store.get(case, &id).unwrap()));
    assert!(!store.delete(case, &id, "005ak0000000001AAA", 3000));
    assert!(!store.update(case, &id, serde_json::Map::new(), "x", 0));
}

#[test]
fn matching_and_cursors() {
    let mut store = store();
    let account = SObjectKind::find("Account").unwrap();
    assert_eq!(
        store.matching(account, "External_Id__c", "a-1"),
        ["001ak0000000001AAA"]
    );
    assert_eq!(
        store.matching(account, "Id", "001ak0000000001"),
        ["001ak0000000001AAA"]
    );
    assert!(store.matching(account, "Name", "Other").is_empty());
    let first = store.open_cursor(Cursor {
        records: vec![Value::Null],
        batch: 1,
    });
    assert_eq!(first, "01gak0000000001AAA");
    for _ in 0..100 {
        store.open_cursor(Cursor {
            records: Vec::new(),
            batch: 1,
        });
    }
    assert!(store.cursor(&first).is_none());
}

//! Tests of body checking.

use serde_json::{Map, Value, json};

use super::{Mode, fields};
use crate::mock::sobjects::SObjectKind;

fn check(kind: &str, body: Value, mode: Mode) -> Result<Map<String, Value>, (String, String)> {
    let kind = SObjectKind::find(kind).unwrap();
    let body = body.as_object().cloned().unwrap_or_default();
    fields(kind, body, mode).map_err(|error| (error.code.to_string(), error.message))
}

fn refused(kind: &str, body: Value, mode: Mode) -> (String, String) {
    check(kind, body, mode).unwrap_err()
}

#[test]
fn canonical_names_and_coercion() {
    let body = json!({
        "name": "Acme", "numberofemployees": "12", "AnnualRevenue": 1.5,
        "Phone": 5551234, "attributes": {"type": "Account"},
    });
    let out = check("Account", body, Mode::Create).unwrap();
    assert_eq!(out["Name"], "Acme");
    assert_eq!(out["NumberOfEmployees"], 12);
    assert_eq!(out["AnnualRevenue"], 1.5);
    assert_eq!(out["Phone"], "5551234");
    assert!(!out.contains_key("attributes"));
}

#[test]
fn mistakes() {
    let (code, message) = refused("Account", json!({"Name": "A", "Nope": 1}), Mode::Create);
    assert_eq!(code, "INVALID_FIELD");
    assert_eq!(message, "No such column 'Nope' on sobject of type Account");
    let (_, message) = refused("Account", json!({"Id": "001", "Name": "A"}), Mode::Create);
    assert_eq!(
        message,
        "The Id field should not be specified in the sobject data."
    );
    let (code, message) = refused("Account", json!({"Industry": "Media"}), Mode::Create);
    assert_eq!(code, "REQUIRED_FIELD_MISSING");
    assert_eq!(message, "Required fields are missing: [Name]");
    let (code, _) = refused("Account", json!({"Name": null}), Mode::Update);
    assert_eq!(code, "REQUIRED_FIELD_MISSING");
    let (code, message) = refused(
        "Account",
        json!({"Name": "A", "CreatedDate": "x"}),
        Mode::Create,
    );
    assert_eq!(code, "JSON_PARSER_ERROR", "{message}");
    let (code, message) = refused(
        "Account",
        json!({"Name": "A", "CreatedDate": "2024-01-01T00:00:00Z"}),
        Mode::Create,
    );
    assert_eq!(code, "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert!(message.starts_with("Unable to create/update fields: CreatedDate."));
    let (code, message) = refused(
        "Account",
        json!({"Name": "A", "NumberOfEmployees": "many"}),
        Mode::Create,
    );
    assert_eq!(code, "JSON_PARSER_ERROR");
    assert_eq!(
        message,
        "Cannot deserialize instance of int from VALUE_STRING value many or request may be missing a required field"
    );
    let (code, _) = refused("Account", json!({"Name": {"a": 1}}), Mode::Create);
    assert_eq!(code, "JSON_PARSER_ERROR");
    let long = "x".repeat(41);
    let (code, message) = refused(
        "Account",
        json!({"Name": "A", "BillingCity": long}),
        Mode::Create,
    );
    assert_eq!(code, "STRING_TOO_LONG");
    assert!(message.starts_with("Billing City: data value too large: xxx"));
    assert!(message.ends_with("(max length=40)"));
    let (code, _) = refused(
        "Contact",
        json!({"LastName": "L", "Email": "nope"}),
        Mode::Create,
    );
    assert_eq!(code, "INVALID_EMAIL_ADDRESS");
    let (code, _) = refused(
        "Contact",
        json!({"LastName": "L", "AccountId": "x"}),
        Mode::Create,
    );
    assert_eq!(code, "MALFORMED_ID");
    let (code, _) = refused(
        "Opportunity",
        json!({"Name": "O", "StageName": "Prospecting", "CloseDate": "2024-13-01"}),
        Mode::Create,
    );
    assert_eq!(code, "JSON_PARSER_ERROR");
}

#[test]
fn required_fields_and_defaults() {
    let (_, message) = refused("Lead", json!({"FirstName": "A"}), Mode::Create);
    assert_eq!(message, "Required fields are missing: [LastName, Company]");
    assert!(check("Case", json!({}), Mode::Create).is_ok());
    assert!(
        check(
            "Lead",
            json!({"Status": "Working - Contacted"}),
            Mode::Update
        )
        .is_ok()
    );
}

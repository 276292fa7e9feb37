//! Loopback tests of describes, record CRUD, upsert and limits.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Api, config_with};

#[tokio::test]
async fn create_get_update_delete() {
    let api = Api::start().await;
    let created = api
        .post(
            "sobjects/Account/",
            &json!({"Name": "Initech", "Industry": "Technology"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        created.headers["content-type"],
        "application/json;charset=UTF-8"
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.body,
        json!({"id": id, "errors": [], "success": true})
    );
    assert_eq!(id, "001ak0000000003AAA");
    let path = format!("sobjects/Account/{id}");
    let record = api.get(&path).await.body;
    assert_eq!(
        record["attributes"],
        json!({"type": "Account", "url": format!("/services/data/v62.0/{path}")})
    );
    assert_eq!(record["Name"], "Initech");
    assert_eq!(record["IsDeleted"], false);
    assert_eq!(record["OwnerId"], "005ak0000000001AAA");
    assert_eq!(record["Phone"], Value::Null);
    let created_date = record["CreatedDate"].as_str().unwrap();
    assert!(
        regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
            .unwrap()
            .is_match(created_date)
    );
    let updated = api.patch(&path, &json!({"Phone": "555-0100"})).await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT);
    assert!(updated.headers.get("content-type").is_none());
    assert!(updated.headers.contains_key("sforce-limit-info"));
    let fields = api.get(&format!("{path}?fields=phone,Name")).await.body;
    assert_eq!(
        fields,
        json!({"attributes": record["attributes"], "Phone": "555-0100", "Name": "Initech", "Id": id})
    );
    let short = &id[..15];
    assert_eq!(
        api.get(&format!("sobjects/Account/{short}")).await.body["Id"],
        id
    );
    assert_eq!(api.delete(&path).await.status, StatusCode::NO_CONTENT);
    let gone = api.get(&path).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        gone.error(),
        (
            "NOT_FOUND".into(),
            "The requested resource does not exist".into()
        )
    );
    let again = api.delete(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        again.body,
        json!([{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}])
    );
    assert_eq!(
        api.patch(&path, &json!({"Name": "x"})).await.error().0,
        "ENTITY_IS_DELETED"
    );
}

#[tokio::test]
async fn refusals() {
    let api = Api::start().await;
    let unknown = api
        .post(
            "sobjects/Account",
            &json!({"Name": "A", "Colour__c": "red"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.error(),
        (
            "INVALID_FIELD".into(),
            "No such column 'Colour__c' on sobject of type Account".into()
        )
    );
    let with_id = api
        .post(
            "sobjects/Account",
            &json!({"Id": "001ak0000000001AAA", "Name": "A"}),
        )
        .await;
    assert_eq!(
        with_id.error().1,
        "The Id field should not be specified in the sobject data."
    );
    let missing = api
        .post("sobjects/Contact", &json!({"FirstName": "Ada"}))
        .await;
    assert_eq!(
        missing.body,
        json!([{"message": "Required fields are missing: [LastName]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["LastName"]}])
    );
    let broken = api
        .send(
            Method::POST,
            "sobjects/Account",
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(broken.error().0, "JSON_PARSER_ERROR");
    let user = api.post("sobjects/User", &json!({"LastName": "X"})).await;
    assert_eq!(
        user.error(),
        (
            "INVALID_TYPE_FOR_OPERATION".into(),
            "entity type cannot be inserted: User".into()
        )
    );
    let bad_id = api.get("sobjects/Account/nope").await;
    assert_eq!(bad_id.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bad_id.error().1,
        "Provided external ID field does not exist or is not accessible: nope"
    );
    let bad_field = api
        .get("sobjects/Account/001ak0000000001AAA?fields=Nope")
        .await;
    assert_eq!(bad_field.error().0, "INVALID_FIELD");
    let put = api
        .send(
            Method::PUT,
            "sobjects/Account/001ak0000000001AAA",
            None,
            &[],
        )
        .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        put.error().1,
        "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,PATCH,DELETE"
    );
}

#[tokio::test]
async fn upsert_by_external_id() {
    let config = config_with(&json!({"records": {"Account": [
        {"Name": "Twin A", "External_Id__c": "TWIN"},
        {"Name": "Twin B", "External_Id__c": "TWIN"},
    ]}}));
    let api = Api::with(config).await;
    let created = api
        .patch(
            "sobjects/Account/External_Id__c/EXT%201",
            &json!({"Name": "Fresh"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["created"], true);
    let id = created.body["id"].as_str().unwrap().to_string();
    let updated = api
        .patch(
            "sobjects/Account/external_id__c/ext 1",
            &json!({"Industry": "Media"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT);
    let record = api.get("sobjects/Account/External_Id__c/EXT 1").await.body;
    assert_eq!(
        (record["Id"].as_str(), record["Industry"].as_str()),
        (Some(id.as_str()), Some("Media"))
    );
    assert_eq!(record["External_Id__c"], "EXT 1");
    let twins = api.get("sobjects/Account/External_Id__c/TWIN").await;
    assert_eq!(twins.status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(twins.body.as_array().unwrap().len(), 2);
    let not_lookup = api
        .patch("sobjects/Account/Industry/Media", &json!({}))
        .await;
    assert_eq!(
        not_lookup.error(),
        (
            "NOT_FOUND".into(),
            "Provided external ID field does not exist or is not accessible: Industry".into()
        )
    );
    let bad_body = api
        .patch(
            "sobjects/Account/External_Id__c/NEW",
            &json!({"Industry": "Media"}),
        )
        .await;
    assert_eq!(bad_body.error().0, "REQUIRED_FIELD_MISSING");
    assert_eq!(
        api.delete("sobjects/Account/External_Id__c/EXT 1")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.get("sobjects/Account/External_Id__c/EXT 1")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn users_limits_and_pretty_print() {
    let api = Api::start().await;
    let user = api.get("sobjects/User/005ak0000000001AAA").await.body;
    assert_eq!(user["Username"], "mock.user@example.com");
    assert_eq!(user["Name"], "Mock User");
    assert!(user.get("IsDeleted").is_none());
    let limits = api.get("limits/").await;
    assert_eq!(
        limits.body["DailyApiRequests"],
        json!({"Max": 15000, "Remaining": 14998})
    );
    assert_eq!(limits.headers["sforce-limit-info"], "api-usage=2/15000");
    let pretty = api
        .mock
        .client
        .get(api.url("sobjects/Account/001ak0000000001AAA"))
        .bearer_auth(&api.token)
        .header("X-PrettyPrint", "1")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pretty.contains("\n  \"Name\": \"Acme\""), "{pretty}");
    let resources = api.get("").await.body;
    for name in ["sobjects", "query", "queryAll", "limits"] {
        assert_eq!(resources[name], format!("/services/data/v62.0/{name}"));
    }
}

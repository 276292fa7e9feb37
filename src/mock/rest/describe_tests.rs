//! Loopback tests of the global and full describes.

use reqwest::StatusCode;
use serde_json::json;

use super::support::Api;

#[tokio::test]
async fn global_describe_with_and_without_slash() {
    let api = Api::start().await;
    for path in ["sobjects", "sobjects/"] {
        let answer = api.get(path).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.headers.contains_key("sforce-limit-info"));
        assert_eq!(answer.body["encoding"], "UTF-8");
        assert_eq!(answer.body["maxBatchSize"], 200);
        let sobjects = answer.body["sobjects"].as_array().unwrap();
        let names: Vec<&str> = sobjects.iter().filter_map(|s| s["name"].as_str()).collect();
        assert_eq!(
            names,
            [
                "Account",
                "Contact",
                "Opportunity",
                "Lead",
                "Case",
                "User",
                "Organization"
            ]
        );
        for key in [
            "activateable",
            "createable",
            "custom",
            "customSetting",
            "deletable",
            "deprecatedAndHidden",
            "feedEnabled",
            "hasSubtypes",
            "isSubtype",
            "keyPrefix",
            "label",
            "labelPlural",
            "layoutable",
            "mergeable",
            "mruEnabled",
            "name",
            "queryable",
            "replicateable",
            "retrieveable",
            "searchable",
            "triggerable",
            "undeletable",
            "updateable",
        ] {
            assert!(sobjects[0].get(key).is_some(), "{key}");
        }
        assert_eq!(
            sobjects[0]["urls"]["describe"],
            "/services/data/v62.0/sobjects/Account/describe"
        );
    }
}

#[tokio::test]
async fn full_describe() {
    let api = Api::start().await;
    let answer = api.get("sobjects/account/describe/").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = &answer.body;
    assert_eq!(body["name"], "Account");
    assert_eq!(body["keyPrefix"], "001");
    assert_eq!(
        body["urls"]["uiDetailTemplate"],
        format!("{}/{{ID}}", api.mock.base)
    );
    let fields = body["fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap().clone();
    assert_eq!(field("Id")["type"], "id");
    assert_eq!(field("Id")["length"], 18);
    assert_eq!(field("Name")["nillable"], false);
    assert_eq!(field("Industry")["type"], "picklist");
    assert_eq!(field("AnnualRevenue")["type"], "currency");
    assert_eq!(field("OwnerId")["referenceTo"], json!(["User"]));
    assert_eq!(field("CreatedDate")["updateable"], false);
    let external = field("External_Id__c");
    assert_eq!(external["externalId"], true);
    assert_eq!(external["unique"], true);
    assert_eq!(external["custom"], true);
    for key in [
        "label",
        "length",
        "nillable",
        "updateable",
        "createable",
        "defaultValue",
        "soapType",
    ] {
        assert!(external.get(key).is_some(), "{key}");
    }
    let children = body["childRelationships"].as_array().unwrap();
    assert!(
        children
            .iter()
            .any(|c| c["relationshipName"] == "Contacts" && c["field"] == "AccountId")
    );
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

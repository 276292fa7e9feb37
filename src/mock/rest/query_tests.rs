//! Loopback tests of SOQL queries, errors and paging.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Api, config_with};

fn names(body: &Value) -> Vec<String> {
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["Name"].as_str().unwrap_or("null").to_string())
        .collect()
}

fn accounts(count: usize) -> Value {
    let list: Vec<Value> = (1..=count)
        .map(|n| json!({"Name": format!("Account {n:03}"), "NumberOfEmployees": n}))
        .collect();
    json!({"records": {"Account": list}})
}

#[tokio::test]
async fn selects_filters_and_orders() {
    let config = config_with(&json!({"records": {
        "Account": [
            {"Name": "Acme", "Industry": "Technology", "NumberOfEmployees": 50},
            {"Name": "Globex", "Industry": "Energy", "NumberOfEmployees": 500},
            {"Name": "Initech", "NumberOfEmployees": 5},
        ],
        "Contact": [{"LastName": "Lovelace", "FirstName": "Ada", "AccountId": "001ak0000000001AAA"}],
    }}));
    let api = Api::with(config).await;
    let answer = api
        .query("select id, name from account where name = 'acme'")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers.contains_key("sforce-limit-info"));
    assert_eq!(
        answer.body,
        json!({
            "totalSize": 1, "done": true,
            "records": [{
                "attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001ak0000000001AAA"},
                "Id": "001ak0000000001AAA", "Name": "Acme",
            }],
        })
    );
    let cases = [
        (
            "SELECT Name FROM Account WHERE Name != 'Acme' ORDER BY Name DESC",
            vec!["Initech", "Globex"],
        ),
        (
            "SELECT Name FROM Account WHERE Name LIKE 'g%' OR Name LIKE '%tech'",
            vec!["Globex", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry IN ('Energy', 'Technology') ORDER BY Name",
            vec!["Acme", "Globex"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry NOT IN ('Energy') ORDER BY Name",
            vec!["Acme", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE NumberOfEmployees >= 50 AND NumberOfEmployees < 500",
            vec!["Acme"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry = null",
            vec!["Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE NOT (Industry = 'Energy' OR Industry = null)",
            vec!["Acme"],
        ),
        (
            "SELECT Name FROM Account ORDER BY Industry NULLS LAST, Name LIMIT 2 OFFSET 1",
            vec!["Acme", "Initech"],
        ),
    ];
    for (soql, expected) in cases {
        assert_eq!(names(&api.query(soql).await.body), expected, "{soql}");
    }
    let count = api
        .query("SELECT COUNT() FROM Account WHERE NumberOfEmployees > 10")
        .await;
    assert_eq!(
        count.body,
        json!({"totalSize": 2, "done": true, "records": []})
    );
    let encoded: String =
        form_urlencoded::byte_serialize(b"SELECT Name FROM Account LIMIT 1").collect();
    let slash = api.get(&format!("query/?q={encoded}")).await;
    assert_eq!(slash.body["totalSize"], 1);
    let parent = api
        .query("SELECT Name, Account.Name, Owner.Username FROM Contact")
        .await;
    let record = &parent.body["records"][0];
    assert_eq!(record["Name"], "Ada Lovelace");
    assert_eq!(record["Account"]["Name"], "Acme");
    assert_eq!(record["Account"]["attributes"]["type"], "Account");
    assert_eq!(record["Owner"]["Username"], "mock.user@example.com");
    let org = api
        .query("SELECT Name, IsSandbox, OrganizationType FROM Organization")
        .await;
    assert_eq!(
        org.body["records"][0]["OrganizationType"],
        "Developer Edition"
    );
}

#[tokio::test]
async fn errors() {
    let api = Api::start().await;
    let nope = api.query("SELECT Nope FROM Account").await;
    assert_eq!(nope.status, StatusCode::BAD_REQUEST);
    assert_eq!(nope.error(), ("INVALID_FIELD".into(),
        "\nSELECT Nope FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Nope' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.".into()));
    assert_eq!(
        api.query("q=SELECT Id FROM Account").await.error(),
        ("MALFORMED_QUERY".into(), "unexpected token: q".into())
    );
    let eof = api.query("SELECT Id FROM Account WHERE").await.error();
    assert_eq!(
        eof.1,
        "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: '<EOF>'"
    );
    let mixed = api
        .query("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'")
        .await
        .error();
    assert!(
        mixed
            .1
            .ends_with("ERROR at Row:1:Column:56\nunexpected token: OR"),
        "{}",
        mixed.1
    );
    let scratch = api
        .query("SELECT Id FROM ScratchOrgInfo limit 1")
        .await
        .error();
    assert_eq!(scratch.0, "INVALID_TYPE");
    assert!(
        scratch
            .1
            .contains("Column:16\nsObject type 'ScratchOrgInfo' is not supported.")
    );
    let quoted = api
        .query("SELECT Id FROM Account WHERE NumberOfEmployees = '5'")
        .await
        .error();
    assert!(quoted.1.ends_with("value of filter criterion for field 'NumberOfEmployees' must be of type int and should not be enclosed in quotes"));
    assert_eq!(
        api.query("SELECT Id FROM Account WHERE Id = 'abc'")
            .await
            .error()
            .0,
        "INVALID_QUERY_FILTER_OPERATOR"
    );
    let missing = api.get("query").await;
    assert_eq!(
        missing.error(),
        (
            "MALFORMED_QUERY".into(),
            "A query string has to be specified".into()
        )
    );
    assert_eq!(
        api.get("query/01gak0000000099AAA-2000").await.error(),
        (
            "INVALID_QUERY_LOCATOR".into(),
            "invalid query locator".into()
        )
    );
    assert_eq!(
        api.send(Method::POST, "query", None, &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn pages_through_three_batches() {
    let mut overrides = accounts(5);
    overrides["query_batch_size"] = json!(2);
    let api = Api::with(config_with(&overrides)).await;
    let first = api
        .query("SELECT Name FROM Account ORDER BY Name")
        .await
        .body;
    assert_eq!(
        (first["totalSize"].clone(), first["done"].clone()),
        (json!(5), json!(false))
    );
    assert_eq!(names(&first), ["Account 001", "Account 002"]);
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(
        regex::Regex::new(r"^/services/data/v62\.0/query/01g[A-Za-z0-9]{15}-2$")
            .unwrap()
            .is_match(next),
        "{next}"
    );
    let second = api.get(next).await.body;
    assert_eq!(names(&second), ["Account 003", "Account 004"]);
    assert_eq!(second["totalSize"], 5);
    // jsforce keeps the last path segment and rebuilds `<base>/query/<locator>`.
    let locator = second["nextRecordsUrl"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let third = api.get(&format!("query/{locator}")).await.body;
    assert_eq!(names(&third), ["Account 005"]);
    assert_eq!(third["done"], true);
    assert!(third.get("nextRecordsUrl").is_none());
}

#[tokio::test]
async fn batch_size_header() {
    let api = Api::with(config_with(&accounts(450))).await;
    let options = [("Sforce-Query-Options", "batchSize=200")];
    let url = "query?q=SELECT+Id+FROM+Account";
    let first = api.send(Method::GET, url, None, &options).await.body;
    assert_eq!(first["records"].as_array().unwrap().len(), 200);
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(next.ends_with("-200"));
    let second = api.get(next).await.body;
    let third = api
        .get(second["nextRecordsUrl"].as_str().unwrap())
        .await
        .body;
    assert_eq!(third["records"].as_array().unwrap().len(), 50);
    let clamped = api
        .send(
            Method::GET,
            url,
            None,
            &[("Sforce-Query-Options", "batchSize=5")],
        )
        .await
        .body;
    assert_eq!(clamped["records"].as_array().unwrap().len(), 200);
    let default = api.get(url).await.body;
    assert_eq!(
        (default["done"].clone(), default["totalSize"].clone()),
        (json!(true), json!(450))
    );
}

#[tokio::test]
async fn query_all_finds_deleted_records() {
    let api = Api::start().await;
    let acme = "sobjects/Account/001ak0000000001AAA";
    assert_eq!(api.delete(acme).await.status, StatusCode::NO_CONTENT);
    let soql = "SELECT Name, IsDeleted FROM Account ORDER BY Name";
    assert_eq!(names(&api.query(soql).await.body), ["Global Media"]);
    let encoded: String = form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    let all = api.get(&format!("queryAll/?q={encoded}")).await.body;
    assert_eq!(names(&all), ["Acme", "Global Media"]);
    assert_eq!(all["records"][0]["IsDeleted"], true);
}

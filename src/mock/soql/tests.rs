//! Tests of parsing and binding.

use super::ast::{Expr, Lit, Select};
use super::lexer::Op;
use super::parser::parse;
use super::plan::{Cond, Path};
use super::{SoqlError, compile};

fn refused(source: &str) -> SoqlError {
    compile(source).unwrap_err()
}

#[test]
fn parses_a_full_query() {
    let query = parse(
        "select Id, Owner.Name from Account where (Name like 'A%' or Name = null) and NumberOfEmployees > 10 order by Name desc nulls first, Id limit 5 offset 2",
    )
    .unwrap();
    let Select::Fields(fields) = &query.select else {
        panic!("fields expected");
    };
    assert_eq!(fields[1].text, "Owner.Name");
    assert_eq!(query.from.text, "Account");
    let Some(Expr::All(items)) = &query.filter else {
        panic!("AND chain expected");
    };
    assert!(matches!(&items[0], Expr::Any(inner) if inner.len() == 2));
    assert!(
        matches!(&items[1], Expr::Compare(_, Op::Gt, literal) if literal.value == Lit::Num(10.0))
    );
    assert!(query.order[0].descending && !query.order[0].nulls_last);
    assert!(!query.order[1].descending && !query.order[1].nulls_last);
    assert_eq!((query.limit, query.offset), (Some(5), Some(2)));
    assert_eq!(
        parse("SELECT COUNT() FROM Lead").unwrap().select,
        Select::Count
    );
}

#[test]
fn binds_names_and_literals() {
    let plan = compile("SELECT account.name, Name FROM Contact WHERE AccountId = '001ak0000000001' AND CreatedDate > 2024-01-01T00:00:00Z").unwrap();
    assert_eq!(plan.kind.name, "Contact");
    assert!(
        matches!(plan.columns[0], Path::Parent { via, kind, field } if via.name == "AccountId" && kind.name == "Account" && field.name == "Name")
    );
    let Some(Cond::All(items)) = &plan.filter else {
        panic!("AND chain expected");
    };
    assert!(
        matches!(&items[1], Cond::Compare(_, Op::Gt, Lit::DateTime(stamp)) if stamp == "2024-01-01T00:00:00.000+0000")
    );
    let own = compile("SELECT Account.Name FROM Account").unwrap();
    assert!(matches!(own.columns[0], Path::Field(field) if field.name == "Name"));
    assert!(
        compile("SELECT Id FROM Opportunity WHERE CloseDate <= 2024-12-31 AND IsWon = TRUE")
            .is_ok()
    );
}

#[test]
fn refuses_like_salesforce() {
    let error = refused("SELECT Name, Nope__c FROM Account");
    assert_eq!(error.code, "INVALID_FIELD");
    assert!(error.message.starts_with("\nSELECT Name, Nope__c FROM Account\n             ^\nERROR at Row:1:Column:14\nNo such column 'Nope__c' on entity 'Account'."));
    let error = refused("SELECT Id,\nFoo.Name FROM Contact");
    assert!(error.message.starts_with("\nFoo.Name FROM Contact\n^\nERROR at Row:2:Column:1\nDidn't understand relationship 'Foo' in field path."));
    assert_eq!(
        refused("DELETE FROM Account").message,
        "unexpected token: DELETE"
    );
    assert_eq!(
        refused("SELECT Id FROM Account LIMIT -1").code,
        "MALFORMED_QUERY"
    );
    assert_eq!(
        refused("SELECT Id FROM Account GROUP BY Name").code,
        "MALFORMED_QUERY"
    );
    assert_eq!(
        refused("SELECT Id, Id FROM Account").message,
        "duplicate field selected: Id"
    );
    assert_eq!(
        refused("SELECT Id FROM Account OFFSET 2001").code,
        "NUMBER_OUTSIDE_VALID_RANGE"
    );
    assert_eq!(
        refused("SELECT Id FROM Account WHERE IsDeleted LIKE 'x'").code,
        "INVALID_QUERY_FILTER_OPERATOR"
    );
    assert!(
        refused("SELECT Id FROM Account WHERE Name = 5")
            .message
            .ends_with("must be of type string and should be enclosed in quotes")
    );
    assert_eq!(
        refused("SELECT Id FROM Account WHERE Name IN ()").code,
        "MALFORMED_QUERY"
    );
    assert_eq!(
        refused("SELECT Id FROM Account WHERE (Name = 'a'").code,
        "MALFORMED_QUERY"
    );
}

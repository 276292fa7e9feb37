//! The keys each kind declares are the fields of its parameter struct: what
//! the loader lets through, the step can read, and nothing else.

use serde_json::{Map, Value, json};

use super::fields::decode;
use super::{StepError, authorize, callback, jwt, keys, metadata, pkce, request, token};
use crate::keys::{KeySpec, Ty};
use crate::kind::Kind;

fn example(ty: Ty) -> Value {
    match ty {
        Ty::Str | Ty::Any => json!("x"),
        Ty::Enum(options) => json!(options[0]),
        Ty::Int { min, .. } => json!(min),
        Ty::Bool => json!(true),
        Ty::Duration => json!("1s"),
        Ty::AnyMap => json!({ "a": "b" }),
        Ty::Map(inner) => every_key(inner),
        Ty::StrList => json!(["a"]),
    }
}

fn every_key(spec: &[KeySpec]) -> Value {
    Value::Object(
        spec.iter()
            .map(|k| (k.name.to_owned(), example(k.ty)))
            .collect::<Map<String, Value>>(),
    )
}

fn decoder(kind: Kind) -> fn(Value) -> Result<(), StepError> {
    match kind {
        Kind::Pkce => |v| decode::<pkce::Params>(v).map(drop),
        Kind::Authorize => |v| decode::<authorize::Params>(v).map(drop),
        Kind::Callback => |v| decode::<callback::Params>(v).map(drop),
        Kind::Token => |v| decode::<token::Params>(v).map(drop),
        Kind::Request => |v| decode::<request::Params>(v).map(drop),
        Kind::Jwt => |v| decode::<jwt::Params>(v).map(drop),
        Kind::Metadata => |v| decode::<metadata::Params>(v).map(drop),
        Kind::Set => |v| decode::<super::set::Params>(v).map(drop),
    }
}

#[test]
fn every_declared_key_is_read_and_no_other() {
    for kind in Kind::ALL {
        let Some(spec) = keys(kind) else {
            continue;
        };
        let decode = decoder(kind);
        let all = every_key(spec);
        if let Err(e) = decode(all.clone()) {
            panic!("{kind}: the declared keys do not decode: {e}");
        }
        let mut extra = all.clone();
        if let Value::Object(map) = &mut extra {
            map.insert("not_a_key".into(), json!("x"));
        }
        assert!(
            decode(extra).is_err(),
            "{kind} reads a key it does not declare"
        );
        for k in spec.iter().filter(|k| matches!(k.ty, Ty::Map(_))) {
            let mut nested = all.clone();
            nested[k.name]["not_a_key"] = json!("x");
            assert!(
                decode(nested).is_err(),
                "{kind}.{} reads an undeclared key",
                k.name
            );
        }
        for k in spec.iter().filter(|k| k.required) {
            let mut without = all.clone();
            if let Value::Object(map) = &mut without {
                map.remove(k.name);
            }
            assert!(decode(without).is_err(), "{kind} runs without `{}`", k.name);
        }
    }
}

#[test]
fn empty_results_have_every_field_as_none() {
    for kind in Kind::ALL {
        let Value::Object(empty) = super::empty(kind) else {
            panic!("{kind}: the empty result is not a map");
        };
        assert!(empty.values().all(Value::is_null), "{kind}: {empty:?}");
    }
    let Value::Object(token) = super::empty(Kind::Token) else {
        panic!("token");
    };
    for field in token::FIELDS
        .iter()
        .chain(&["status", "headers", "json", "body"])
    {
        assert!(token.contains_key(*field), "token result lacks {field}");
    }
}

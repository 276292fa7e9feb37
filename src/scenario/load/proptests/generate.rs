//! Scenario files made from the schema table, so that most of them load and
//! the loader is tested past the first syntax error: the generator walks
//! each step kind's keys (`crate::steps::keys`) and writes values of each key's type. Some files also
//! get planted problems (a bad enum, a missing key, an undefined variable, …),
//! each in a step of its own, between the good steps.

use proptest::prelude::*;

use crate::keys::{KeySpec, Ty};

/// A YAML value to write: scalars are already YAML text.
#[derive(Debug, Clone)]
enum Y {
    S(String),
    Map(Vec<(String, Y)>),
    /// A map written in flow style (`{a: 1}`).
    Flow(Vec<(String, Y)>),
    List(Vec<Y>),
}

fn text(s: &str) -> Y {
    Y::S(serde_json::to_string(s).unwrap_or_default())
}

fn plain(s: &str) -> Y {
    Y::S(s.to_owned())
}

fn map(entries: &[(&str, Y)]) -> Y {
    Y::Map(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn flow(y: &Y) -> String {
    match y {
        Y::S(s) => s.clone(),
        Y::Map(entries) | Y::Flow(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Y::List(items) => {
            let inner: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

/// Writes `y` in block style at `indent`.
fn block(y: &Y, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match y {
        Y::Map(entries) => {
            for (k, v) in entries {
                if nested(v) {
                    out.push_str(&format!("{pad}{k}:\n"));
                    block(v, indent + 2, out);
                } else {
                    out.push_str(&format!("{pad}{k}: {}\n", flow(v)));
                }
            }
        }
        Y::List(items) => {
            for item in items {
                if nested(item) {
                    // `- first: …` then the other keys under it.
                    let mut inner = String::new();
                    block(item, indent + 2, &mut inner);
                    out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                } else {
                    out.push_str(&format!("{pad}- {}\n", flow(item)));
                }
            }
        }
        Y::S(_) | Y::Flow(_) => out.push_str(&format!("{pad}{}\n", flow(y))),
    }
}

fn nested(y: &Y) -> bool {
    match y {
        Y::Map(e) => !e.is_empty(),
        Y::List(i) => !i.is_empty(),
        Y::S(_) | Y::Flow(_) => false,
    }
}

/// Strings that are valid anywhere a template string is: every name they
/// use is defined (`vars` always has `a` and `b`).
fn template_text() -> impl Strategy<Value = Y> {
    prop_oneof![
        Just(text("text")),
        Just(text("{{ a }}")),
        Just(text("x-{{ b | urlencode }}-y")),
        Just(text("{{ org.client_id }}")),
        Just(text("{{ env.HOME is defined }}")),
        Just(plain("plain words")),
        "[a-z]{1,8}".prop_map(|s| text(&s)),
    ]
}

/// A value of type `ty` for the key `name`.
fn value(name: &'static str, ty: Ty, depth: u32) -> BoxedStrategy<Y> {
    match (name, ty) {
        ("url", _) => prop_oneof![
            Just(text("http://localhost:1/x")),
            Just(text("{{ org.login_url }}/services/data/")),
        ]
        .boxed(),
        ("listen", _) => (1024u16..65535)
            .prop_map(|p| text(&format!("http://localhost:{p}/callback")))
            .boxed(),
        ("key", _) => Just(text("{{ org.private_key }}")).boxed(),
        (_, Ty::Str) => template_text().boxed(),
        (_, Ty::Enum(options)) => proptest::sample::select(options).prop_map(plain).boxed(),
        (_, Ty::Int { min, max }) => (min..=max).prop_map(|n| plain(&n.to_string())).boxed(),
        (_, Ty::Bool) => any::<bool>().prop_map(|b| plain(&b.to_string())).boxed(),
        (_, Ty::Duration) => prop_oneof![
            Just(plain("30s")),
            Just(plain("2m")),
            Just(plain("500ms")),
            Just(text("1h")),
        ]
        .boxed(),
        (_, Ty::AnyMap) => free_map().boxed(),
        (_, Ty::Map(specs)) if depth < 3 => keys(specs, depth + 1),
        (_, Ty::Map(_)) => Just(Y::Map(Vec::new())).boxed(),
        (_, Ty::StrList) => proptest::collection::vec(template_text(), 0..3)
            .prop_map(Y::List)
            .boxed(),
        (_, Ty::Any) => prop_oneof![template_text(), Just(plain("42")), free_map()].boxed(),
    }
}

/// A map with free keys, in block or flow style.
fn free_map() -> impl Strategy<Value = Y> {
    (
        proptest::collection::vec(("[a-z_]{1,6}", template_text()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(entries, as_flow)| {
            let mut seen = std::collections::BTreeSet::new();
            let entries: Vec<(String, Y)> = entries
                .into_iter()
                .filter(|(k, _)| seen.insert(k.clone()))
                .collect();
            if as_flow {
                Y::Flow(entries)
            } else {
                Y::Map(entries)
            }
        })
}

/// A map of some of `specs` (all required ones).
fn keys(specs: &'static [KeySpec], depth: u32) -> BoxedStrategy<Y> {
    let entries: Vec<_> = specs
        .iter()
        .map(|spec| {
            (any::<bool>(), value(spec.name, spec.ty, depth)).prop_map(move |(keep, v)| {
                (keep || spec.required).then(|| (spec.name.to_owned(), v))
            })
        })
        .collect();
    entries
        .prop_map(|entries| Y::Map(entries.into_iter().flatten().collect()))
        .boxed()
}

/// The parameters of one step kind, as a valid file has them.
fn params(kind: &'static str) -> BoxedStrategy<Y> {
    let spec = crate::kind::Kind::from_name(kind).and_then(crate::steps::keys);
    match spec {
        Some(spec) => keys(spec, 0)
            .prop_map(move |y| match (kind, y) {
                // A request has one body at most.
                ("request", Y::Map(entries)) => {
                    let mut body = false;
                    Y::Map(
                        entries
                            .into_iter()
                            .filter(|(k, _)| {
                                let is_body = matches!(k.as_str(), "json" | "form" | "body");
                                let keep = !(is_body && body);
                                body |= is_body;
                                keep
                            })
                            .collect(),
                    )
                }
                (_, y) => y,
            })
            .boxed(),
        // `set` defines variables.
        None => proptest::collection::btree_map("v[0-9]", template_text(), 1..3)
            .prop_map(|m| Y::Map(m.into_iter().collect()))
            .boxed(),
    }
}

fn expect() -> impl Strategy<Value = Y> {
    let status = prop_oneof![
        Just(plain("200")),
        Just(Y::List(vec![plain("200"), plain("201")])),
        Just(text("{{ a }}")),
    ];
    let json = prop_oneof![
        Just(map(&[("token_type", plain("Bearer"))])),
        Just(map(&[("a.b", map(&[("exists", plain("true"))]))])),
        Just(map(&[(
            "scope",
            Y::Flow(vec![("contains".into(), plain("api"))])
        )])),
        Just(map(&[("id", map(&[("matches", text("^00D"))]))])),
        Just(map(&[(
            "n",
            map(&[("one_of", Y::List(vec![plain("1"), plain("2")]))])
        )])),
    ];
    // Every kind's result is a map; which fields it has depends on the kind.
    let that = Just(Y::List(vec![text("result is mapping")]));
    (
        proptest::option::of(status),
        proptest::option::of(json),
        proptest::option::of(that),
    )
        .prop_map(|(status, json, that)| {
            let entries: Vec<(String, Y)> = [("status", status), ("json", json), ("that", that)]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                .collect();
            Y::Map(entries)
        })
}

/// A valid step of any kind, with or without a name and an expectation.
fn step() -> impl Strategy<Value = Y> {
    let kind = proptest::sample::select(
        crate::kind::Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>(),
    );
    kind.prop_flat_map(|kind| {
        (
            params(kind),
            proptest::option::of(template_text()),
            proptest::option::of(expect()),
        )
            .prop_map(move |(params, name, expect)| {
                let mut entries = Vec::new();
                if let Some(name) = name {
                    entries.push(("name".to_owned(), name));
                }
                entries.push((kind.to_owned(), params));
                if let Some(expect) = expect {
                    entries.push(("expect".to_owned(), expect));
                }
                Y::Map(entries)
            })
    })
}

/// A problem planted in a file: what it is, and the step(s) that hold it.
fn planted() -> impl Strategy<Value = (&'static str, Vec<Y>)> {
    let set = |k: &str, v: Y| map(&[("set", map(&[(k, v)]))]);
    let one = |what: &'static str, step: Y| Just((what, vec![step]));
    prop_oneof![
        one(
            "a bad enum",
            map(&[("pkce", map(&[("method", plain("S512"))]))])
        ),
        one(
            "an integer out of range",
            map(&[("pkce", map(&[("length", plain("200"))]))])
        ),
        one(
            "a bad duration",
            map(&[(
                "callback",
                map(&[
                    ("listen", text("http://localhost:8000/cb")),
                    ("timeout", plain("soon"))
                ])
            )])
        ),
        one(
            "a missing required key",
            map(&[("request", Y::Flow(Vec::new()))])
        ),
        one(
            "a listener off loopback",
            map(&[(
                "callback",
                map(&[("listen", text("http://example.com:8000/cb"))])
            )])
        ),
        one(
            "an unknown step key",
            map(&[("pkce", Y::Flow(Vec::new())), ("expct", plain("1"))])
        ),
        one(
            "two kinds",
            map(&[
                ("pkce", Y::Flow(Vec::new())),
                ("set", map(&[("v", plain("1"))]))
            ])
        ),
        one("no kind", map(&[("name", text("nothing to do"))])),
        one("an undefined variable", set("v", text("{{ nope }}"))),
        one("an unknown filter", set("v", text("{{ a | nofilter }}"))),
        one("a reserved name", set("org", plain("1"))),
        one(
            "a bad regular expression",
            map(&[
                ("set", map(&[("v", plain("1"))])),
                (
                    "expect",
                    map(&[("json", map(&[("v", map(&[("matches", text("("))]))]))])
                ),
            ])
        ),
        one(
            "a bad status",
            map(&[
                ("set", map(&[("v", plain("1"))])),
                ("expect", map(&[("status", plain("700"))]))
            ])
        ),
        one(
            "json beside form",
            map(&[(
                "request",
                map(&[
                    ("url", text("http://localhost:1/")),
                    ("json", Y::Flow(Vec::new())),
                    ("form", Y::Flow(Vec::new())),
                ])
            )])
        ),
        Just((
            "a step id used twice",
            vec![
                map(&[("id", plain("twice")), ("pkce", Y::Flow(Vec::new()))]),
                map(&[("id", plain("twice")), ("pkce", Y::Flow(Vec::new()))]),
            ]
        )),
    ]
}

/// A generated file: its text, and each planted problem with the lines of
/// the steps that hold it.
#[derive(Debug, Clone)]
pub struct Generated {
    pub text: String,
    pub planted: Vec<(&'static str, std::ops::RangeInclusive<u64>)>,
}

pub fn generated() -> impl Strategy<Value = Generated> {
    let head = (
        template_text(),
        proptest::option::of(template_text()),
        any::<bool>(),
        any::<bool>(),
    );
    let problems = proptest::collection::vec((any::<prop::sample::Index>(), planted()), 0..3);
    (head, proptest::collection::vec(step(), 1..6), problems).prop_map(
        |((name, description, secrets, mock), good, problems)| {
            let mut top = vec![("name".to_owned(), name)];
            if let Some(d) = description {
                top.push(("description".to_owned(), d));
            }
            top.push((
                "vars".to_owned(),
                map(&[("a", text("one")), ("b", text("{{ a }}-two"))]),
            ));
            if secrets {
                top.push(("secrets".to_owned(), Y::List(vec![plain("a")])));
            }
            if mock {
                top.push((
                    "mock".to_owned(),
                    map(&[("query_batch_size", plain("100"))]),
                ));
            }
            let mut text = String::new();
            block(&Y::Map(top), 0, &mut text);
            text.push_str("steps:\n");
            // Planted steps go between good ones, at positions the strategy picks.
            let mut groups: Vec<(Option<&'static str>, Vec<Y>)> =
                good.into_iter().map(|s| (None, vec![s])).collect();
            for (at, (what, steps)) in problems {
                groups.insert(at.index(groups.len() + 1), (Some(what), steps));
            }
            let mut planted = Vec::new();
            for (what, steps) in groups {
                let first = text.lines().count() as u64 + 1;
                block(&Y::List(steps), 2, &mut text);
                let last = text.lines().count() as u64;
                if let Some(what) = what {
                    planted.push((what, first..=last));
                }
            }
            Generated { text, planted }
        },
    )
}

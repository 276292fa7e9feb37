//! Walks over every string of a step log, for the passes that rewrite
//! values before rendering (secrets, terminal control characters).
//!
//! The walks destructure every log type whole, so a field added to the log
//! does not compile until it is walked here too.

use serde_json::Value;

use super::{Body, Check, Exchange, Hint, HttpRequest, HttpResponse, ScenarioLog, StepLog};

/// Calls `f` on every string of a log.
pub type Visit<'a> = dyn FnMut(&mut String) + 'a;

pub fn scenario_strings(log: &mut ScenarioLog, f: &mut Visit<'_>) {
    let ScenarioLog {
        file,
        name,
        description,
        target,
        login_url,
        vars,
        status: _,
        duration_ms: _,
        steps,
        error,
        skipped,
    } = log;
    for s in [file, name, target, login_url] {
        f(s);
    }
    for s in [description, error, skipped].into_iter().flatten() {
        f(s);
    }
    for v in vars.values_mut() {
        json(v, f);
    }
    for s in steps {
        step_strings(s, f);
    }
}

pub fn step_strings(step: &mut StepLog, f: &mut Visit<'_>) {
    let StepLog {
        index: _,
        id,
        name,
        kind: _,
        doc,
        location: _,
        status: _,
        duration_ms: _,
        inputs,
        exchanges,
        result,
        checks,
        error,
        hint,
    } = step;
    f(name);
    for s in [id, doc, error].into_iter().flatten() {
        f(s);
    }
    if let Some(h) = hint {
        self::hint(h, f);
    }
    json(inputs, f);
    json(result, f);
    for e in exchanges {
        exchange(e, f);
    }
    for c in checks {
        let Check {
            subject,
            expected,
            actual,
            passed: _,
        } = c;
        for s in [subject, expected, actual] {
            f(s);
        }
    }
}

fn hint(hint: &mut Hint, f: &mut Visit<'_>) {
    let Hint {
        id,
        error,
        meaning,
        causes,
        fix,
        exact: _,
        sources,
    } = hint;
    for s in [id, error, meaning, fix] {
        f(s);
    }
    causes.iter_mut().chain(sources.iter_mut()).for_each(f);
}

fn exchange(e: &mut Exchange, f: &mut Visit<'_>) {
    let Exchange {
        from: _,
        to: _,
        role: _,
        request,
        response,
        error,
    } = e;
    let HttpRequest {
        method,
        url,
        headers,
        body,
    } = request;
    f(method);
    f(url);
    pairs(headers, f);
    if let Some(b) = body {
        self::body(b, f);
    }
    if let Some(HttpResponse {
        status: _,
        headers,
        body,
    }) = response
    {
        pairs(headers, f);
        if let Some(b) = body {
            self::body(b, f);
        }
    }
    if let Some(s) = error {
        f(s);
    }
}

fn pairs(pairs: &mut [(String, String)], f: &mut Visit<'_>) {
    for (name, value) in pairs {
        f(name);
        f(value);
    }
}

fn body(body: &mut Body, f: &mut Visit<'_>) {
    match body {
        Body::Form(fields) => pairs(fields, f),
        Body::Json(v) => json(v, f),
        Body::Text(s) => f(s),
    }
}

fn json(value: &mut Value, f: &mut Visit<'_>) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| json(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| json(v, f)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

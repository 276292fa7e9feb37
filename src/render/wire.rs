//! Exchanges in a walkthrough: the protocol's requests shown whole (bodies
//! trimmed, SOAP envelopes collapsed), the login host's pages and forms
//! folded into one "the user logs in and approves" paragraph, and a
//! redirect's URL broken at its parameters with what each carries.

use serde_json::Value;

use crate::log::{Body, Exchange, HttpResponse, StepLog};

use super::exchange::{body_json, header, path_of, status_line};
use super::label;
use super::page::{LINE_MAX, Page, code, text as prose};
use super::section::html_title;

/// Request headers left out of the walkthrough: transport noise.
const NOISY_HEADERS: [&str; 7] = [
    "user-agent",
    "accept-encoding",
    "host",
    "content-length",
    "connection",
    "date",
    "transfer-encoding",
];

/// The step's exchanges in order: runs of the person's pages as one
/// paragraph each, the rest one by one.
pub(super) fn exchanges(page: &mut Page, step: &StepLog, on_mock: bool) {
    for run in label::runs(&step.exchanges) {
        if label::acts(run) {
            person(page, run, on_mock);
        } else {
            // A page that only refused, or a protocol message: shown as it is.
            run.iter().for_each(|ex| exchange(page, ex));
        }
    }
}

/// What the person did on the login host's pages, in the reader's terms,
/// with the requests themselves collapsed; then the redirect that ends it.
fn person(page: &mut Page, run: &[Exchange], on_mock: bool) {
    let form = |name: &str| {
        run.iter().find_map(|ex| match &ex.request.body {
            Some(Body::Form(fields)) => fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone()),
            _ => None,
        })
    };
    let relays_fragment = run.iter().all(|ex| ex.request.method == "POST")
        && run
            .iter()
            .all(|ex| matches!(ex.request.body, Some(Body::Text(_))));
    let sentence = if relays_fragment {
        "The callback page's script posts the URL fragment, which the browser never sends to a \
         server, back to the listener."
            .to_owned()
    } else {
        let who = form("username")
            .map(|u| format!(" as {}", code(&u)))
            .unwrap_or_default();
        let code_entered = form("user_code")
            .map(|c| format!(", enters the code {}", code(&c)))
            .unwrap_or_default();
        let decision = match form("decision")
            .or_else(|| form("oauth_decision"))
            .as_deref()
        {
            Some(d) if d.eq_ignore_ascii_case("deny") => "denies access",
            _ => "approves the app",
        };
        format!("The user logs in{who}{code_entered} and {decision}.")
    };
    page.para(&sentence);
    let pages: Vec<String> = run
        .iter()
        .filter_map(|ex| ex.response.as_ref()?.body.as_ref())
        .filter_map(|b| match b {
            Body::Text(t) => html_title(t).map(str::to_owned),
            _ => None,
        })
        .collect();
    let place = if on_mock {
        "On the mock org"
    } else {
        "In the browser"
    };
    let count = if run.len() == 1 {
        "request"
    } else {
        "requests"
    };
    let titles = if pages.is_empty() {
        String::new()
    } else {
        format!(": {}", pages.join(", "))
    };
    let mut inner = Page::new();
    for ex in run {
        exchange(&mut inner, ex);
    }
    page.details(&format!("{place}, {} {count}{titles}", run.len()), inner);
    if let Some(location) = run
        .last()
        .and_then(|ex| ex.response.as_ref())
        .and_then(|r| header(&r.headers, "location"))
    {
        redirect(page, location);
    }
}

/// Where the login host sends the browser, broken at its parameters, and
/// what each parameter carries.
pub(super) fn redirect(page: &mut Page, location: &str) {
    page.para("Salesforce redirects the browser to the callback:");
    page.fence("", &broken_url(location));
    let (params, in_fragment) = match location.split_once('#') {
        Some((_, fragment)) => (fragment, true),
        None => (location.split_once('?').map_or("", |(_, q)| q), false),
    };
    let rows: Vec<Vec<String>> = form_urlencoded::parse(params.as_bytes())
        .map(|(k, v)| vec![code(&k), code(&v), carried(&k, in_fragment).to_owned()])
        .collect();
    page.table(&["Parameter", "Value", "What it is"], &rows);
}

fn carried(name: &str, in_fragment: bool) -> &'static str {
    match name {
        "code" => "The authorization code: exchanged once, within 15 minutes, for tokens",
        "state" => "The value sent with the request, returned to prove the answer is for it",
        "error" => "Why Salesforce refused",
        "error_description" => "The refusal in words",
        "access_token" if in_fragment => "The access token itself: the point of this flow",
        _ => super::markdown::field_description(name),
    }
}

/// A URL with each parameter on its own line, so that no line is long.
pub(super) fn broken_url(url: &str) -> String {
    broken_url_within(url, LINE_MAX)
}

/// [`broken_url`] for a URL that must fit in `max` characters.
fn broken_url_within(url: &str, max: usize) -> String {
    if url.chars().count() <= max {
        return url.to_owned();
    }
    let (base, rest, mark) = match (url.find('?'), url.find('#')) {
        (Some(q), f) if f.is_none_or(|f| q < f) => (&url[..q], &url[q + 1..], '?'),
        (_, Some(f)) => (&url[..f], &url[f + 1..], '#'),
        _ => return url.to_owned(),
    };
    let mut lines = vec![base.to_owned()];
    let mut first = mark;
    for part in rest.split('&') {
        // A fragment after the query starts its own line too.
        if let Some((query_part, fragment)) = part.split_once('#') {
            lines.push(format!("  {first}{query_part}"));
            lines.push(format!("  #{fragment}"));
        } else {
            lines.push(format!("  {first}{part}"));
        }
        first = '&';
    }
    lines.join("\n")
}

/// One exchange: request line and headers, body, status, redirect, body.
pub(super) fn exchange(page: &mut Page, ex: &Exchange) {
    let req = &ex.request;
    page.heading(3, &format!("{} {}", req.method, code(path_of(&req.url))));
    let line = format!("{} {}", req.method, req.url);
    let mut head = if line.chars().count() > LINE_MAX {
        let room = LINE_MAX - req.method.len() - 1;
        vec![format!(
            "{} {}",
            req.method,
            broken_url_within(&req.url, room)
        )]
    } else {
        vec![line]
    };
    head.extend(
        req.headers
            .iter()
            .filter(|(n, _)| !NOISY_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
            .map(|(n, v)| format!("{n}: {v}")),
    );
    page.fence("http", &head.join("\n"));
    let soap = is_soap(&req.headers);
    match &req.body {
        Some(body @ Body::Form(_)) => page.json("Form payload", &body_json(body)),
        Some(body @ Body::Json(_)) => page.json("JSON body", &body_json(body)),
        Some(Body::Text(text)) if soap => collapsed(page, "The SOAP request", "xml", text),
        Some(Body::Text(text)) if !text.is_empty() => page.body("Body", "text", text),
        _ => {}
    }
    match &ex.response {
        Some(resp) => response(page, resp, soap),
        None => transport_error(page, ex),
    }
}

fn is_soap(headers: &[(String, String)]) -> bool {
    header(headers, "soapaction").is_some()
        || header(headers, "content-type").is_some_and(|ct| ct.contains("xml"))
}

/// Raw text in a collapsed block, for what the page already shows parsed.
fn collapsed(page: &mut Page, summary: &str, lang: &str, text: &str) {
    let mut inner = Page::new();
    inner.fence(lang, text);
    page.details(
        &format!("{summary} ({} lines)", text.lines().count()),
        inner,
    );
}

fn response(page: &mut Page, resp: &HttpResponse, soap: bool) {
    page.para(&format!("Status: {}", code(&status_line(resp.status))));
    if let Some(location) = header(&resp.headers, "location") {
        page.labelled("Location", "", &broken_url(location));
    }
    match &resp.body {
        Some(Body::Text(text)) if !text.is_empty() => {
            let lang = text_language(header(&resp.headers, "content-type").unwrap_or(""));
            if lang == "html" {
                // A page is for the browser; the walkthrough names it.
                let title = html_title(text)
                    .map(|t| format!(" *{}*", prose(t)))
                    .unwrap_or_default();
                page.para(&format!(
                    "The response is an HTML page{title} ({} lines).",
                    text.lines().count()
                ));
            } else if soap && lang == "xml" {
                collapsed(page, "The SOAP response", "xml", text);
            } else {
                page.body("Response body", lang, text);
            }
        }
        Some(body @ (Body::Json(_) | Body::Form(_))) => {
            page.json("Response body", &body_json(body));
        }
        _ => {}
    }
}

fn text_language(content_type: &str) -> &'static str {
    let ct = content_type.to_ascii_lowercase();
    ["json", "html", "xml"]
        .into_iter()
        .find(|lang| ct.contains(lang))
        .unwrap_or("text")
}

pub(super) fn transport_error(page: &mut Page, ex: &Exchange) {
    let error = ex.error.as_deref().unwrap_or("no response");
    page.para(&format!("No response: {}", code(error)));
}

/// An HTML page held in a result as a string: named by its title.
pub(super) fn page_value(value: &Value) -> Option<String> {
    let text = value.as_str()?;
    let lower = text.trim_start().get(..15)?.to_ascii_lowercase();
    if !(lower.starts_with("<!doctype html") || lower.starts_with("<html")) {
        return None;
    }
    let title = html_title(text).unwrap_or("untitled");
    Some(format!(
        "(an HTML page: {title}, {} lines)",
        text.lines().count()
    ))
}

#[cfg(test)]
mod tests {
    use super::broken_url;

    #[test]
    fn long_urls_break_at_their_parameters() {
        let url = format!("https://h/p?a=1&b={}#c=3&d=4", "x".repeat(200));
        let broken = broken_url(&url);
        assert_eq!(
            broken,
            format!(
                "https://h/p\n  ?a=1\n  &b={}\n  #c=3\n  &d=4",
                "x".repeat(200)
            )
        );
        assert_eq!(broken_url("https://h/p?a=1"), "https://h/p?a=1");
    }
}

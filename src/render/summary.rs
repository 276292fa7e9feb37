//! The walkthrough's closing numbered summary: each step in a few words,
//! what the user did, what was sent and what came back.

use serde_json::Value;

use crate::log::{Kind, ScenarioLog, Status, StepLog};

use super::exchange::path_of;
use super::label;
use super::page::{Page, code, text as prose};

pub(super) fn summary(page: &mut Page, log: &ScenarioLog) {
    page.heading(1, "Summary Flow Diagram");
    let mut lines = vec![format!("1. Flow Started against {}", code(&log.login_url))];
    lines.extend(log.steps.iter().map(summary_line));
    page.para(&lines.join("\n"));
}

fn summary_line(step: &StepLog) -> String {
    let n = step.index + 1;
    match step.status {
        Status::Skipped => return format!("{n}. {} (skipped)", prose(&step.name)),
        Status::Failed => {
            let reason = step.error.as_deref().unwrap_or("the step failed");
            let what = what_it_did(step)
                .map(|w| format!(" — {w}"))
                .unwrap_or_default();
            return format!(
                "{n}. ✗ {}{what} — failed: {}",
                prose(&step.name),
                prose(&super::page::shorten(reason, 100))
            );
        }
        Status::Passed => {}
    }
    let name = prose(&step.name);
    match what_it_did(step) {
        Some(what) => format!("{n}. {name} — {what}"),
        None => format!("{n}. {name}"),
    }
}

/// What a step did, in a few words: what the user did, what was sent and
/// what came back.
fn what_it_did(step: &StepLog) -> Option<String> {
    if !step.exchanges.is_empty() {
        let protocol = step
            .exchanges
            .iter()
            .filter(|e| e.role == crate::log::Role::Protocol);
        return Some(match step.kind {
            Kind::Authorize => {
                let answer = step.exchanges.last().map(label::response);
                match answer {
                    Some(a) if a.contains('→') => format!(
                        "the user logs in and approves; Salesforce redirects with {}",
                        code(a.split('→').nth(1).unwrap_or_default().trim())
                    ),
                    Some(a) => format!("the authorization request is answered {}", code(&a)),
                    None => "the browser is sent to the login host".to_owned(),
                }
            }
            Kind::Callback => {
                let keys = step.result.as_object().map(|m| {
                    m.iter()
                        .filter(|(k, v)| k.as_str() != "params" && !v.is_null())
                        .map(|(k, _)| code(k))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                match keys.filter(|k| !k.is_empty()) {
                    Some(keys) => format!("the listener receives {keys}"),
                    None => "the listener receives the redirect".to_owned(),
                }
            }
            _ => {
                let mut briefs: Vec<String> = protocol
                    .map(|e| {
                        format!(
                            "{} {} → {}",
                            e.request.method,
                            code(path_of(&e.request.url)),
                            label::response(e)
                        )
                    })
                    .collect();
                if briefs.len() > 3 {
                    let n = briefs.len();
                    let last = briefs.pop().unwrap_or_default();
                    briefs.truncate(1);
                    briefs.push(format!("… {} more …", n - 2));
                    briefs.push(last);
                }
                briefs.join(", ")
            }
        });
    }
    let text = |key: &str| {
        step.result
            .get(key)
            .or_else(|| step.inputs.get(key))
            .and_then(Value::as_str)
    };
    match step.kind {
        Kind::Pkce => Some(format!(
            "generate `code_verifier` and `code_challenge` ({})",
            text("code_challenge_method")
                .or_else(|| text("method"))
                .unwrap_or("S256")
        )),
        Kind::Authorize => text("url").map(|u| format!("send the browser to {}", code(path_of(u)))),
        Kind::Callback => {
            text("listen").map(|u| format!("wait for the redirect on {}", code(path_of(u))))
        }
        Kind::Jwt => Some("sign a JWT bearer assertion".to_owned()),
        Kind::Set => step.result.as_object().map(|m| {
            let names: Vec<String> = m.keys().map(|k| code(k)).collect();
            format!("set {}", names.join(", "))
        }),
        // HTTP steps are told by their exchanges; without one they did nothing.
        Kind::Token | Kind::Request | Kind::Metadata => None,
    }
}

//! The page a walk failed on: masked, photographed and saved as HTML.

use super::page::MASK;
use super::*;

/// A WebDriver error in one line.
pub(super) fn webdriver_error(e: &CmdError) -> String {
    match e {
        CmdError::Standard(w) => w.message.lines().next().unwrap_or_default().to_owned(),
        other => other.to_string(),
    }
}

/// The failed page, masked, then photographed and saved as HTML; each part
/// that cannot be had in time is left out.
pub(super) async fn capture(client: &Client, secrets: &[String]) -> Captured {
    let secrets: Vec<Value> = secrets.iter().map(|s| json!(s)).collect();
    let masked = matches!(
        tokio::time::timeout(CAPTURE, client.execute(MASK, vec![Value::Array(secrets)])).await,
        Ok(Ok(_))
    );
    let url = match tokio::time::timeout(CAPTURE, client.current_url()).await {
        Ok(Ok(u)) => u.to_string(),
        _ => String::new(),
    };
    let title = match tokio::time::timeout(CAPTURE, client.title()).await {
        Ok(Ok(t)) => t,
        _ => String::new(),
    };
    // Without the mask, nothing of the page is kept: it may show a secret.
    if !masked {
        return Captured {
            url,
            title,
            ..Captured::default()
        };
    }
    let text = match tokio::time::timeout(CAPTURE, client.execute(TEXT, Vec::new())).await {
        Ok(Ok(Value::String(text))) => text,
        _ => String::new(),
    };
    let screenshot = match tokio::time::timeout(CAPTURE, client.screenshot()).await {
        Ok(Ok(png)) => Some(png),
        _ => None,
    };
    let html = match tokio::time::timeout(CAPTURE, client.source()).await {
        Ok(Ok(html)) => Some(html),
        _ => None,
    };
    Captured {
        url,
        title,
        text,
        screenshot,
        html,
    }
}

/// The page's visible text (read after [`MASK`]).
pub(super) const TEXT: &str = "return document.body ? document.body.innerText.slice(0, 2000) : '';";

//! The listener over real loopback HTTP.

use std::time::Duration;

use reqwest::StatusCode;

use super::{Listener, ListenerOptions};

const STATE: &str = "s3nt-state";

async fn listener(state: Option<&str>) -> (Listener, String) {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = socket.local_addr().expect("an address").port();
    let uri = format!("http://127.0.0.1:{port}/callback");
    let options = ListenerOptions::expecting(state.map(str::to_owned));
    let listener = Listener::bind(&uri, Some(socket), options)
        .await
        .expect("the listener binds");
    (listener, uri)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// Nothing was delivered: every request above was answered, and a
/// delivery is handed over before its answer.
async fn nothing_delivered(listener: &mut Listener) {
    assert!(listener.wait(Duration::ZERO).await.is_none());
}

#[tokio::test]
async fn a_redirect_without_the_sent_state_is_refused_and_the_real_one_still_passes() {
    let (mut listener, uri) = listener(Some(STATE)).await;
    let http = client();
    for forged in [
        "?code=forged-code",
        "?code=forged-code&state=other",
        "?code=forged-code&state=",
        "?code=forged-code&state=s3nt-state-and-more",
        "?error=access_denied",
    ] {
        let page = http.get(format!("{uri}{forged}")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{forged}");
        assert!(page.text().await.unwrap().contains("State mismatch"));
    }
    nothing_delivered(&mut listener).await;
    assert_eq!(listener.rejected(), 5);
    let genuine = format!("{uri}?code=genuine-code&state={STATE}");
    let page = http.get(genuine).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let delivery = listener.wait(Duration::from_secs(30)).await.unwrap();
    let code = delivery.params.iter().find(|(k, _)| k == "code");
    assert_eq!(code.map(|(_, v)| v.as_str()), Some("genuine-code"));
    // The refused requests are in the step log, answered 400.
    let statuses: Vec<u16> = delivery
        .exchanges
        .iter()
        .filter_map(|e| e.response.as_ref().map(|r| r.status))
        .collect();
    assert_eq!(statuses, [400, 400, 400, 400, 400, 200]);
}

#[tokio::test]
async fn without_a_sent_state_the_first_redirect_is_taken() {
    let (mut listener, uri) = listener(None).await;
    let page = client()
        .get(format!("{uri}?code=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(listener.wait(Duration::from_secs(30)).await.is_some());
    assert_eq!(listener.rejected(), 0);
}

#[tokio::test]
async fn only_the_relay_pages_form_post_is_taken() {
    let (mut listener, uri) = listener(Some(STATE)).await;
    let http = client();
    let fragment = format!("access_token=tok3n-value&state={STATE}");
    let boundary = "multipart/form-data; boundary=x";
    let multipart = format!(
        "--x\r\nContent-Disposition: form-data; name=\"state\"\r\n\r\n{STATE}\r\n--x--\r\n"
    );
    let refused = [
        (
            "text/plain",
            fragment.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "text/plain;charset=UTF-8",
            fragment.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (boundary, multipart, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            "application/json",
            format!("{{\"state\":\"{STATE}\"}}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("", fragment.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ];
    for (content_type, body, status) in refused {
        let mut post = http.post(&uri).body(body);
        if !content_type.is_empty() {
            post = post.header("content-type", content_type);
        }
        let answer = post.send().await.unwrap();
        assert_eq!(answer.status(), status, "{content_type}");
    }
    let form = "application/x-www-form-urlencoded";
    // Another path, a query on the relay's path, another site's page.
    let base = uri.trim_end_matches("/callback");
    let elsewhere = [
        (format!("{base}/other"), None, StatusCode::NOT_FOUND),
        (format!("{uri}?x=1"), None, StatusCode::METHOD_NOT_ALLOWED),
        (
            uri.clone(),
            Some("https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
        (
            uri.clone(),
            Some("http://127.0.0.1:1"),
            StatusCode::FORBIDDEN,
        ),
        (uri.clone(), Some("null"), StatusCode::FORBIDDEN),
    ];
    for (url, origin, status) in elsewhere {
        let mut post = http
            .post(&url)
            .header("content-type", form)
            .body(fragment.clone());
        if let Some(origin) = origin {
            post = post.header("origin", origin);
        }
        assert_eq!(
            post.send().await.unwrap().status(),
            status,
            "{url} {origin:?}"
        );
    }
    let put = http
        .put(&uri)
        .header("content-type", form)
        .body(fragment.clone());
    let answer = put.send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers()["allow"], "GET, POST");
    nothing_delivered(&mut listener).await;
    assert_eq!(listener.rejected(), 0, "refused before the state is read");
    // The relay page's own request, as its script sends it.
    let origin = uri.trim_end_matches("/callback").to_owned();
    let relay = http
        .post(&uri)
        .header("content-type", form)
        .header("origin", origin)
        .body(fragment);
    assert_eq!(relay.send().await.unwrap().status(), StatusCode::OK);
    let delivery = listener.wait(Duration::from_secs(30)).await.unwrap();
    assert!(
        delivery
            .params
            .iter()
            .any(|(k, v)| k == "access_token" && v == "tok3n-value")
    );
}

use std::time::Duration;

use super::{AuthCode, DeviceGrant, DeviceStatus, MockState, Session, Store};
use crate::clock::{Clock, LOGICAL_START_MS};
use crate::mock::config::MockConfig;
use crate::mock::oauth::issue::{Issue, TokenSet, issue};

const BASE: &str = "http://127.0.0.1:1";

fn mock(clock: &Clock, max_tokens: usize) -> MockState {
    MockState::new(MockConfig::default(), Some(1), clock.clone(), max_tokens)
}

/// An access token and a refresh token, as the web server flow issues them.
fn tokens(state: &MockState) -> TokenSet {
    let app = &state.config.connected_app;
    let user = &state.users()[0].id;
    let scopes = ["api".to_string(), "refresh_token".to_string()];
    issue(
        state,
        &Issue::new(app, user, &scopes, BASE).interactive(None),
    )
}

fn refresh_live(state: &MockState, token: Option<&str>) -> bool {
    let now = state.now_ms();
    let token = token.expect("a refresh token");
    let store = state.store();
    store
        .refresh_tokens
        .get(token)
        .is_some_and(|g| g.is_live(now))
}

/// One of each thing that expires, on the mock's own lifetimes.
fn hand_out_the_rest(state: &MockState) {
    let now = state.now_ms();
    let user_id = state.users()[0].id.clone();
    let mut store = state.store();
    let code = AuthCode {
        client_id: "app".into(),
        redirect_uri: "http://localhost/cb".into(),
        user_id: user_id.clone(),
        scopes: vec!["api".into()],
        challenge: None,
        nonce: None,
        expires_ms: now + 15 * 60 * 1000,
        used: false,
    };
    store.codes.insert("code-1".into(), code);
    let expires_ms = now + 60 * 1000;
    store.sessions.insert(
        "sid-1".into(),
        Session {
            user_id,
            expires_ms,
        },
    );
    let device = DeviceGrant {
        client_id: "app".into(),
        user_code: "ABCD-EFGH".into(),
        scopes: vec!["api".into()],
        expires_ms: now + 10 * 60 * 1000,
        interval: Duration::from_secs(5),
        last_poll: None,
        status: DeviceStatus::Pending,
    };
    store.devices.insert("device-1".into(), device);
}

fn sizes(state: &MockState) -> [usize; 5] {
    let store = state.store();
    [
        store.codes.len(),
        store.access_tokens.len(),
        store.refresh_tokens.len(),
        store.sessions.len(),
        store.devices.len(),
    ]
}

#[test]
fn expired_codes_tokens_sessions_and_device_codes_are_purged() {
    let clock = Clock::manual(LOGICAL_START_MS);
    let state = mock(&clock, 100);
    let set = tokens(&state);
    hand_out_the_rest(&state);
    assert_eq!(sizes(&state), [1, 1, 1, 1, 1]);
    // A purge is due a minute after the last; nothing has expired yet.
    clock.advance(Store::PURGE_EVERY);
    assert_eq!(sizes(&state), [1, 1, 1, 0, 1], "the 1-minute session");
    // Two hours on: the code (15 min), the device code (10 min) and the
    // access token (2 h) have expired. The refresh token's `infinite`
    // policy keeps it.
    clock.advance(Duration::from_secs(2 * 60 * 60));
    assert_eq!(sizes(&state), [0, 0, 1, 0, 0]);
    assert!(state.session(&set.access_token).is_none());
    assert!(refresh_live(&state, set.refresh_token.as_deref()));
}

#[test]
fn an_expired_token_is_refused_before_it_is_purged() {
    let clock = Clock::manual(LOGICAL_START_MS);
    let state = mock(&clock, 100);
    let set = tokens(&state);
    clock.advance(Duration::from_secs(2 * 60 * 60));
    assert!(state.session(&set.access_token).is_none());
}

#[test]
fn at_the_cap_the_oldest_tokens_are_forgotten_first() {
    let clock = Clock::manual(LOGICAL_START_MS);
    let state = mock(&clock, 3);
    let sets: Vec<TokenSet> = (0..5).map(|_| tokens(&state)).collect();
    let live: Vec<bool> = sets
        .iter()
        .map(|set| state.session(&set.access_token).is_some())
        .collect();
    assert_eq!(live, [false, false, true, true, true]);
    // Refresh tokens that never expire are held to the cap too.
    let refresh: Vec<bool> = sets
        .iter()
        .map(|set| refresh_live(&state, set.refresh_token.as_deref()))
        .collect();
    assert_eq!(refresh, [false, false, true, true, true]);
    assert_eq!(sizes(&state), [0, 3, 3, 0, 0]);
}

#[test]
fn the_mock_reads_its_clock_for_issued_at() {
    let clock = Clock::manual(LOGICAL_START_MS);
    let state = mock(&clock, 10);
    assert_eq!(tokens(&state).issued_at, LOGICAL_START_MS.to_string());
    clock.advance(Duration::from_millis(5));
    assert_eq!(tokens(&state).issued_at, (LOGICAL_START_MS + 5).to_string());
}

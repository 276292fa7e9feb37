//! What a walkthrough tells about its flow besides the run itself: when to
//! use it, what to set on the Connected App or External Client App, and
//! what to keep safe. Written once per flow; the page picks the flows its
//! run went through (see [`super::flow`]). Setting names are the ones in
//! Setup, with the app metadata field in parentheses.

use super::flow::{Flow, Flows};

/// When to use the flow, and Salesforce's advice against it where it gives one.
pub(super) fn when(flow: Flow, flows: &Flows) -> (&'static str, Option<&'static str>) {
    match flow {
        Flow::WebServer if flows.pkce => (
            "An app that can open a browser and receive a redirect — a web, desktop or \
             command-line app — acting for a user who logs in on Salesforce. With PKCE it is \
             the flow Salesforce recommends for apps that cannot keep a secret, and an \
             extra guard for those that can.",
            None,
        ),
        Flow::WebServer => (
            "A server-side web app that can keep the consumer secret, acting for a user who \
             logs in on Salesforce and is redirected back with a code.",
            Some(
                "Add PKCE: it costs one step and stops a stolen code from being exchanged. \
                 External Client Apps require it by default.",
            ),
        ),
        Flow::UserAgent => (
            "A browser-only app that cannot keep a secret and cannot make the token \
             request itself; the tokens come back in the redirect's fragment.",
            Some(
                "Salesforce advises the web server flow with PKCE instead: tokens in a URL \
                 end up in browser history and logs. Orgs can block this flow \
                 (*Allow OAuth User-Agent Flows*).",
            ),
        ),
        Flow::Device => (
            "A device with no browser or keyboard (a TV, a CLI on a remote server): it \
             shows a code, the user approves on another device, and the device polls for \
             the token.",
            None,
        ),
        Flow::UsernamePassword => (
            "Only for a trusted legacy integration that cannot use another flow.",
            Some(
                "Salesforce blocks it in new orgs (*Allow OAuth Username-Password Flows* is \
                 off) and External Client Apps never support it: the app handles the \
                 user's password, and MFA cannot apply. Use the JWT bearer or client \
                 credentials flow for integrations.",
            ),
        ),
        Flow::JwtBearer => (
            "A server-to-server integration that acts as a pre-authorized user without a \
             login: the app signs a JWT with its private key and Salesforce checks it \
             against the app's certificate.",
            None,
        ),
        Flow::ClientCredentials => (
            "A server-to-server integration that acts as one integration user chosen on \
             the app (the run-as user), with only the consumer key and secret.",
            None,
        ),
        Flow::RefreshToken => (
            "Whenever an access token expires: the app trades the refresh token it got \
             from an interactive flow for a new access token, without the user.",
            None,
        ),
        Flow::Revoke => (
            "Logging out (revoke the token), or a resource server checking a token it \
             was given (introspection).",
            None,
        ),
        Flow::Metadata => (
            "Reading or deploying configuration — Connected Apps, External Client Apps \
             and other metadata — with a session from any OAuth flow.",
            None,
        ),
        Flow::Rest => (
            "Reading and writing data with an access token from any OAuth flow.",
            None,
        ),
    }
}

/// The app settings the flow needs, one line each.
pub(super) fn settings(flow: Flow, flows: &Flows) -> Vec<&'static str> {
    let mut out = vec![];
    let interactive = matches!(flow, Flow::WebServer | Flow::UserAgent);
    if interactive {
        out.push(
            "*Enable OAuth Settings*, with the exact redirect URI of this walkthrough in \
             *Callback URL* (`callbackUrl`).",
        );
    }
    if flow.grants() {
        out.push(
            "*Selected OAuth Scopes* (`scopes`) that include every scope the flow asks for: \
             `api` for the REST and Metadata APIs, `refresh_token` for a refresh token, \
             `openid` for an ID token.",
        );
    }
    match flow {
        Flow::WebServer if flows.pkce => out.push(
            "*Require Proof Key for Code Exchange (PKCE)* (`isPkceRequired`): on by default \
             for an External Client App.",
        ),
        Flow::WebServer => out.push(
            "*Require Secret for Web Server Flow* on (`isConsumerSecretOptional` false): the \
             code is worth nothing without the secret.",
        ),
        Flow::UserAgent => out.push(
            "The org's *Allow OAuth User-Agent Flows* (Setup › OAuth and OpenID Connect \
             Settings).",
        ),
        Flow::Device => out.push("*Enable for Device Flow* on the Connected App."),
        Flow::UsernamePassword => out.push(
            "The org's *Allow OAuth Username-Password Flows* (Setup › OAuth and OpenID \
             Connect Settings); a Connected App, not an External Client App.",
        ),
        Flow::JwtBearer => {
            out.push(
                "*Use digital signatures* with the certificate of the signing key \
                 (`certificate`).",
            );
            out.push(
                "*Permitted Users*: *Admin approved users are pre-authorized* \
                 (`isAdminApproved`), with the user's profile or a permission set.",
            );
        }
        Flow::ClientCredentials => out.push(
            "*Enable Client Credentials Flow*, and *Run As* an active integration user \
             (Manage › Edit Policies).",
        ),
        Flow::RefreshToken => out.push(
            "*Refresh Token Policy* (`refreshTokenPolicy`): how long a refresh token lives; \
             *Require Secret for Refresh Token Flow* (`isSecretRequiredForRefreshToken`).",
        ),
        Flow::Revoke | Flow::Metadata | Flow::Rest => {}
    }
    out
}

/// What to keep safe.
pub(super) fn security(flow: Flow, flows: &Flows) -> Vec<&'static str> {
    let mut out = vec![];
    match flow {
        Flow::WebServer | Flow::UserAgent => {
            out.push(
                "Send a random `state` and check that the redirect returns it: that ties the \
                 answer to the request and stops a forged callback.",
            );
        }
        _ => {}
    }
    match flow {
        Flow::WebServer if flows.pkce => out
            .push("Keep the `code_verifier` in memory only, and make a new pair for every login."),
        Flow::UserAgent => out.push(
            "Tokens arrive in the URL's fragment: keep them out of logs, history and \
             `Referer` headers.",
        ),
        Flow::JwtBearer => out.push(
            "Keep the private key out of the repository (a CI secret or a vault); make \
             `exp` short, a few minutes.",
        ),
        Flow::UsernamePassword => out.push(
            "The app sees the user's password and security token: use a dedicated \
             integration user with the least permissions.",
        ),
        Flow::ClientCredentials => out.push(
            "Every token acts as the run-as user: give that user only the permissions the \
             integration needs.",
        ),
        Flow::Device => out.push(
            "The user code is short-lived and guessable by design: poll no faster than the \
             `interval` Salesforce returns.",
        ),
        _ => {}
    }
    if !matches!(flow, Flow::UserAgent | Flow::JwtBearer | Flow::Device) && flow.grants() {
        out.push(
            "Never ship the `client_secret` in a public client (a browser, mobile or desktop app).",
        );
    }
    if flow.grants() {
        out.push(
            "Store refresh tokens like passwords, and revoke them (`/services/oauth2/revoke`) \
             when the user logs out.",
        );
    }
    if out.is_empty() {
        out.push("Access tokens are bearer credentials: keep them out of logs and URLs.");
    }
    out
}

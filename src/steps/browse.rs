//! What the `authorize` step and the device flow's `token` step share under
//! `--browser headless`: the walk in Chromium, and the saved page when it
//! fails; and the authenticator key both user agents answer the MFA page
//! with.

use crate::headless::{self, Login, Reached, Selectors, Walk};
use crate::secret::Class;
use crate::totp::Totp;

use super::{Ctx, StepError};

/// The authenticator key from its base32 text; none when the text is empty.
/// The text is a secret from here on.
pub(super) fn totp_key(
    ctx: &mut Ctx<'_>,
    secret: &str,
    what: &str,
) -> Result<Option<Totp>, StepError> {
    if secret.trim().is_empty() {
        return Ok(None);
    }
    ctx.redactor
        .secret("totp_secret", secret, Class::Credential);
    Totp::from_base32(secret)
        .map(Some)
        .map_err(|e| StepError::input(format!("{what}: {e}")))
}

/// The one-time codes of `totp` for every 30-second step from `from_secs`
/// to now, one step either side: whichever the built-in user agent typed
/// is a secret in its exchanges (a short value, replaced where it stands
/// whole, as a form field's value does).
pub(super) fn learn_codes(ctx: &mut Ctx<'_>, totp: &Totp, from_secs: u64) {
    let step = crate::totp::STEP_SECS;
    let first = (from_secs / step).saturating_sub(1);
    let last = ctx.clock.now_secs() / step + 1;
    for n in first..=last.min(first + 64) {
        let code = totp.code_at(n * step);
        ctx.redactor.secret("totp_code", &code, Class::Credential);
    }
}

/// Walks from `url` in a headless Chromium. A failure names what the page
/// said and where its screenshot and HTML were saved.
pub(super) async fn browse(
    ctx: &mut Ctx<'_>,
    url: &str,
    redirect_uri: Option<&str>,
    listener: bool,
    login: &Login,
    selectors: &Selectors,
) -> Result<Reached, StepError> {
    let Some(setup) = ctx.headless else {
        return Err(StepError::failed(
            "--browser headless: Chromium and chromedriver were not set up",
        ));
    };
    let mut secrets = ctx.redactor.secret_values();
    secrets.push(login.password.clone());
    let walk = Walk {
        start: url,
        redirect_uri,
        listener,
        login,
        selectors,
        clock: ctx.clock,
        timeout: ctx.settings.step_timeout(),
        secrets,
    };
    match headless::walk(&setup.tools, &walk).await {
        Ok(reached) => Ok(reached),
        Err(e) => {
            let mut message = e.why;
            if !e.pages.is_empty() {
                message.push_str(&format!(
                    " (after the {} page)",
                    e.pages.join(" page, then the ")
                ));
            }
            if let Some(page) = &e.page {
                match setup
                    .evidence
                    .save(&setup.scenario, ctx.step_index, page, ctx.redactor)
                {
                    Ok(files) if !files.is_empty() => {
                        let names: Vec<String> =
                            files.iter().map(|f| f.display().to_string()).collect();
                        message.push_str(&format!("; page saved: {}", names.join(", ")));
                    }
                    Ok(_) => message.push_str("; the page could not be captured"),
                    Err(why) => message.push_str(&format!("; the page could not be saved: {why}")),
                }
            }
            Err(StepError::failed(message))
        }
    }
}

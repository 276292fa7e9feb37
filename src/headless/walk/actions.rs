//! The walker's WebDriver actions: marking a page, waiting for the next,
//! probing, typing and submitting, each bounded by the walk's deadline.

use super::page::PROBE;
use super::*;

impl Walker<'_> {
    /// Marks the document about to be acted on, so that the next one is
    /// told from it.
    pub(super) async fn mark_page(&mut self) -> Result<(), String> {
        self.mark += 1;
        self.probe(Some(self.mark)).await.map(drop)
    }

    /// Waits until the document marked last has been replaced.
    pub(super) async fn wait_for_next_page(&self) -> Result<(), String> {
        loop {
            let probe = self.probe(None).await?;
            if probe.mark != Some(self.mark) {
                return Ok(());
            }
            self.pause(&probe).await?;
        }
    }

    pub(super) async fn probe(&self, mark: Option<u64>) -> Result<Probe, String> {
        let selectors: serde_json::Map<String, Value> = self
            .walk
            .selectors
            .named()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect();
        let value = self
            .within(
                "reading the page",
                self.client
                    .execute(PROBE, vec![Value::Object(selectors), json!(mark)]),
            )
            .await?;
        serde_json::from_value(value).map_err(|e| format!("unreadable page probe: {e}"))
    }

    /// Sleeps a little, or fails when the deadline has passed.
    pub(super) async fn pause(&self, probe: &Probe) -> Result<(), String> {
        if Instant::now() + POLL > self.deadline {
            return Err(format!(
                "timed out after {} at {}",
                crate::duration::human(self.walk.timeout),
                probe.place()
            ));
        }
        tokio::time::sleep(POLL).await;
        Ok(())
    }

    /// The first visible element `css` matches.
    pub(super) async fn visible(&self, css: &str, what: &str) -> Result<Element, String> {
        let all = self
            .within(what, self.client.find_all(Locator::Css(css)))
            .await?;
        for element in all {
            if element.is_displayed().await.unwrap_or(false) {
                return Ok(element);
            }
        }
        Err(format!("{what} (`{css}`) is not on the page"))
    }

    pub(super) async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let element = self.visible(css, "an input").await?;
        // A field the page fills in and locks (a remembered username) is left.
        if element.prop("readOnly").await.ok().flatten().as_deref() == Some("true") {
            return Ok(());
        }
        let _ = self.within("typing", element.clear()).await;
        self.within("typing", element.send_keys(text)).await
    }

    /// Presses the button `css` matches, or Enter in the `field` when the
    /// page has no such button.
    pub(super) async fn submit(&self, css: &str, field: &str) -> Result<(), String> {
        if !css.is_empty()
            && let Ok(button) = self.visible(css, "the submit button").await
        {
            return self.within("pressing the button", button.click()).await;
        }
        let element = self.visible(field, "an input").await?;
        self.within("pressing Enter", element.send_keys("\u{e007}"))
            .await
    }

    /// Runs one WebDriver command within what is left of the deadline.
    pub(super) async fn within<T>(
        &self,
        what: &str,
        command: impl Future<Output = Result<T, CmdError>>,
    ) -> Result<T, String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, command).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) if !(e.is_timeout() || e.is_script_timeout()) => {
                Err(format!("{what}: {}", webdriver_error(&e)))
            }
            // The browser's own page-load or script timeout (set to the
            // deadline), or the deadline itself.
            Ok(Err(_)) | Err(_) => {
                self.timed_out.store(true, Ordering::Relaxed);
                Err(format!(
                    "timed out after {} while {what}",
                    crate::duration::human(self.walk.timeout)
                ))
            }
        }
    }

    pub(super) fn invalid_selectors(&self, keys: &[String]) -> String {
        let named = self.walk.selectors.named();
        let list: Vec<String> = keys
            .iter()
            .map(|k| {
                let css = named.iter().find(|(n, _)| n == k).map_or("", |(_, v)| *v);
                format!("`authorize.as.selectors.{k}` (`{css}`)")
            })
            .collect();
        format!("not a valid CSS selector: {}", list.join(", "))
    }
}

//! A headless Chromium for the browser tests, launched and driven the way
//! `--browser headless` does it (sfscenario's launcher, the `fantoccini`
//! WebDriver client), on a runtime of its own so that a test reads as plain
//! steps: go to a URL, type, click, read the page.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use sfscenario::headless::{Chromium, Tools};

/// How long a test waits for an element or a page.
const WAIT: Duration = Duration::from_secs(20);

/// A running headless Chromium with one WebDriver session.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    chromium: Option<Chromium>,
}

impl Browser {
    pub fn start() -> Browser {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let env = std::env::vars().collect();
        let tools = Tools::find(&env).expect("Chromium and chromedriver");
        let chromium = runtime
            .block_on(Chromium::launch(&tools, Duration::from_secs(60)))
            .unwrap_or_else(|e| panic!("Chromium did not start: {e}"));
        Browser {
            runtime,
            chromium: Some(chromium),
        }
    }

    fn client(&self) -> &Client {
        self.chromium.as_ref().expect("running").client()
    }

    pub fn goto(&self, url: &str) {
        self.runtime
            .block_on(self.client().goto(url))
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    pub fn title(&self) -> String {
        self.runtime
            .block_on(self.client().title())
            .expect("the title")
    }

    fn url(&self) -> String {
        self.runtime
            .block_on(self.client().current_url())
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Waits for an element matching a CSS selector.
    pub fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(element) = self.runtime.block_on(self.client().find(Locator::Css(css))) {
                return element;
            }
            assert!(
                Instant::now() < deadline,
                "no element `{css}` on {} ({})",
                self.url(),
                self.title()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.runtime.block_on(async {
            element.clear().await.expect("clear");
            element.send_keys(text).await.expect("type");
        });
    }

    pub fn click(&self, css: &str) {
        let element = self.find(css);
        self.runtime
            .block_on(element.click())
            .unwrap_or_else(|e| panic!("cannot click `{css}`: {e}"));
    }

    /// The page's visible text.
    pub fn text(&self) -> String {
        let body = self.find("body");
        self.runtime.block_on(body.text()).unwrap_or_default()
    }

    /// Saves a PNG screenshot of the page.
    pub fn screenshot(&self, path: &Path) {
        let png = self
            .runtime
            .block_on(self.client().screenshot())
            .expect("a screenshot");
        std::fs::write(path, png).expect("write the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(chromium) = self.chromium.take() {
            self.runtime.block_on(chromium.close());
        }
    }
}

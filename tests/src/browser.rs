//! A headless Chromium driven over WebDriver (chromedriver), for testing pages as a person
//! uses them. Only the handful of WebDriver commands the tests need.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process with one browser session, both ended when dropped.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn call(method: &str, url: &str, body: Option<Value>) -> Value {
    let req = ureq::request(method, url);
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let resp = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("WebDriver {method} {url} failed: {e}"),
    };
    let v: Value = resp.into_json().expect("WebDriver JSON");
    if let Some(err) = v["value"]["error"].as_str() {
        panic!("WebDriver {method} {url}: {err}: {}", v["value"]["message"]);
    }
    v["value"].clone()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed (apt-get install chromium chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = ureq::get(&format!("{base}/status")).call() {
                if r.into_json::<Value>()
                    .is_ok_and(|v| v["value"]["ready"] == true)
                {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--window-size=1024,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "timeouts": {"implicit": 5000, "pageLoad": 20000},
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let v = call("POST", &format!("{base}/session"), Some(caps));
        let session = v["sessionId"].as_str().expect("session id").to_string();
        Browser {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    /// Opens a page and waits for it to load.
    pub fn goto(&self, url: &str) {
        call("POST", &self.url("/url"), Some(json!({"url": url})));
    }

    /// The current page's address.
    pub fn current_url(&self) -> String {
        call("GET", &self.url("/url"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (up to 10 s) until the current address ends with `suffix`; returns the address.
    pub fn wait_for_url(&self, suffix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.current_url();
            if url.ends_with(suffix) || Instant::now() > deadline {
                return url;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The current page's title.
    pub fn title(&self) -> String {
        call("GET", &self.url("/title"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The current page's HTML.
    pub fn source(&self) -> String {
        call("GET", &self.url("/source"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn find(&self, css: &str) -> String {
        let v = call(
            "POST",
            &self.url("/element"),
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT_KEY].as_str().expect("element id").to_string()
    }

    /// Types text into the element matching a CSS selector.
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        call(
            "POST",
            &self.url(&format!("/element/{id}/value")),
            Some(json!({"text": text})),
        );
    }

    /// Clicks the element matching a CSS selector.
    pub fn click(&self, css: &str) {
        let id = self.find(css);
        call(
            "POST",
            &self.url(&format!("/element/{id}/click")),
            Some(json!({})),
        );
    }

    /// The visible text of the element matching a CSS selector.
    /// Read in one step in the page, so a page that is replaced meanwhile cannot leave a stale
    /// element behind; waits up to 10 s for the element to exist.
    pub fn text(&self, css: &str) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.innerText : null;",
            json!(css)
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(t) = self.execute(&script).as_str() {
                return t.to_string();
            }
            assert!(Instant::now() < deadline, "no element matches {css}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs JavaScript in the page (`return …;` gives a value back).
    pub fn execute(&self, script: &str) -> Value {
        call(
            "POST",
            &self.url("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Waits (up to 10 s) until the JavaScript expression is true.
    pub fn wait_until(&self, expression: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.execute(&format!("return !!({expression});")) == Value::Bool(true) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Saves a PNG screenshot.
    pub fn screenshot(&self, path: &std::path::Path) {
        let b64 = call("GET", &self.url("/screenshot"), None);
        let data = decode_base64(b64.as_str().unwrap_or_default());
        std::fs::write(path, data).expect("write screenshot");
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

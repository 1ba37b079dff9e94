//! A real `youdecide-kiosk` for tests: enrol it, run it, kill it, run its commands.

use super::{bin, read_listening};
use serde_json::Value;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A kiosk's data directory, and its running process if started.
#[derive(Debug)]
pub struct TestKiosk {
    /// The data directory.
    pub dir: tempfile::TempDir,
    /// The local address while running.
    pub url: Option<String>,
    child: Option<Child>,
}

impl TestKiosk {
    /// A kiosk with an empty data directory.
    pub fn new() -> TestKiosk {
        TestKiosk {
            dir: tempfile::tempdir().expect("temp dir"),
            url: None,
            child: None,
        }
    }

    /// Runs a kiosk command with this data directory.
    pub fn cli(&self, args: &[&str]) -> Output {
        let dir = self.dir.path().display().to_string();
        let mut all = args.to_vec();
        all.extend(["--data-dir", dir.as_str()]);
        Command::new(bin("youdecide-kiosk"))
            .args(&all)
            .env_remove("YOUDECIDE_DATA_DIR")
            .env_remove("YOUDECIDE_BIND")
            .stdin(Stdio::null())
            .output()
            .expect("run youdecide-kiosk")
    }

    /// Enrols with a server; panics if it fails.
    pub fn enroll(&self, server: &str, code: &str) -> Value {
        let out = self.cli(&["enroll", "--server", server, "--code", code]);
        assert!(
            out.status.success(),
            "enroll: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("enroll prints JSON")
    }

    /// `youdecide-kiosk status` as JSON.
    pub fn status(&self) -> Value {
        let out = self.cli(&["status"]);
        assert!(
            out.status.success(),
            "status: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("status prints JSON")
    }

    /// Starts `youdecide-kiosk run` on a free port and waits for it to answer.
    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("kiosk.log"))
            .expect("log");
        let mut child = Command::new(bin("youdecide-kiosk"))
            .args([
                "run",
                "--bind",
                "127.0.0.1:0",
                "--data-dir",
                &self.dir.path().display().to_string(),
            ])
            .env_remove("YOUDECIDE_BIND")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn youdecide-kiosk");
        let url =
            read_listening(&mut child, "youdecide-kiosk listening on ").unwrap_or_else(|| {
                let log =
                    std::fs::read_to_string(self.dir.path().join("kiosk.log")).unwrap_or_default();
                panic!("the kiosk did not start: {log}")
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{url}/api/status")).call().is_err() {
            assert!(Instant::now() < deadline, "the kiosk never answered");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.url = Some(url);
        self.child = Some(child);
    }

    /// Kills the kiosk with SIGKILL.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.url = None;
    }

    /// Casts a ballot through the kiosk's local API; returns (status, body).
    pub fn cast(&self, body: &Value) -> (u16, Value) {
        let url = format!("{}/api/ballots", self.url.as_ref().expect("kiosk running"));
        match ureq::post(&url).send_json(body.clone()) {
            Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
            Err(e) => panic!("kiosk request failed: {e}"),
        }
    }
}

impl Default for TestKiosk {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestKiosk {
    fn drop(&mut self) {
        self.kill9();
    }
}

//! A real `youdecide-kiosk` for tests: enrol it, run it, kill it, run its commands.

use super::{bin, read_listening, Backend, TestServer};
use serde_json::{json, Value};
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

    /// Runs a kiosk command with standard input.
    pub fn cli_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let dir = self.dir.path().display().to_string();
        let mut all = args.to_vec();
        all.extend(["--data-dir", dir.as_str()]);
        let mut child = Command::new(bin("youdecide-kiosk"))
            .args(&all)
            .env_remove("YOUDECIDE_DATA_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run youdecide-kiosk");
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(input.as_bytes());
        }
        child.wait_with_output().expect("wait for youdecide-kiosk")
    }

    /// POSTs JSON to the running kiosk with optional extra headers; returns (status, body).
    pub fn post(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
        let url = format!("{}{path}", self.url.as_ref().expect("kiosk running"));
        let mut req = ureq::post(&url);
        for (k, v) in headers {
            req = req.set(k, v);
        }
        match req.send_json(body.clone()) {
            Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
            Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
            Err(e) => panic!("kiosk request failed: {e}"),
        }
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
        self.start_with(&[]);
    }

    /// As [`TestKiosk::start`], with more `run` arguments.
    pub fn start_with(&mut self, extra: &[&str]) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("kiosk.log"))
            .expect("log");
        let dir = self.dir.path().display().to_string();
        let mut args = vec!["run", "--bind", "127.0.0.1:0", "--data-dir", dir.as_str()];
        args.extend_from_slice(extra);
        let mut child = Command::new(bin("youdecide-kiosk"))
            .args(&args)
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

    /// Waits (up to 20 s) until the running kiosk serves a project's picture from its own copy;
    /// returns the picture's address.
    pub fn wait_for_picture(&self, rid: &str, key: &str) -> String {
        let url = format!(
            "{}/images/{rid}/{key}",
            self.url.as_deref().expect("running")
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&url).call().is_err() {
            assert!(Instant::now() < deadline, "the kiosk never fetched {url}");
            std::thread::sleep(Duration::from_millis(100));
        }
        url
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

/// A 1×1 PNG, the picture of project "a".
pub const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89, 0, 0, 0, 13, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A server with an open round (one area, two projects, the first with a picture) and a kiosk
/// enrolment code.
pub struct Setup {
    /// The server.
    pub s: TestServer,
    /// A site admin's token.
    pub admin: String,
    /// The partnership.
    pub pid: String,
    /// The open round.
    pub rid: String,
}

/// Starts a server with that round open.
pub fn setup(backend: Backend) -> Setup {
    let s = TestServer::start(backend);
    let admin = s.admin_token("root@example.org");
    let p = s.post(
        "/api/v1/partnerships",
        Some(&admin),
        json!({"name": "Ashby"}),
    );
    let pid = p.json["id"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/partnerships/{pid}/rounds"),
        Some(&admin),
        json!({"title": "Ashby Decides", "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
               "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
               "rule": "greedy",
               "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
               "eligibility": {"min_age": 16, "mode": "self-declared"}, "languages": ["en"]}),
    );
    let rid = r.json["id"].as_str().unwrap().to_string();
    for (k, c) in [("a", 400), ("b", 500)] {
        let easy = if k == "a" {
            "A new seat. You can sit on it."
        } else {
            ""
        };
        s.post(
            &format!("/api/v1/rounds/{rid}/projects"),
            Some(&admin),
            json!({"key": k, "area": "central", "title": format!("Project {k}"), "cost": c,
                   "summary": format!("Project {k}, in full."), "easy_read": easy}),
        );
    }
    let img = s.request(
        super::Req::new("PUT", &format!("/api/v1/rounds/{rid}/projects/a/image"))
            .token(Some(&admin))
            .bytes("image/png", PIXEL_PNG),
    );
    assert_eq!(img.status, 200, "{}", img.text);
    let o = s.post(
        &format!("/api/v1/rounds/{rid}/open"),
        Some(&admin),
        json!({}),
    );
    assert_eq!(o.status, 200, "{}", o.text);
    Setup { s, admin, pid, rid }
}

/// Creates a kiosk on the server; returns its enrolment code.
pub fn new_kiosk(setup: &Setup, name: &str) -> String {
    let k = setup.s.post(
        &format!("/api/v1/partnerships/{}/kiosks", setup.pid),
        Some(&setup.admin),
        json!({"name": name}),
    );
    assert_eq!(k.status, 201, "{}", k.text);
    assert!(k.json["enrollment_qr_svg"]
        .as_str()
        .unwrap()
        .contains("<svg"));
    k.json["enrollment_code"].as_str().unwrap().to_string()
}

/// A self-declared ballot for the kiosk's local API.
pub fn ballot(rid: &str, name: &str) -> Value {
    json!({"round": rid,
           "eligibility": {"postcode": "DN15 6AB", "age_confirmed": true, "name": name, "date_of_birth": "1970-01-01"},
           "choices": [{"project": "a"}], "language": "en"})
}

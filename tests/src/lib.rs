//! Support for the end-to-end tests: find the real binaries, give each test a fresh database
//! on SQLite or PostgreSQL (dropped afterwards), start the real server on a free port, and talk
//! to it over HTTP.
//!
//! PostgreSQL tests need `YOUDECIDE_TEST_POSTGRES_URL` (a URL of a role that may create
//! databases); `scripts/test` starts a private PostgreSQL and sets it.

pub mod browser;
pub mod crash_loop;
pub mod faulty_proxy;
pub mod instances;
pub mod kiosk;
pub mod powercut;
pub mod reliability;
pub mod signed_kiosk;

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "YOUDECIDE_TEST_POSTGRES_URL";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Runs each named test body `fn name(backend: Backend)` once on SQLite and once on
/// PostgreSQL, as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::Backend::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name($crate::Backend::Postgres)
                }
            }
        )*
    };
}

/// The path of a workspace binary (`youdecide-server`, `youdecide-kiosk`), built beside the
/// test executables.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|d| {
            if d.ends_with("deps") {
                d.parent()
            } else {
                Some(d)
            }
        })
        .expect("target directory");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the binaries first with `cargo build --workspace --bins` \
         (scripts/test does this)",
        path.display()
    );
    path
}

/// The PostgreSQL URL for tests; fails loudly when it is not set.
pub fn postgres_admin_url() -> String {
    std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_ENV} is not set: run the tests with scripts/test, which starts a \
             PostgreSQL server for them"
        )
    })
}

/// A fresh, empty database for one test, removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    /// The backend.
    pub backend: Backend,
    /// The URL to pass as `--database-url`.
    pub url: String,
    /// A scratch directory (also the data directory).
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Creates the database.
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let url = dir.path().join("youdecide.db").display().to_string();
                TestDb {
                    backend,
                    url,
                    dir,
                    pg: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("yd_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&admin)
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL for tests: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create test database");
                let url = replace_db_name(&admin, &name);
                TestDb {
                    backend,
                    url,
                    dir,
                    pg: Some((admin, name)),
                }
            }
        }
    }

    /// The data directory to pass as `--data-dir`.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl TestDb {
    /// Drops a PostgreSQL database now, ending its connections (to simulate losing it).
    pub fn drop_now(&self) {
        if let Some((admin, name)) = &self.pg {
            let mut conn = PgConnection::establish(admin).expect("connect to PostgreSQL");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .expect("drop the test database");
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// Replaces the database name (the path) of a PostgreSQL URL.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Runs `youdecide-server` with arguments and optional standard input.
pub fn run_server_cli(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(bin("youdecide-server"));
    cmd.args(args)
        .env_remove("YOUDECIDE_DATABASE_URL")
        .env_remove("YOUDECIDE_DATA_DIR")
        .env_remove("YOUDECIDE_BIND")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn youdecide-server");
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(input) = stdin {
            let _ = pipe.write_all(input.as_bytes());
        }
    }
    child.wait_with_output().expect("wait for youdecide-server")
}

/// A running server on a fresh database, stopped when dropped.
#[derive(Debug)]
pub struct TestServer {
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// Its database.
    pub db: TestDb,
    child: Child,
    #[allow(dead_code)]
    subcommand: String,
}

/// Reads a `… listening on URL` line from a child's stdout, then keeps draining it.
fn read_listening(child: &mut Child, prefix: &str) -> Option<String> {
    let stdout = child.stdout.take()?;
    let mut lines = BufReader::new(stdout).lines();
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        if let Some(rest) = line.strip_prefix(prefix) {
            url = Some(rest.trim().to_string());
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    url
}

/// Spawns `youdecide-server SUBCOMMAND` on a database; returns it with its URL.
fn spawn_server(db: &TestDb, subcommand: &str, bind: &str) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(db.data_dir().join("server.log"))
        .expect("log file");
    let mut child = Command::new(bin("youdecide-server"))
        .args([
            subcommand,
            "--bind",
            bind,
            "--data-dir",
            &db.data_dir().display().to_string(),
            "--database-url",
            &db.url,
        ])
        .env_remove("YOUDECIDE_BIND")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("spawn youdecide-server");
    match read_listening(&mut child, "youdecide-server listening on ") {
        Some(url) => (child, url),
        None => {
            let _ = child.kill();
            let log = std::fs::read_to_string(db.data_dir().join("server.log")).unwrap_or_default();
            panic!("the server did not start; its log:\n{log}");
        }
    }
}

impl TestServer {
    /// Starts `youdecide-server serve` on a fresh database.
    pub fn start(backend: Backend) -> TestServer {
        Self::start_with(TestDb::new(backend), "serve")
    }

    /// Starts the server (`serve` or `demo`) on the given database and waits for `/readyz`.
    pub fn start_with(db: TestDb, subcommand: &str) -> TestServer {
        let (child, url) = spawn_server(&db, subcommand, "127.0.0.1:0");
        let server = TestServer {
            url,
            db,
            child,
            subcommand: subcommand.to_string(),
        };
        server.wait_ready();
        server
    }

    /// Kills the server at once (SIGKILL), as a crash or power cut would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same database and the same address.
    pub fn restart(&mut self) {
        self.kill();
        let addr = self.url.trim_start_matches("http://").to_string();
        let (child, url) = spawn_server(&self.db, "serve", &addr);
        self.child = child;
        self.url = url;
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.get("/readyz", None).status == 200 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server at {} never became ready", self.url);
    }

    /// Runs one SQL statement straight on the server's database (e.g. to move a stored time
    /// into the past, as waiting would).
    pub fn sql_execute(&self, statement: &str) {
        let q = diesel::sql_query(statement);
        match self.db.backend {
            Backend::Sqlite => {
                let mut c = diesel::SqliteConnection::establish(&self.db.url).expect("open SQLite");
                q.execute(&mut c).expect("statement");
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.db.url).expect("open PostgreSQL");
                q.execute(&mut c).expect("statement");
            }
        };
    }

    /// What the server has logged so far (stderr).
    /// Runs a query selecting one `BIGINT` column named `n` on the server's database.
    pub fn sql_count(&self, query: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let q = diesel::sql_query(query);
        match self.db.backend {
            Backend::Sqlite => {
                let mut c = diesel::SqliteConnection::establish(&self.db.url).expect("open SQLite");
                q.get_result::<Count>(&mut c).expect("count query").n
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.db.url).expect("open PostgreSQL");
                q.get_result::<Count>(&mut c).expect("count query").n
            }
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.db.data_dir().join("server.log")).unwrap_or_default()
    }

    /// Sends SIGTERM and waits (up to 20 s) for the server to exit; returns its exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid} failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not stop within 20 s of SIGTERM");
    }

    /// Runs a server command against this server's database.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        let dir = self.db.data_dir().display().to_string();
        all.extend(["--database-url", &self.db.url, "--data-dir", &dir]);
        run_server_cli(&all, stdin)
    }

    /// Creates a site admin through the CLI and returns an API token for them.
    pub fn admin_token(&self, email: &str) -> String {
        let out = self.cli(
            &["create-admin", "--email", email, "--password-stdin"],
            Some("admin-password-123\n"),
        );
        assert!(
            out.status.success(),
            "create-admin: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.token_for(email)
    }

    /// Creates an API token for an existing account through the CLI.
    pub fn token_for(&self, email: &str) -> String {
        let out = self.cli(&["create-token", "--email", email], None);
        assert!(
            out.status.success(),
            "create-token: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// A GET request.
    pub fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(Req::new("GET", path).token(token))
    }

    /// A POST request with a JSON body.
    pub fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.request(Req::new("POST", path).token(token).json(body))
    }

    /// Sends a request.
    pub fn request(&self, req: Req) -> Resp {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let mut r = agent.request(&req.method, &format!("{}{}", self.url, req.path));
        for (k, v) in &req.headers {
            r = r.set(k, v);
        }
        let result = match (&req.json, &req.form, &req.raw) {
            (Some(j), _, _) => r.send_json(j.clone()),
            (_, Some(f), _) => {
                let pairs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                r.send_form(&pairs)
            }
            (_, _, Some((ct, body))) => r.set("Content-Type", ct).send_bytes(body),
            _ => r.call(),
        };
        let resp = match result {
            Ok(resp) => resp,
            Err(ureq::Error::Status(_, resp)) => resp,
            Err(e) => panic!("request {} {} failed: {e}", req.method, req.path),
        };
        Resp::from(resp)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request being built.
#[derive(Debug, Clone)]
pub struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    json: Option<Value>,
    form: Option<Vec<(String, String)>>,
    raw: Option<(String, Vec<u8>)>,
}

impl Req {
    /// A request with a method and path.
    pub fn new(method: &str, path: &str) -> Req {
        Req {
            method: method.into(),
            path: path.into(),
            headers: vec![],
            json: None,
            form: None,
            raw: None,
        }
    }
    /// Adds `Authorization: Bearer TOKEN` when a token is given.
    pub fn token(mut self, token: Option<&str>) -> Req {
        if let Some(t) = token {
            self.headers
                .push(("Authorization".into(), format!("Bearer {t}")));
        }
        self
    }
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Sends cookies.
    pub fn cookies(self, cookies: &[(&str, &str)]) -> Req {
        let v: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.header("Cookie", &v.join("; "))
    }
    /// A JSON body.
    pub fn json(mut self, body: Value) -> Req {
        self.json = Some(body);
        self
    }
    /// A form body.
    pub fn form(mut self, fields: &[(&str, &str)]) -> Req {
        self.form = Some(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        self
    }
    /// A raw body with a content type.
    pub fn raw(self, content_type: &str, body: &str) -> Req {
        self.bytes(content_type, body.as_bytes())
    }
    /// A body of raw bytes (which need not be UTF-8) with a content type.
    pub fn bytes(mut self, content_type: &str, body: &[u8]) -> Req {
        self.raw = Some((content_type.into(), body.to_vec()));
        self
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// The body as text.
    pub text: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: Value,
    /// `Set-Cookie` headers.
    pub set_cookies: Vec<String>,
    /// `Location` header.
    pub location: Option<String>,
    /// `Content-Type` header.
    pub content_type: String,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl From<ureq::Response> for Resp {
    fn from(r: ureq::Response) -> Resp {
        let status = r.status();
        let set_cookies = r.all("set-cookie").iter().map(|s| s.to_string()).collect();
        let location = r.header("location").map(str::to_string);
        let content_type = r.header("content-type").unwrap_or("").to_string();
        let headers = r
            .headers_names()
            .into_iter()
            .filter_map(|n| Some((n.to_lowercase(), r.header(&n)?.to_string())))
            .collect();
        let text = r.into_string().unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            text,
            json,
            set_cookies,
            location,
            content_type,
            headers,
        }
    }
}

impl Resp {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    /// The value of a cookie this response sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies.iter().find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    }

    /// Asserts the status and the error shape, returning the error code.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        let err = &self.json["error"];
        assert_eq!(
            err["code"], code,
            "unexpected error code; body: {}",
            self.text
        );
        let msg = err["message"].as_str().unwrap_or("");
        assert!(
            msg.len() > 10 && msg.ends_with('.'),
            "the message should be a plain-English sentence: {msg:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            replace_db_name("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(replace_db_name("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(
            replace_db_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}

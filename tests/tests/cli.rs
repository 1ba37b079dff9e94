//! The server's command line: bad flags, unreachable databases, unusable data directories and
//! bad input all exit non-zero with one plain-English line; `demo` works on an empty data dir.

use youdecide_tests::{run_server_cli, Backend, TestDb, TestServer};

fn one_line_error(out: &std::process::Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr, got: {stderr}");
    assert!(lines[0].starts_with("youdecide-server: "), "{stderr}");
    assert!(
        lines[0].contains(needle),
        "{:?} should mention {needle:?}",
        lines[0]
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_flag_exits_2() {
    one_line_error(
        &run_server_cli(&["serve", "--frobnicate"], None),
        2,
        "--frobnicate",
    );
    one_line_error(&run_server_cli(&["launch"], None), 2, "launch");
    one_line_error(
        &run_server_cli(&["create-admin", "--password-stdin"], None),
        2,
        "--email",
    );
    one_line_error(
        &run_server_cli(&["serve", "--bind", "not-an-address"], None),
        2,
        "not-an-address",
    );
}

#[test]
fn unreachable_postgres_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_server_cli(
        &[
            "migrate",
            "--database-url",
            "postgres://yd:secret-pw@127.0.0.1:1/yd",
            "--data-dir",
            &dir.path().display().to_string(),
        ],
        None,
    );
    one_line_error(&out, 1, "PostgreSQL");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("secret-pw"),
        "the password must not be printed: {stderr}"
    );
}

#[test]
fn unwritable_data_dir_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let bad = file.join("data");
    let out = run_server_cli(&["serve", "--data-dir", &bad.display().to_string()], None);
    one_line_error(&out, 1, "cannot use data directory");
}

#[test]
fn create_admin_and_token_check_their_input() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = db.data_dir().display().to_string();
    let base = ["--data-dir", dir.as_str()];
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut all = args.to_vec();
        all.extend(base);
        run_server_cli(&all, stdin)
    };
    one_line_error(
        &run(
            &[
                "create-admin",
                "--email",
                "a@example.org",
                "--password-stdin",
            ],
            Some("short\n"),
        ),
        2,
        "at least 10 characters",
    );
    one_line_error(
        &run(
            &[
                "create-admin",
                "--email",
                "a@example.org",
                "--password-stdin",
            ],
            Some(""),
        ),
        2,
        "no password",
    );
    one_line_error(
        &run(
            &["create-admin", "--email", "nonsense", "--password-stdin"],
            Some("long-enough-pw\n"),
        ),
        2,
        "email address",
    );
    one_line_error(
        &run(&["create-token", "--email", "a@example.org"], None),
        2,
        "no account",
    );
    let ok = run(
        &[
            "create-admin",
            "--email",
            "a@example.org",
            "--password-stdin",
        ],
        Some("long-enough-pw\n"),
    );
    assert!(ok.status.success());
    let token = run(
        &["create-token", "--email", "A@example.org", "--name", "ci"],
        None,
    );
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap();
    assert!(
        token.trim().starts_with("ydt_") && token.trim().len() == 68,
        "{token}"
    );
    assert_eq!(token.lines().count(), 1, "only the token on stdout");
    let migrate = run(&["migrate"], None);
    assert!(migrate.status.success());
    assert!(String::from_utf8_lossy(&migrate.stdout).contains("0 migration(s) applied"));
}

#[test]
fn demo_seeds_an_empty_data_dir_once() {
    let db = TestDb::new(Backend::Sqlite);
    let dir = db.dir.path().to_path_buf();
    let server = TestServer::start_with(db, "demo");
    let login = server.post(
        "/api/v1/login",
        None,
        serde_json::json!({"email": "officer@demo.youdecide.test", "password": "demo-officer-password"}),
    );
    assert_eq!(login.status, 200, "{}", login.text);
    let admin = server.post(
        "/api/v1/login",
        None,
        serde_json::json!({"email": "admin@demo.youdecide.test", "password": "demo-admin-password"}),
    );
    assert_eq!(admin.json["user"]["is_site_admin"], true);
    assert!(dir.join("youdecide.db").exists());
    // An open round with projects and a schedule, visible to the public.
    let token = server.token_for("officer@demo.youdecide.test");
    let me = server.get("/api/v1/me", Some(&token));
    let pid = me.json["partnerships"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let rounds = server.get(&format!("/api/v1/partnerships/{pid}/rounds"), None);
    assert_eq!(rounds.json[0]["status"], "open", "{}", rounds.text);
    let rid = rounds.json[0]["id"].as_str().unwrap();
    let round = server.get(&format!("/api/v1/rounds/{rid}"), None);
    assert_eq!(round.json["projects"].as_array().unwrap().len(), 6);
    assert_eq!(round.json["languages"].as_array().unwrap().len(), 4);
    assert_eq!(round.json["schedule"].as_array().unwrap().len(), 2);
}

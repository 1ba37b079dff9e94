//! Tenants and roles: every officer and admin route (the JSON API routes that need a token and
//! the officers' pages) × every caller (site admin, partnership admin, partnership officer, no
//! token, a bad token) × their own partnership and another. Only the allowed cells succeed;
//! the others are refused (401, 403 or 404; pages send the signed-out to the sign-in page)
//! and change nothing; what members of one partnership are shown never names the other's.
//!
//! The list of routes is checked against the routes the server registers (read from its
//! source), so that a new route cannot be left out: it must join the matrix or be listed as
//! public or kiosk-signed.

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use youdecide_tests::kiosk::PIXEL_PNG;
use youdecide_tests::{on_both_backends, reliability, Backend, Req, Resp, TestServer};

on_both_backends!(only_allowed_cells_succeed);

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Site administrators only.
    SiteAdmin,
    /// Anyone signed in, for their own account.
    SignedIn,
    /// Anyone signed in, for their own token only.
    OwnToken,
    /// A partnership admin (or a site admin).
    Admin,
    /// A partnership officer or admin (or a site admin).
    Officer,
    /// Anyone for public things; members only for a draft or unpublished round (others 404).
    Viewer,
    /// A partnership's round list: everyone gets it, only members see drafts.
    ViewerList,
}
use Need::*;

/// Every route that needs a signed-in caller: (method, path as registered, who).
const MATRIX: &[(&str, &str, Need)] = &[
    ("POST", "/api/v1/partnerships", SiteAdmin),
    ("GET", "/api/v1/partnerships", SignedIn),
    ("GET", "/api/v1/partnerships/{pid}", Officer),
    ("POST", "/api/v1/partnerships/{pid}/members", Admin),
    ("GET", "/api/v1/partnerships/{pid}/members", Officer),
    ("PATCH", "/api/v1/partnerships/{pid}/members/{mid}", Admin),
    ("DELETE", "/api/v1/partnerships/{pid}/members/{mid}", Admin),
    ("POST", "/api/v1/partnerships/{pid}/rounds", Admin),
    ("GET", "/api/v1/partnerships/{pid}/rounds", ViewerList),
    ("GET", "/api/v1/partnerships/{pid}/audit", Admin),
    ("GET", "/api/v1/rounds/{rid}", Viewer),
    ("PATCH", "/api/v1/rounds/{rid}", Admin),
    ("POST", "/api/v1/rounds/{rid}/open", Officer),
    ("POST", "/api/v1/rounds/{rid}/close", Officer),
    ("POST", "/api/v1/rounds/{rid}/cancel", Officer),
    ("PUT", "/api/v1/rounds/{rid}/translations/{lang}", Admin),
    ("POST", "/api/v1/rounds/{rid}/projects", Admin),
    ("POST", "/api/v1/rounds/{rid}/projects/import", Admin),
    ("PATCH", "/api/v1/rounds/{rid}/projects/{key}", Admin),
    ("DELETE", "/api/v1/rounds/{rid}/projects/{key}", Admin),
    (
        "PUT",
        "/api/v1/rounds/{rid}/projects/{key}/translations/{lang}",
        Admin,
    ),
    ("PUT", "/api/v1/rounds/{rid}/projects/{key}/image", Admin),
    ("GET", "/api/v1/rounds/{rid}/projects/{key}/image", Viewer),
    ("DELETE", "/api/v1/rounds/{rid}/projects/{key}/image", Admin),
    ("POST", "/api/v1/rounds/{rid}/schedule", Officer),
    ("DELETE", "/api/v1/rounds/{rid}/schedule/{sid}", Officer),
    ("POST", "/api/v1/rounds/{rid}/codes", Officer),
    ("POST", "/api/v1/rounds/{rid}/poll-cards", Officer),
    ("POST", "/api/v1/rounds/{rid}/count", Officer),
    ("POST", "/api/v1/rounds/{rid}/publish", Officer),
    ("GET", "/api/v1/rounds/{rid}/pending-kiosks", Officer),
    ("GET", "/api/v1/rounds/{rid}/results", Viewer),
    ("GET", "/api/v1/rounds/{rid}/results.csv", Viewer),
    ("GET", "/api/v1/rounds/{rid}/results/pabulib/{area}", Viewer),
    (
        "GET",
        "/api/v1/partnerships/{pid}/monitoring-baseline",
        Officer,
    ),
    (
        "PUT",
        "/api/v1/partnerships/{pid}/monitoring-baseline",
        Officer,
    ),
    ("POST", "/api/v1/rounds/{rid}/paper-batches", Officer),
    ("GET", "/api/v1/rounds/{rid}/paper-batches", Officer),
    ("GET", "/api/v1/paper-batches/{bid}", Officer),
    ("POST", "/api/v1/paper-batches/{bid}/sheets", Officer),
    ("POST", "/api/v1/paper-batches/{bid}/reconcile", Officer),
    (
        "POST",
        "/api/v1/rounds/{rid}/projects/{key}/updates",
        Officer,
    ),
    ("DELETE", "/api/v1/rounds/{rid}/updates/{uid}", Officer),
    ("PUT", "/api/v1/rounds/{rid}/updates/{uid}/photo", Officer),
    ("POST", "/api/v1/partnerships/{pid}/kiosks", Admin),
    ("GET", "/api/v1/partnerships/{pid}/kiosks", Officer),
    ("POST", "/api/v1/kiosks/{kid}/revoke", Admin),
    ("POST", "/api/v1/logout", SignedIn),
    ("GET", "/api/v1/me", SignedIn),
    ("POST", "/api/v1/me/password", SignedIn),
    ("GET", "/api/v1/tokens", SignedIn),
    ("POST", "/api/v1/tokens", SignedIn),
    ("POST", "/api/v1/tokens/{id}/revoke", OwnToken),
    ("GET", "/officer", SignedIn),
    ("GET", "/officer/p/{pid}", Officer),
    ("GET", "/officer/p/{pid}/audit", Admin),
    ("GET", "/officer/p/{pid}/rounds/new", Admin),
    ("POST", "/officer/p/{pid}/rounds/new", Admin),
    ("GET", "/officer/rounds/{rid}", Officer),
    ("GET", "/officer/rounds/{rid}/edit", Admin),
    ("POST", "/officer/rounds/{rid}/edit", Admin),
    ("POST", "/officer/rounds/{rid}/status", Officer),
    ("GET", "/officer/rounds/{rid}/preview", Officer),
    ("GET", "/officer/rounds/{rid}/result", Officer),
    ("POST", "/officer/rounds/{rid}/count", Officer),
    ("GET", "/officer/rounds/{rid}/paper", Officer),
    ("POST", "/officer/rounds/{rid}/paper", Officer),
    ("GET", "/officer/paper/{bid}", Officer),
    ("GET", "/officer/rounds/{rid}/delivery", Officer),
    ("POST", "/officer/rounds/{rid}/delivery", Officer),
    (
        "POST",
        "/officer/rounds/{rid}/delivery/{uid}/delete",
        Officer,
    ),
    ("POST", "/officer/paper/{bid}/sheets", Officer),
    ("POST", "/officer/paper/{bid}/reconcile", Officer),
    ("POST", "/officer/rounds/{rid}/publish", Officer),
    ("POST", "/officer/rounds/{rid}/projects", Admin),
    ("GET", "/officer/rounds/{rid}/projects/{key}", Admin),
    ("POST", "/officer/rounds/{rid}/projects/{key}", Admin),
    ("POST", "/officer/rounds/{rid}/projects/{key}/delete", Admin),
    ("POST", "/officer/rounds/{rid}/schedule", Officer),
    (
        "POST",
        "/officer/rounds/{rid}/schedule/{sid}/delete",
        Officer,
    ),
];

/// Routes open to everyone (residents, health checks, signing in), outside the matrix.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/login"),
    ("POST", "/api/v1/rounds/{rid}/ballots"),
    ("POST", "/api/v1/rounds/{rid}/monitoring"),
    ("GET", "/api/v1/ballots/{code}"),
    ("GET", "/api/v1/rounds/{rid}/updates"),
    ("GET", "/api/v1/rounds/{rid}/updates/{uid}/photo"),
    ("GET", "/"),
    ("GET", "/p/{slug}"),
    ("GET", "/rounds/{rid}"),
    ("GET", "/check"),
    ("GET", "/rounds/{rid}/delivery"),
    ("GET", "/rounds/{rid}/delivery.atom"),
    ("GET", "/rounds/{rid}/results"),
    ("GET", "/rounds/{rid}/results/poster.pdf"),
    ("GET", "/rounds/{rid}/vote"),
    ("POST", "/rounds/{rid}/vote"),
    ("POST", "/rounds/{rid}/vote/monitoring"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/assets/{path:.*}"),
];

/// Routes for kiosks, which sign their messages instead (see sync_tamper.rs).
const KIOSK: &[(&str, &str)] = &[
    ("POST", "/api/v1/kiosk/enroll"),
    ("POST", "/api/v1/kiosk/{kid}/rounds"),
    ("POST", "/api/v1/kiosk/{kid}/batches"),
    ("POST", "/api/v1/kiosk/{kid}/monitoring"),
];

fn server_src() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src")
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `(METHOD, path)` the server registers with `.route(…)`: the modules under
/// `routes/` (but the health checks) are mounted under `/api/v1`, the rest at the root.
fn registered_routes() -> BTreeSet<(String, String)> {
    let src = server_src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = BTreeSet::new();
    for file in files {
        let text: String = std::fs::read_to_string(&file)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let prefix = if rel.starts_with("routes/") && rel != "routes/health.rs" {
            "/api/v1"
        } else {
            ""
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(\"") {
            rest = &rest[at + 8..];
            let Some(end) = rest.find('"') else { break };
            let path = &rest[..end];
            let after = &rest[end + 1..];
            let method = after
                .strip_prefix(",web::")
                .and_then(|m| m.split('(').next())
                .unwrap_or_else(|| panic!("cannot read the method of {path} in {rel}"));
            out.insert((method.to_uppercase(), format!("{prefix}{path}")));
        }
    }
    out
}

#[test]
fn every_registered_route_is_classified() {
    let registered = registered_routes();
    assert!(registered.len() > 80, "routes found: {}", registered.len());
    let mut listed: BTreeMap<(String, String), &str> = BTreeMap::new();
    let lists = [
        (
            "matrix",
            MATRIX.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>(),
        ),
        ("public", PUBLIC.to_vec()),
        ("kiosk", KIOSK.to_vec()),
    ];
    for (name, list) in &lists {
        for (m, p) in list {
            let prev = listed.insert((m.to_string(), p.to_string()), name);
            assert!(prev.is_none(), "{m} {p} is listed twice");
        }
    }
    let missing: Vec<_> = registered
        .iter()
        .filter(|r| !listed.contains_key(*r))
        .collect();
    assert!(
        missing.is_empty(),
        "routes in neither the matrix nor the public or kiosk lists of \
         tests/tests/reliability_tenants.rs: {missing:?}"
    );
    let stale: Vec<_> = listed.keys().filter(|r| !registered.contains(*r)).collect();
    assert!(stale.is_empty(), "listed but not registered: {stale:?}");
}

/// Callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    SiteAdmin,
    PartnershipAdmin,
    PartnershipOfficer,
    NoToken,
    BadToken,
}
const WHO: [Who; 5] = [
    Who::SiteAdmin,
    Who::PartnershipAdmin,
    Who::PartnershipOfficer,
    Who::NoToken,
    Who::BadToken,
];

/// One partnership's standing fixtures (never changed by a refused request).
#[derive(Clone, Debug)]
struct Fixture {
    pid: String,
    draft: String,
    coded: String,
    opened: String,
    closed: String,
    counted: String,
    published: String,
    sid: String,
    uid: String,
    bid: String,
    kid: String,
    mid: String,
    admin_token_id: String,
}

struct World {
    s: TestServer,
    root: String,
    a_admin: String,
    a_officer: String,
    f: [Fixture; 2],
    csrf: String,
    sheet: std::cell::Cell<i64>,
    serial: std::cell::Cell<u64>,
    /// Whether callers sign in with a session cookie rather than a token.
    by_session: std::cell::Cell<bool>,
    /// Each caller's session and CSRF token, by name.
    sessions: std::cell::RefCell<BTreeMap<String, (String, String)>>,
}

const ROOT_PASSWORD: &str = "admin-password-123";

fn round_body(title: &str, mode: &str) -> Value {
    json!({"title": title, "opens_at": "2026-01-01T09:00:00Z", "closes_at": "2099-03-21T17:00:00Z",
           "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
           "rule": "greedy",
           "areas": [{"key": "central", "name": "Central", "budget": 1000, "postcodes": ["DN15"]}],
           "eligibility": {"min_age": 16, "mode": mode}, "languages": ["en", "cy"]})
}

fn ok(r: &Resp, what: &str) {
    assert!(
        (200..300).contains(&r.status),
        "{what}: {} {}",
        r.status,
        r.text
    );
}

impl World {
    fn next(&self) -> u64 {
        let n = self.serial.get() + 1;
        self.serial.set(n);
        n
    }

    fn post_root(&self, path: &str, body: Value) -> Resp {
        let r = self.s.post(path, Some(&self.root), body);
        ok(&r, path);
        r
    }

    fn project(&self, rid: &str, image: bool) -> String {
        let key = format!("p{}", self.next());
        self.post_root(
            &format!("/api/v1/rounds/{rid}/projects"),
            json!({"key": key, "area": "central", "title": format!("Project {key}"), "cost": 400}),
        );
        if image {
            let r = self.s.request(
                Req::new("PUT", &format!("/api/v1/rounds/{rid}/projects/{key}/image"))
                    .token(Some(&self.root))
                    .bytes("image/png", PIXEL_PNG),
            );
            ok(&r, "image");
        }
        key
    }

    /// A round of partnership `pid` taken to `status` (draft, open, closed, counted,
    /// published) with project "a" (with a picture) and "b".
    fn round(&self, pid: &str, mode: &str, status: &str) -> String {
        let r = self.post_root(
            &format!("/api/v1/partnerships/{pid}/rounds"),
            round_body(&format!("Round {}", self.next()), mode),
        );
        let rid = r.json["id"].as_str().unwrap().to_string();
        for (k, cost) in [("a", 400), ("b", 500)] {
            self.post_root(
                &format!("/api/v1/rounds/{rid}/projects"),
                json!({"key": k, "area": "central", "title": format!("Project {k}"), "cost": cost}),
            );
        }
        let r = self.s.request(
            Req::new("PUT", &format!("/api/v1/rounds/{rid}/projects/a/image"))
                .token(Some(&self.root))
                .bytes("image/png", PIXEL_PNG),
        );
        ok(&r, "image");
        let steps: &[&str] = match status {
            "draft" => &[],
            "open" => &["open"],
            "closed" => &["open", "close"],
            "counted" => &["open", "close", "count"],
            _ => &["open", "close", "count", "publish"],
        };
        for step in steps {
            if *step == "close" && mode == "self-declared" {
                let b = self.s.post(
                    &format!("/api/v1/rounds/{rid}/ballots"),
                    None,
                    json!({"eligibility": {"postcode": "DN15 6AB", "age_confirmed": true,
                            "name": format!("Voter {}", self.next()), "date_of_birth": "1970-01-01"},
                           "choices": [{"project": "a"}], "language": "en"}),
                );
                ok(&b, "ballot");
            }
            let body = if *step == "count" {
                json!({"confirm": true})
            } else {
                json!({})
            };
            self.post_root(&format!("/api/v1/rounds/{rid}/{step}"), body);
        }
        rid
    }

    fn slot(&self, rid: &str) -> String {
        let r = self.post_root(
            &format!("/api/v1/rounds/{rid}/schedule"),
            json!({"place": "Library", "address": "High St", "date": "2027-03-06", "starts": "10:00", "ends": "16:00"}),
        );
        r.json["id"].as_str().unwrap().to_string()
    }

    fn update(&self, rid: &str) -> String {
        let r = self.post_root(
            &format!("/api/v1/rounds/{rid}/projects/a/updates"),
            json!({"status": "planned", "day": "2026-11-01", "body": "Benches ordered."}),
        );
        r.json["id"].as_str().unwrap().to_string()
    }

    fn batch(&self, rid: &str) -> String {
        let r = self.post_root(
            &format!("/api/v1/rounds/{rid}/paper-batches"),
            json!({"place": "Library", "collected_at": "2026-05-02T15:00:00Z", "collected_by": "Jo", "sheets": 500}),
        );
        r.json["id"].as_str().unwrap().to_string()
    }

    fn kiosk(&self, pid: &str) -> String {
        let r = self.post_root(
            &format!("/api/v1/partnerships/{pid}/kiosks"),
            json!({"name": format!("Tablet {}", self.next())}),
        );
        r.json["id"].as_str().unwrap().to_string()
    }

    fn member(&self, pid: &str) -> String {
        let r = self.post_root(
            &format!("/api/v1/partnerships/{pid}/members"),
            json!({"email": format!("m{}@example.org", self.next()), "role": "officer",
                   "password": "member-password-1"}),
        );
        r.json["id"].as_str().unwrap().to_string()
    }

    fn token_id(&self, token: &str) -> String {
        let r = self.s.get("/api/v1/tokens", Some(token));
        ok(&r, "tokens");
        r.json
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["revoked_at"].is_null())
            .map(|t| t["id"].as_str().unwrap().to_string())
            .next()
            .unwrap()
    }

    fn token(&self, who: Who) -> Option<String> {
        match who {
            Who::SiteAdmin => Some(self.root.clone()),
            Who::PartnershipAdmin => Some(self.a_admin.clone()),
            Who::PartnershipOfficer => Some(self.a_officer.clone()),
            Who::NoToken => None,
            Who::BadToken => Some(format!("ydt_{}", "0".repeat(40))),
        }
    }

    fn password(who: Who) -> &'static str {
        match who {
            Who::SiteAdmin => ROOT_PASSWORD,
            Who::PartnershipAdmin => "admin-password-1",
            _ => "officer-password-1",
        }
    }

    /// One cell's request, signed in as `who` the current way (token or session).
    fn cell(&self, method: &str, route: &str, who: Who, target: usize, fresh: bool) -> Req {
        let req = self.cell_body(method, route, who, target, fresh);
        let page = route.starts_with("/officer");
        self.auth(req, who, page && method != "GET", !page && method != "GET")
    }

    /// Adds `who`'s credentials: a bearer token, or a session cookie with the CSRF cookie (and
    /// the CSRF header for API changes); forms carry the CSRF field already.
    fn auth(&self, req: Req, who: Who, page_post: bool, api_write: bool) -> Req {
        let csrf = self.csrf_for(who);
        if !self.by_session.get() {
            let req = req.token(self.token(who).as_deref());
            return if page_post {
                req.cookies(&[("yd_csrf", &csrf)])
            } else {
                req
            };
        }
        let session = match who {
            Who::NoToken => None,
            Who::BadToken => Some("0".repeat(64)),
            w => self
                .sessions
                .borrow()
                .get(&format!("{w:?}"))
                .map(|(s, _)| s.clone()),
        };
        let mut cookies: Vec<(&str, &str)> = Vec::new();
        if let Some(s) = &session {
            cookies.push(("yd_session", s));
        }
        if page_post || session.is_some() {
            cookies.push(("yd_csrf", &csrf));
        }
        let mut req = if cookies.is_empty() {
            req
        } else {
            req.cookies(&cookies)
        };
        if api_write && session.is_some() {
            req = req.header("X-CSRF-Token", &csrf);
        }
        req
    }

    /// The CSRF token `who` sends: their session's, or a fixed one with tokens.
    fn csrf_for(&self, who: Who) -> String {
        if self.by_session.get() {
            if let Some((_, c)) = self.sessions.borrow().get(&format!("{who:?}")) {
                return c.clone();
            }
        }
        self.csrf.clone()
    }

    /// Signs `who` in with their password and keeps the session.
    fn sign_in(&self, who: Who) {
        let email = match who {
            Who::SiteAdmin => "root@example.org",
            Who::PartnershipAdmin => "admin@ashby.example",
            Who::PartnershipOfficer => "officer@ashby.example",
            _ => return,
        };
        let r = self.s.post(
            "/api/v1/login",
            None,
            json!({"email": email, "password": Self::password(who)}),
        );
        ok(&r, "sign in");
        let session = r.cookie("yd_session").unwrap();
        let csrf = r.json["csrf_token"].as_str().unwrap().to_string();
        self.sessions
            .borrow_mut()
            .insert(format!("{who:?}"), (session, csrf));
    }

    /// The path (and JSON, form or raw body) of one cell. `fresh` gives the cell resources of
    /// its own (an allowed cell may use them up); refused cells use the standing fixtures.
    fn cell_body(&self, method: &str, route: &str, who: Who, target: usize, fresh: bool) -> Req {
        let f = &self.f[target];
        let pid = f.pid.clone();
        let is_page = route.starts_with("/officer");
        // Which round the route acts on.
        let rid = if route.contains("/codes") || route.contains("/poll-cards") {
            f.coded.clone()
        } else if route.ends_with("/open")
            || route.ends_with("/cancel")
            || route.ends_with("/status")
        {
            if fresh {
                self.round(&pid, "self-declared", "draft")
            } else {
                f.draft.clone()
            }
        } else if route.ends_with("/close") {
            if fresh {
                self.round(&pid, "self-declared", "open")
            } else {
                f.opened.clone()
            }
        } else if route.ends_with("/count") || route.ends_with("/pending-kiosks") {
            if fresh {
                self.round(&pid, "self-declared", "closed")
            } else {
                f.closed.clone()
            }
        } else if route.ends_with("/publish") {
            if fresh {
                self.round(&pid, "self-declared", "counted")
            } else {
                f.counted.clone()
            }
        } else if route.contains("/results") || route.ends_with("/result") {
            f.counted.clone()
        } else if route.contains("/paper") {
            f.opened.clone()
        } else if route.contains("/updates") || route.contains("/delivery") {
            f.published.clone()
        } else {
            f.draft.clone()
        };
        let consumes_project =
            method == "DELETE" && route.contains("{key}") || route.ends_with("{key}/delete");
        let key = if fresh && consumes_project {
            self.project(&rid, true)
        } else {
            "a".to_string()
        };
        let sid = if fresh && route.contains("{sid}") {
            self.slot(&rid)
        } else {
            f.sid.clone()
        };
        let uid = if fresh
            && (method == "DELETE" || route.ends_with("/delete"))
            && route.contains("{uid}")
        {
            self.update(&rid)
        } else {
            f.uid.clone()
        };
        let kid = if fresh && route.contains("{kid}") {
            self.kiosk(&pid)
        } else {
            f.kid.clone()
        };
        let mid = if fresh && route.contains("{mid}") {
            self.member(&pid)
        } else {
            f.mid.clone()
        };
        let token_id = match (target, self.token(who)) {
            (0, Some(t)) if fresh && route.contains("{id}") => {
                let r = self
                    .s
                    .post("/api/v1/tokens", Some(&t), json!({"name": "spare"}));
                ok(&r, "spare token");
                r.json["id"].as_str().unwrap().to_string()
            }
            _ => f.admin_token_id.clone(),
        };
        let bid = if fresh && (route.ends_with("/sheets") || route.ends_with("/reconcile")) {
            self.batch(&rid)
        } else {
            f.bid.clone()
        };
        let path = route
            .replace("{pid}", &pid)
            .replace("{rid}", &rid)
            .replace("{key}", &key)
            .replace("{sid}", &sid)
            .replace("{uid}", &uid)
            .replace("{bid}", &bid)
            .replace("{kid}", &kid)
            .replace("{mid}", &mid)
            .replace("{id}", &token_id)
            .replace("{lang}", "cy")
            .replace("{area}", "central");
        let n = self.next();
        let req = Req::new(method, &path);
        if is_page {
            if method == "GET" {
                return req;
            }
            let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), self.csrf_for(who))];
            let extra: Vec<(&str, String)> = match route {
                r if r.ends_with("/status") => vec![("action", "cancel".into())],
                r if r.ends_with("/delivery") => vec![
                    ("project", "a".into()),
                    ("status", "planned".into()),
                    ("day", "2026-11-01".into()),
                    ("body", "Work starts soon.".into()),
                ],
                r if r.ends_with("/count") => vec![("confirm", "yes".into())],
                r if r.ends_with("/rounds/{rid}/projects") => vec![
                    ("key", format!("q{n}")),
                    ("area", "central".into()),
                    ("title", "A page project".into()),
                    ("cost", "300".into()),
                ],
                r if r.ends_with("/schedule") => vec![
                    ("place", "Market".into()),
                    ("date", "2027-03-06".into()),
                    ("starts", "10:00".into()),
                    ("ends", "12:00".into()),
                ],
                r if r.ends_with("/rounds/{rid}/paper") => vec![
                    ("place", "Library".into()),
                    ("collected_at", "2026-05-02T15:00".into()),
                    ("collected_by", "Jo".into()),
                    ("sheets", "3".into()),
                ],
                _ => vec![],
            };
            for (k, v) in extra {
                fields.push((k.into(), v));
            }
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            return req.form(&pairs);
        }
        if method == "GET" || method == "DELETE" {
            return req;
        }
        if route.ends_with("/image") || route.ends_with("/photo") {
            return req.bytes("image/png", PIXEL_PNG);
        }
        if route.ends_with("/import") {
            return req.raw(
                "text/csv",
                &format!("key,area,title,cost,summary\ni{n},central,Imported,100,Seats\n"),
            );
        }
        let sheet = self.sheet.get() + 1;
        self.sheet.set(sheet);
        let body = match route {
            "/api/v1/partnerships" => json!({"name": format!("Partnership {n}")}),
            r if r.ends_with("/members") => json!({"email": format!("new{n}@example.org"),
                "role": "officer", "password": "member-password-1"}),
            r if r.ends_with("/members/{mid}") => json!({"role": "admin"}),
            r if r.ends_with("{pid}/rounds") => {
                round_body(&format!("New round {n}"), "self-declared")
            }
            "/api/v1/rounds/{rid}" => json!({"title": format!("Renamed {n}")}),
            r if r.ends_with("/rounds/{rid}/translations/{lang}") => {
                json!({"title": format!("Teitl {n}"), "description": "Disgrifiad."})
            }
            r if r.ends_with("{key}/translations/{lang}") => {
                json!({"title": format!("Prosiect {n}"), "summary": "Crynodeb."})
            }
            r if r.ends_with("/rounds/{rid}/projects") => json!({"key": format!("k{n}"),
                "area": "central", "title": "New project", "cost": 100}),
            r if r.ends_with("/projects/{key}") => json!({"title": format!("Retitled {n}")}),
            r if r.ends_with("/schedule") => json!({"place": "Market", "address": "High St",
                "date": "2027-03-06", "starts": "10:00", "ends": "12:00"}),
            r if r.ends_with("/codes") || r.ends_with("/poll-cards") => json!({"count": 1}),
            r if r.ends_with("/count") => json!({"confirm": true}),
            r if r.ends_with("/monitoring-baseline") => json!({"age_band": {"25-34": 20}}),
            r if r.ends_with("/paper-batches") => json!({"place": "Library",
                "collected_at": "2026-05-02T15:00:00Z", "collected_by": "Jo", "sheets": 3}),
            r if r.ends_with("/sheets") => {
                json!({"pass": 1, "sheet": sheet, "postcode": "DN15 6AB",
                "age_confirmed": true, "name": "Sheet Voter", "date_of_birth": "1960-05-01",
                "choices": [{"project": "a"}]})
            }
            r if r.ends_with("/updates") => json!({"status": "planned", "day": "2026-11-01",
                "body": "Work starts soon."}),
            r if r.ends_with("/kiosks") => json!({"name": format!("Kiosk {n}")}),
            "/api/v1/me/password" => json!({"current_password": Self::password(who),
                "new_password": Self::password(who)}),
            "/api/v1/tokens" => json!({"name": format!("t{n}")}),
            _ => json!({}),
        };
        req.json(body)
    }

    /// What a refused request must not change: every table's row count and, as the site
    /// admin sees them, each partnership, its members, kiosks and rounds in full.
    fn fingerprint(&self, tables: &[String]) -> String {
        let mut out = counts(&self.s, tables);
        for f in &self.f {
            let mut paths = vec![
                format!("/api/v1/partnerships/{}", f.pid),
                format!("/api/v1/partnerships/{}/members", f.pid),
                format!("/api/v1/partnerships/{}/kiosks", f.pid),
                format!("/api/v1/partnerships/{}/rounds", f.pid),
                format!("/api/v1/partnerships/{}/monitoring-baseline", f.pid),
                format!("/api/v1/paper-batches/{}", f.bid),
                format!("/api/v1/rounds/{}/updates", f.published),
                format!("/api/v1/rounds/{}/results", f.counted),
                format!("/api/v1/rounds/{}/projects/a/image", f.draft),
            ];
            for rid in [
                &f.draft,
                &f.coded,
                &f.opened,
                &f.closed,
                &f.counted,
                &f.published,
            ] {
                paths.push(format!("/api/v1/rounds/{rid}"));
            }
            for p in paths {
                let r = self.s.get(&p, Some(&self.root));
                let mut v = r.json.clone();
                strip_volatile(&mut v);
                out += &format!("{p}:{}:{}:{};", r.status, v, r.text.len());
            }
        }
        for t in [&self.a_admin, &self.a_officer] {
            let mut v = self.s.get("/api/v1/tokens", Some(t)).json;
            strip_volatile(&mut v);
            out += &v.to_string();
        }
        out
    }
}

/// Every table's row count, over one connection.
fn counts(s: &TestServer, tables: &[String]) -> String {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let query = |t: &String| diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}"));
    let mut out = String::new();
    match s.db.backend {
        Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(&s.db.url).unwrap();
            for t in tables {
                let n = query(t).get_result::<Count>(&mut c).unwrap().n;
                out += &format!("{t}={n};");
            }
        }
        Backend::Postgres => {
            let mut c = diesel::PgConnection::establish(&s.db.url).unwrap();
            for t in tables {
                let n = query(t).get_result::<Count>(&mut c).unwrap().n;
                out += &format!("{t}={n};");
            }
        }
    }
    out
}

/// Drops what reading changes (when a token or kiosk was last seen) and puts lists in order.
fn strip_volatile(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with("last_"));
            m.values_mut().for_each(strip_volatile);
        }
        Value::Array(a) => {
            a.iter_mut().for_each(strip_volatile);
            // Lists whose order is not defined (rounds opening at the same time) compare as sets.
            a.sort_by_key(|v| v.to_string());
        }
        _ => {}
    }
}

/// The tables, from the server's schema.
fn tables() -> Vec<String> {
    let schema = std::fs::read_to_string(server_src().join("schema.rs")).unwrap();
    let mut out = Vec::new();
    let mut lines = schema.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "diesel::table! {" {
            let name = lines.next().unwrap().trim();
            out.push(name.split([' ', '(']).next().unwrap().to_string());
        }
    }
    assert!(out.len() > 15, "tables found: {out:?}");
    out
}

fn allowed(need: Need, who: Who, target: usize) -> bool {
    match (need, who) {
        (_, Who::NoToken | Who::BadToken) => false,
        (SiteAdmin, w) => w == Who::SiteAdmin,
        (SignedIn, _) => true,
        // A site admin may revoke anyone's token.
        (OwnToken, w) => target == 0 || w == Who::SiteAdmin,
        (_, Who::SiteAdmin) => true,
        (Admin, w) => target == 0 && w == Who::PartnershipAdmin,
        (Officer | Viewer | ViewerList, _) => target == 0,
    }
}

fn build(backend: Backend) -> World {
    let s = TestServer::start(backend);
    let root = s.admin_token("root@example.org");
    let mut w = World {
        s,
        root,
        a_admin: String::new(),
        a_officer: String::new(),
        f: [0, 1].map(|_| Fixture {
            pid: String::new(),
            draft: String::new(),
            coded: String::new(),
            opened: String::new(),
            closed: String::new(),
            counted: String::new(),
            published: String::new(),
            sid: String::new(),
            uid: String::new(),
            bid: String::new(),
            kid: String::new(),
            mid: String::new(),
            admin_token_id: String::new(),
        }),
        csrf: "c".repeat(64),
        sheet: std::cell::Cell::new(0),
        serial: std::cell::Cell::new(0),
        by_session: std::cell::Cell::new(false),
        sessions: std::cell::RefCell::new(BTreeMap::new()),
    };
    for (i, name) in ["Ashby", "Brigg"].iter().enumerate() {
        let p = w.post_root("/api/v1/partnerships", json!({"name": name}));
        let pid = p.json["id"].as_str().unwrap().to_string();
        let lower = name.to_lowercase();
        for (role, password) in [
            ("admin", "admin-password-1"),
            ("officer", "officer-password-1"),
        ] {
            w.post_root(
                &format!("/api/v1/partnerships/{pid}/members"),
                json!({"email": format!("{role}@{lower}.example"), "role": role, "password": password}),
            );
        }
        let admin = w.s.token_for(&format!("admin@{lower}.example"));
        let officer = w.s.token_for(&format!("officer@{lower}.example"));
        let draft = w.round(&pid, "self-declared", "draft");
        let published = w.round(&pid, "self-declared", "published");
        let opened = w.round(&pid, "self-declared", "open");
        let f = Fixture {
            sid: w.slot(&draft),
            uid: w.update(&published),
            bid: w.batch(&opened),
            kid: w.kiosk(&pid),
            mid: w.member(&pid),
            admin_token_id: w.token_id(&admin),
            coded: w.round(&pid, "code", "draft"),
            closed: w.round(&pid, "self-declared", "closed"),
            counted: w.round(&pid, "self-declared", "counted"),
            pid,
            draft,
            opened,
            published,
        };
        w.f[i] = f;
        if i == 0 {
            w.a_admin = admin;
            w.a_officer = officer;
        }
    }
    w
}

fn only_allowed_cells_succeed(backend: Backend) {
    let w = build(backend);
    let tables = tables();
    let b_ids = [w.f[1].pid.clone(), w.f[1].draft.clone()];
    let (mut cells, mut allowed_cells, mut refused_cells) = (0, 0, 0);
    let mut problems: Vec<String> = Vec::new();
    // With API tokens; the long run again with session cookies (and CSRF tokens).
    let modes: &[bool] = if reliability::long() {
        &[false, true]
    } else {
        &[false]
    };
    for &by_session in modes {
        w.by_session.set(by_session);
        for who in WHO {
            w.sign_in(who);
        }
        let how = if by_session { "session" } else { "token" };
        matrix(
            &w,
            &tables,
            &b_ids,
            how,
            &mut problems,
            [&mut cells, &mut allowed_cells, &mut refused_cells],
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    reliability::report(
        "tenants and roles",
        &format!(
            "{backend:?}: {} routes × 5 callers × own/other partnership × {} ways of signing in \
             = {cells} cells ({allowed_cells} allowed and succeeded, {refused_cells} refused with \
             nothing changed)",
            MATRIX.len(),
            modes.len()
        ),
    );
}

/// Runs every cell once, the current way of signing in; counts them and notes the problems.
fn matrix(
    w: &World,
    tables: &[String],
    b_ids: &[String; 2],
    how: &str,
    problems: &mut Vec<String>,
    [cells, allowed_cells, refused_cells]: [&mut usize; 3],
) {
    for &(method, route, need) in MATRIX {
        let targets: &[usize] = if matches!(need, SiteAdmin | SignedIn) {
            &[0]
        } else {
            &[0, 1]
        };
        // Refused cells first, on the standing fixtures: nothing may change.
        let before = (method != "GET").then(|| w.fingerprint(tables));
        for &who in &WHO {
            for &target in targets {
                if allowed(need, who, target) {
                    continue;
                }
                *cells += 1;
                *refused_cells += 1;
                let r = w.s.request(w.cell(method, route, who, target, false));
                let page = route.starts_with("/officer");
                let signed_out = matches!(who, Who::NoToken | Who::BadToken);
                let fine = if need == ViewerList {
                    (r.status == 200 && !r.text.contains(&w.f[target].draft))
                        || (who == Who::BadToken && r.status == 401)
                } else if page && signed_out {
                    r.status == 303 && r.location.as_deref() == Some("/login")
                } else if signed_out {
                    r.status == 401 || (need == Viewer && who == Who::NoToken && r.status == 404)
                } else if target == 0 {
                    // A member of this partnership without the role: forbidden, plainly.
                    r.status == 403
                } else {
                    matches!(r.status, 403 | 404)
                };
                if !fine {
                    problems.push(format!(
                        "{method} {route} as {who:?} by {how} on {}: {} {}",
                        ["own", "other"][target],
                        r.status,
                        r.text.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
        if let Some(before) = before {
            let after = w.fingerprint(tables);
            if before != after {
                let at = before
                    .bytes()
                    .zip(after.bytes())
                    .position(|(x, y)| x != y)
                    .unwrap_or(before.len().min(after.len()));
                let from = at.saturating_sub(150);
                problems.push(format!(
                    "{method} {route}: a refused request changed something: before …{}… after …{}…",
                    &before[from..(at + 150).min(before.len())],
                    &after[from..(at + 150).min(after.len())]
                ));
            }
        }
        // Allowed cells, each with resources of its own.
        for &who in &WHO {
            for &target in targets {
                if !allowed(need, who, target) {
                    continue;
                }
                *cells += 1;
                *allowed_cells += 1;
                let r = w.s.request(w.cell(method, route, who, target, true));
                if route == "/api/v1/logout" && w.by_session.get() {
                    // That ended the session: sign in again for the cells to come.
                    w.sign_in(who);
                }
                let fine = if route.starts_with("/officer") {
                    (200..300).contains(&r.status)
                        || (r.status == 303 && r.location.as_deref() != Some("/login"))
                        || (method == "POST" && matches!(r.status, 409 | 422))
                } else if route.ends_with("/reconcile") {
                    // Allowed, but a batch keyed once cannot be reconciled yet.
                    r.status == 409
                } else {
                    (200..300).contains(&r.status)
                };
                let leaks =
                    who != Who::SiteAdmin && b_ids.iter().any(|id| r.text.contains(id.as_str()));
                if !fine || leaks {
                    problems.push(format!(
                        "{method} {route} as {who:?} by {how} on {} (allowed){}: {} {}",
                        ["own", "other"][target],
                        if leaks {
                            " shows the other partnership"
                        } else {
                            ""
                        },
                        r.status,
                        r.text.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
    }
}

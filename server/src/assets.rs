//! Static assets under `/assets/…`: the compiled GOV.UK Frontend stylesheet, script, fonts and
//! images (from the `govuk-frontend` npm package, installed by `npm ci`, never committed), and
//! the project's own small script, built into the binary.
//!
//! Only a fixed allow-list is served: two named files at the top, and plain file names inside
//! `fonts/` and `images/`, with known extensions. Anything else is 404, so no request can reach
//! outside the asset directory. When the package is not installed the pages still work,
//! unstyled, and a warning naming `npm ci` is logged once at start-up.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable naming the asset directory (`…/govuk-frontend/dist/govuk`).
pub const ENV_VAR: &str = "YOUDECIDE_ASSETS_DIR";

/// The asset directory relative to a project root.
const RELATIVE: &str = "node_modules/govuk-frontend/dist/govuk";

/// The project's own script: marks the page as having JavaScript (GOV.UK's `js-enabled`).
const APP_JS: &str = include_str!("../static/app.js");

/// The project's own stylesheet: the few styles GOV.UK Frontend does not have.
const APP_CSS: &str = include_str!("../static/app.css");

/// The project's own module script: starts GOV.UK Frontend's components.
const INIT_JS: &str = include_str!("../static/init.mjs");

/// Top-level files that may be served from the asset directory.
const TOP_FILES: [&str; 2] = ["govuk-frontend.min.css", "govuk-frontend.min.js"];

/// Subdirectories of the asset directory that may be served.
const DIRS: [&str; 2] = ["fonts", "images"];

/// Cache for a year: every address carries a version (`?v=…`) or a hashed file name.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// Where the GOV.UK Frontend files are, found once at start-up.
#[derive(Debug, Clone)]
pub struct Assets {
    /// The directory holding `govuk-frontend.min.css`, if found.
    pub dir: Option<PathBuf>,
    /// A token that changes with the installed package, for cache-busting links.
    pub version: String,
}

static ASSETS: OnceLock<Assets> = OnceLock::new();

/// Finds the asset directory (once) and logs a warning if it is missing. Call at start-up.
pub fn init() -> &'static Assets {
    ASSETS.get_or_init(|| {
        let assets = Assets::locate();
        if assets.dir.is_none() {
            tracing::warn!(
                "GOV.UK Frontend is not installed, so pages are unstyled: run `npm ci` in the \
                 project directory, or set {ENV_VAR}"
            );
        }
        assets
    })
}

impl Assets {
    /// Looks for the asset directory: `YOUDECIDE_ASSETS_DIR` if set, else
    /// `node_modules/govuk-frontend/dist/govuk` under the working directory, under a folder
    /// holding the executable, or under the source workspace.
    pub fn locate() -> Assets {
        let mut candidates = Vec::new();
        if let Some(dir) = std::env::var_os(ENV_VAR).filter(|d| !d.is_empty()) {
            candidates.push(PathBuf::from(dir));
        } else {
            candidates.push(PathBuf::from(RELATIVE));
            if let Ok(exe) = std::env::current_exe() {
                candidates.extend(exe.ancestors().skip(1).map(|a| a.join(RELATIVE)));
            }
            candidates.push(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("..")
                    .join(RELATIVE),
            );
        }
        let dir = candidates
            .into_iter()
            .find(|d| d.join(TOP_FILES[0]).is_file())
            .and_then(|d| d.canonicalize().ok());
        let version = dir
            .as_deref()
            .and_then(package_version)
            .unwrap_or_else(|| "none".into());
        Assets { dir, version }
    }
}

/// The installed package's version, from `…/govuk-frontend/package.json`.
fn package_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("../../package.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(v["version"].as_str()?.to_string())
}

/// Whether GOV.UK Frontend was found, so pages can link its script.
pub fn installed() -> bool {
    init().dir.is_some()
}

/// The address of the GOV.UK stylesheet, with a cache-busting version.
pub fn css_href() -> String {
    format!("/assets/govuk-frontend.min.css?v={}", init().version)
}

/// The address of the project's `js-enabled` script, with a cache-busting version.
pub fn app_js_href() -> String {
    format!("/assets/app.js?v={}", own_version())
}

/// The address of the project's own stylesheet, with a cache-busting version.
pub fn app_css_href() -> String {
    format!("/assets/app.css?v={}", own_version())
}

/// The address of the module script that starts GOV.UK Frontend's components.
pub fn init_js_href() -> String {
    format!("/assets/init.mjs?v={}-{}", own_version(), init().version)
}

/// The address of the GOV.UK Frontend module script, with a cache-busting version.
pub fn govuk_js_href() -> String {
    format!("/assets/govuk-frontend.min.js?v={}", init().version)
}

/// The start-up module, importing the versioned GOV.UK Frontend script (the same address the
/// page loads, so the browser fetches it once).
fn init_module() -> String {
    INIT_JS.replace(
        "'/assets/govuk-frontend.min.js'",
        &format!("'{}'", govuk_js_href()),
    )
}

/// A short hash of the project's own scripts.
fn own_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let digest = Sha256::new()
            .chain_update(APP_JS)
            .chain_update(INIT_JS)
            .chain_update(APP_CSS)
            .finalize();
        hex::encode(&digest[..6])
    })
}

/// Registers `/assets/{path}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{path:.*}", web::get().to(serve));
}

async fn serve(path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    match path.as_str() {
        "app.js" => return ok(CONTENT_JS, APP_JS.as_bytes().to_vec()),
        "app.css" => return ok("text/css; charset=utf-8", APP_CSS.as_bytes().to_vec()),
        "init.mjs" => return ok(CONTENT_JS, init_module().into_bytes()),
        _ => {}
    }
    let (Some(root), Some((relative, content_type))) = (init().dir.clone(), allowed(&path)) else {
        return not_found();
    };
    let file = root.join(relative);
    match web::block(move || std::fs::read(file)).await {
        Ok(Ok(bytes)) => ok(content_type, bytes),
        _ => not_found(),
    }
}

const CONTENT_JS: &str = "text/javascript; charset=utf-8";

/// The allow-listed relative path and content type for a requested path, if it may be served.
fn allowed(path: &str) -> Option<(PathBuf, &'static str)> {
    let segments: Vec<&str> = path.split('/').collect();
    let name = match segments.as_slice() {
        [name] if TOP_FILES.contains(name) => *name,
        [dir, name] if DIRS.contains(dir) => *name,
        _ => return None,
    };
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !plain {
        return None;
    }
    let content_type = match name.rsplit_once('.')?.1 {
        "css" => "text/css; charset=utf-8",
        "js" => CONTENT_JS,
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => return None,
    };
    Some((segments.iter().collect(), content_type))
}

fn ok(content_type: &'static str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, CACHE_FOREVER))
        .body(body)
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body("Not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_only_the_allow_list() {
        let ok = |p: &str| allowed(p).map(|(path, ct)| (path, ct.to_string()));
        assert_eq!(
            ok("govuk-frontend.min.css").unwrap().1,
            "text/css; charset=utf-8"
        );
        assert_eq!(
            ok("fonts/bold-b542beb274-v2.woff2").unwrap(),
            (
                PathBuf::from("fonts/bold-b542beb274-v2.woff2"),
                "font/woff2".into()
            )
        );
        assert_eq!(ok("images/favicon.svg").unwrap().1, "image/svg+xml");
        for bad in [
            "",
            "../Cargo.toml",
            "fonts/../../../etc/passwd",
            "fonts/..",
            "fonts/.hidden.woff",
            "fonts/a/b.woff",
            "/etc/passwd",
            "images/%2e%2e.svg",
            "images\\..\\x.svg",
            "template.njk",
            "all.mjs",
            "components/button/button.mjs",
            "images/favicon.exe",
            "fonts/",
            "govuk-frontend.min.css.map",
        ] {
            assert!(allowed(bad).is_none(), "{bad:?} must not be served");
        }
    }
}

//! "You said, we did" for residents: each funded project's progress at a glance and the
//! timeline of delivery updates (newest first), in the round's languages, and an Atom feed of
//! the updates for anyone who wants to follow them.

use super::format::{date, money};
use super::layout::{escape, language_switcher, Page};
use super::public::not_found;
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::rounds::Round;
use crate::routes::updates::public_updates;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds/{rid}/delivery", web::get().to(page))
        .route("/rounds/{rid}/delivery.atom", web::get().to(feed));
}

/// The GOV.UK tag colour for a status.
fn tag(status: &str) -> &'static str {
    match status {
        "delivered" => "govuk-tag--green",
        "in-progress" => "govuk-tag--blue",
        "changed" => "govuk-tag--yellow",
        "cancelled" => "govuk-tag--red",
        _ => "govuk-tag--grey",
    }
}

fn status_text(lang: Lang, status: &str) -> String {
    lang.t(&format!("dl-status-{status}"))
}

/// A project title in the page's language.
fn title(lang: Lang, round: &Round, key: &str, english: &str) -> String {
    round
        .translations
        .get(&(key.to_string(), lang.code.to_string()))
        .filter(|t| lang.code != "en" && !t.title.trim().is_empty())
        .map_or_else(|| english.to_string(), |t| t.title.clone())
}

/// "3 of 5 funded projects delivered, 1 in progress", with a link to the timeline: for the
/// round page.
pub fn progress_summary(lang: Lang, round: &Round, v: &Value) -> String {
    let progress: Vec<&Value> = v["progress"].as_array().into_iter().flatten().collect();
    if progress.is_empty() {
        return String::new();
    }
    let count = |s: &str| progress.iter().filter(|p| p["status"] == s).count() as i64;
    format!(
        r#"<h3 class="govuk-heading-m" id="delivery">{h}</h3><p class="govuk-body">{line}</p>
<p class="govuk-body"><a class="govuk-link" href="/rounds/{rid}/delivery?lang={lang}">{link}</a></p>"#,
        h = escape(&lang.t("dl-title")),
        line = escape(&lang.ta(
            "dl-summary",
            &[
                ("delivered", count("delivered").into()),
                ("funded", (progress.len() as i64).into()),
                ("progress", count("in-progress").into())
            ]
        )),
        rid = escape(&round.row.id),
        lang = lang.code,
        link = escape(&lang.t("dl-see-timeline")),
    )
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some((round, v)) = public_updates(&state, &path).await? else {
        return Ok(not_found(&req));
    };
    let offered = round.spec.languages.clone();
    let lang = Lang::pick(&req, &offered);
    let t = |id: &str| escape(&lang.t(id));
    let glance: String = v["progress"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let status = p["status"].as_str().unwrap_or("planned");
            format!(
                r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt><dd class="govuk-summary-list__value"><strong class="govuk-tag {}">{}</strong></dd></div>"#,
                escape(&title(lang, &round, p["project"].as_str().unwrap_or(""), p["title"].as_str().unwrap_or(""))),
                tag(status),
                escape(&status_text(lang, status)),
            )
        })
        .collect();
    let timeline: String = v["updates"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            let status = u["status"].as_str().unwrap_or("planned");
            let day = u["day"]
                .as_str()
                .and_then(|d| d.parse().ok())
                .map_or_else(String::new, |d| date(lang, d));
            let reason = u["reason"].as_str().map_or(String::new(), |r| {
                format!(r#"<p class="govuk-body"><strong>{}</strong> <span lang="en" dir="ltr">{}</span></p>"#, t("dl-reason"), escape(r))
            });
            let spend = u["spend_to_date"].as_i64().map_or(String::new(), |p| {
                format!(r#"<p class="govuk-body">{}</p>"#, escape(&lang.ta("dl-spend", &[("spend", money(p).into())])))
            });
            let photo = u["photo_url"].as_str().map_or(String::new(), |src| {
                format!(r#"<img class="yd-project-image" src="{}" alt="{}">"#, escape(src), escape(&lang.t("dl-photo")))
            });
            format!(
                r#"<li class="yd-update"><h3 class="govuk-heading-s">{title} <strong class="govuk-tag {tag}">{status}</strong></h3>
<p class="govuk-body-s">{day}</p><p class="govuk-body" lang="en" dir="ltr">{body}</p>{reason}{spend}{photo}</li>"#,
                title = escape(&title(lang, &round, u["project"].as_str().unwrap_or(""), u["project_title"].as_str().unwrap_or(""))),
                tag = tag(status),
                status = escape(&status_text(lang, status)),
                day = escape(&day),
                body = escape(u["body"].as_str().unwrap_or("")),
            )
        })
        .collect();
    let timeline = if timeline.is_empty() {
        format!(r#"<p class="govuk-body">{}</p>"#, t("dl-none"))
    } else {
        format!(r#"<ol class="govuk-list yd-timeline">{timeline}</ol>"#)
    };
    let rid = escape(&round.row.id);
    let main = format!(
        r#"<span class="govuk-caption-l">{round_title}</span><h1 class="govuk-heading-xl">{h1}</h1>
<p class="govuk-body-l">{intro}</p>
<h2 class="govuk-heading-l">{glance_h}</h2><dl class="govuk-summary-list">{glance}</dl>
<h2 class="govuk-heading-l">{timeline_h}</h2>{timeline}
<p class="govuk-body"><a class="govuk-link" href="/rounds/{rid}/delivery.atom">{feed}</a></p>
<p class="govuk-body"><a class="govuk-link" href="/rounds/{rid}/results?lang={lang}">{results}</a> · <a class="govuk-link" href="/rounds/{rid}?lang={lang}">{back}</a></p>"#,
        round_title = escape(&round.row.title),
        h1 = t("dl-title"),
        intro = t("dl-intro"),
        glance_h = t("dl-glance"),
        timeline_h = t("dl-timeline"),
        feed = t("dl-feed"),
        results = t("rs-title"),
        back = t("rs-back"),
        lang = lang.code,
    );
    let full = format!("{} – {}", lang.t("dl-title"), round.row.title);
    Ok(Page {
        title: &full,
        main,
        lang,
        switcher: language_switcher(lang, &offered, req.path()),
        cookie: lang.cookie_if_chosen(&req),
        ..Page::default()
    }
    .respond(StatusCode::OK))
}

/// XML text with the five special characters escaped.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

async fn feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some((round, v)) = public_updates(&state, &path).await? else {
        return Ok(not_found(&req));
    };
    let base = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    let rid = &round.row.id;
    let updates: Vec<&Value> = v["updates"].as_array().into_iter().flatten().collect();
    let updated = updates
        .iter()
        .filter_map(|u| u["created_at"].as_str())
        .max()
        .map_or_else(
            || crate::time_fmt::rfc3339(round.row.updated_at),
            String::from,
        );
    let entries: String = updates
        .iter()
        .map(|u| {
            let status = u["status"].as_str().unwrap_or("");
            let mut text = u["body"].as_str().unwrap_or("").to_string();
            if let Some(r) = u["reason"].as_str() {
                text += &format!("\nWhy: {r}");
            }
            if let Some(p) = u["spend_to_date"].as_i64() {
                text += &format!("\nSpent so far: {}", money(p));
            }
            format!(
                "<entry><id>urn:uuid:{id}</id><title>{title}: {status}</title><updated>{updated}</updated><published>{updated}</published><link href=\"{base}/rounds/{rid}/delivery\"/><content type=\"text\">{text}</content></entry>\n",
                id = xml(u["id"].as_str().unwrap_or("")),
                title = xml(u["project_title"].as_str().unwrap_or("")),
                status = xml(&status_text(Lang::ENGLISH, status)),
                updated = xml(u["created_at"].as_str().unwrap_or("")),
                text = xml(&text),
            )
        })
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<id>{base}/rounds/{rid}/delivery.atom</id>\n<title>You said, we did: {title}</title>\n<updated>{updated}</updated>\n<author><name>{title}</name></author>\n<link rel=\"self\" href=\"{base}/rounds/{rid}/delivery.atom\"/>\n<link href=\"{base}/rounds/{rid}/delivery\"/>\n{entries}</feed>\n",
        title = xml(&round.row.title),
    );
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(body))
}

//! The officers' pages: a partnership's rounds, creating and editing a round (areas, method,
//! eligibility, dates, languages), its projects and pop-up schedule, opening, closing and
//! cancelling it, a preview as residents will see it, and the audit log.
//!
//! Every change goes through the same handlers as the JSON API (so the same checks, audit
//! entries and plain-English refusals apply); the forms only turn fields into the API's JSON
//! and show its errors beside the fields. Every form carries the CSRF token.

use super::format::{date_time, money, now, uk_local};
use super::layout::{error_summary, escape, language_switcher, Page};
use super::public::render_round;
use crate::accounts::{self, Role};
use crate::app::AppState;
use crate::audit;
use crate::auth::{csrf, Caller};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::rounds::store::{self, Round};
use crate::rounds::RoundStatus;
use crate::routes::parse_id;
use crate::routes::rounds as api;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};
use std::collections::HashMap;
use youdecide_shared::ids::PartnershipId;
use youdecide_shared::round::{EligibilityMode, Method, LANGUAGES};

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/officer/p/{pid}", web::get().to(partnership))
        .route("/officer/p/{pid}/audit", web::get().to(audit_page))
        .route(
            "/officer/p/{pid}/rounds/new",
            web::get().to(rounds::new_round),
        )
        .route(
            "/officer/p/{pid}/rounds/new",
            web::post().to(rounds::create_round),
        )
        .route("/officer/rounds/{rid}", web::get().to(rounds::round_page))
        .route(
            "/officer/rounds/{rid}/edit",
            web::get().to(rounds::edit_round),
        )
        .route(
            "/officer/rounds/{rid}/edit",
            web::post().to(rounds::save_round),
        )
        .route(
            "/officer/rounds/{rid}/status",
            web::post().to(rounds::change_status),
        )
        .route("/officer/rounds/{rid}/preview", web::get().to(preview))
        .route(
            "/officer/rounds/{rid}/result",
            web::get().to(count::result_page),
        )
        .route("/officer/rounds/{rid}/count", web::post().to(count::count))
        .route(
            "/officer/rounds/{rid}/paper",
            web::get().to(paper::batches_page),
        )
        .route(
            "/officer/rounds/{rid}/paper",
            web::post().to(paper::create_batch),
        )
        .route("/officer/paper/{bid}", web::get().to(paper::batch_page))
        .route(
            "/officer/rounds/{rid}/delivery",
            web::get().to(delivery::delivery_page),
        )
        .route(
            "/officer/rounds/{rid}/delivery",
            web::post().to(delivery::add),
        )
        .route(
            "/officer/rounds/{rid}/delivery/{uid}/delete",
            web::post().to(delivery::remove),
        )
        .route(
            "/officer/paper/{bid}/sheets",
            web::post().to(paper::key_sheet),
        )
        .route(
            "/officer/paper/{bid}/reconcile",
            web::post().to(paper::reconcile),
        )
        .route(
            "/officer/rounds/{rid}/publish",
            web::post().to(count::publish),
        )
        .route(
            "/officer/rounds/{rid}/projects",
            web::post().to(projects::add_project),
        )
        .route(
            "/officer/rounds/{rid}/projects/{key}",
            web::get().to(projects::edit_project),
        )
        .route(
            "/officer/rounds/{rid}/projects/{key}",
            web::post().to(projects::save_project),
        )
        .route(
            "/officer/rounds/{rid}/projects/{key}/delete",
            web::post().to(projects::delete_project),
        )
        .route(
            "/officer/rounds/{rid}/schedule",
            web::post().to(schedule::add_slot),
        )
        .route(
            "/officer/rounds/{rid}/schedule/{sid}/delete",
            web::post().to(schedule::delete_slot),
        );
}

type Form = crate::pages::form_fields::FormMap;

/// The signed-in officer, or a redirect to sign in.
async fn officer(req: &HttpRequest) -> Result<Result<Caller, HttpResponse>, AppError> {
    match Caller::from_http(req).await {
        Ok(c) => Ok(Ok(c)),
        Err(AppError::Unauthorized { .. }) => Ok(Err(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/login"))
            .finish())),
        Err(e) => Err(e),
    }
}

/// Signs in or returns the redirect.
macro_rules! signed_in {
    ($req:expr) => {
        match officer(&$req).await? {
            Ok(c) => c,
            Err(redirect) => return Ok(redirect),
        }
    };
}

mod count;
mod delivery;
mod forms;
mod paper;
mod projects;
mod rounds;
mod schedule;

/// An officer page with the CSRF token its forms need.
fn page(
    req: &HttpRequest,
    caller: &Caller,
    title: &str,
    status: StatusCode,
    main: impl FnOnce(&str) -> String,
) -> HttpResponse {
    let (token, new_cookie) = csrf::token_for(req);
    let mut resp = Page {
        title,
        main: main(&token),
        signed_in_as: Some(&caller.user.email),
        csrf_token: Some(&token),
        ..Page::default()
    }
    .respond(status);
    if let Some(c) = new_cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

fn hidden_csrf(token: &str) -> String {
    format!(
        r#"<input type="hidden" name="csrf_token" value="{}">"#,
        escape(token)
    )
}

fn check_csrf(req: &HttpRequest, form: &HashMap<String, String>) -> Result<(), AppError> {
    csrf::verify(req, form.get("csrf_token").map(String::as_str))
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", |s| s.trim())
}

/// Problems to show: `(input id, message)`, from an API error.
fn problems(e: &AppError) -> Vec<(String, String)> {
    if let AppError::InvalidFields { fields, .. } = e {
        if let Some(list) = fields.as_array() {
            let out: Vec<(String, String)> = list
                .iter()
                .map(|f| {
                    let name = f["field"].as_str().unwrap_or("");
                    let message = f["message"].as_str().unwrap_or("");
                    let id = input_for(name);
                    let label = if name.is_empty() {
                        message.to_string()
                    } else {
                        format!("{}: {message}", name.replace('_', " "))
                    };
                    (id, label)
                })
                .collect();
            if !out.is_empty() {
                return out;
            }
        }
    }
    vec![(String::new(), e.public_message())]
}

/// The form input an API field name belongs to.
fn input_for(api_field: &str) -> String {
    let top = api_field.split(['.', '[']).next().unwrap_or(api_field);
    match top {
        "method" => api_field
            .rsplit('.')
            .next()
            .filter(|f| !f.is_empty() && *f != "method")
            .unwrap_or("method_kind")
            .to_string(),
        "eligibility" => match api_field.rsplit('.').next() {
            Some("mode") => "mode".into(),
            _ => "min_age".into(),
        },
        "" => String::new(),
        other => other.to_string(),
    }
}

fn summary_of(errors: &[(String, String)]) -> String {
    let list: Vec<(&str, String)> = errors
        .iter()
        .map(|(id, m)| {
            (
                if id.is_empty() {
                    "main-content"
                } else {
                    id.as_str()
                },
                m.clone(),
            )
        })
        .collect();
    error_summary(&list)
}

/// A text input in a GOV.UK form group, with its error if any.
async fn partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    let role = caller.role_in(&state, pid).await?;
    let (p, rows) = state
        .db
        .run(move |conn| {
            let p = accounts::find_partnership(conn, pid)?
                .ok_or_else(|| AppError::not_found("There is no such partnership."))?;
            let rows = store::list(conn, &p.id, true)?;
            Ok((p, rows))
        })
        .await?;
    let lang = Lang::ENGLISH;
    let rows_html: String = rows
        .iter()
        .map(|r| {
            format!(
                r#"<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" href="/officer/rounds/{}">{}</a></td><td class="govuk-table__cell"><strong class="govuk-tag">{}</strong></td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td></tr>"#,
                escape(&r.id),
                escape(&r.title),
                escape(&r.status),
                escape(&date_time(lang, r.opens_at)),
                escape(&date_time(lang, r.closes_at)),
            )
        })
        .collect();
    let table = if rows.is_empty() {
        r#"<p class="govuk-body">There are no rounds yet.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--m">Rounds</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Round</th><th scope="col" class="govuk-table__header">Status</th><th scope="col" class="govuk-table__header">Opens</th><th scope="col" class="govuk-table__header">Closes</th></tr></thead><tbody class="govuk-table__body">{rows_html}</tbody></table>"#
        )
    };
    let admin_links = if role == Role::Admin {
        format!(
            r#"<a class="govuk-button" data-module="govuk-button" href="/officer/p/{id}/rounds/new">Create a round</a>
<p class="govuk-body"><a class="govuk-link" href="/officer/p/{id}/audit">Audit log</a></p>"#,
            id = escape(&p.id)
        )
    } else {
        String::new()
    };
    let title = p.name.clone();
    Ok(page(&req, &caller, &title, StatusCode::OK, |_| {
        format!(
            r#"<span class="govuk-caption-l">Partnership</span><h1 class="govuk-heading-l">{}</h1>{admin_links}{table}
<p class="govuk-body">Public page: <a class="govuk-link" href="/p/{slug}">/p/{slug}</a></p>"#,
            escape(&p.name),
            slug = escape(&p.slug)
        )
    }))
}

async fn audit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let entries = state
        .db
        .run(move |conn| audit::list(conn, &pid.to_string(), 500))
        .await?;
    let rows: String = entries
        .iter()
        .map(|e| {
            let s = |v: &Value| escape(v.as_str().unwrap_or(""));
            format!(
                r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{} {}</td></tr>"#,
                s(&e["at"]),
                s(&e["actor"]["email"]),
                s(&e["action"]),
                s(&e["subject"]["type"]),
                s(&e["subject"]["id"]),
            )
        })
        .collect();
    Ok(page(&req, &caller, "Audit log", StatusCode::OK, |_| {
        format!(
            r#"<h1 class="govuk-heading-l">Audit log</h1>
<p class="govuk-body">Every change to this partnership's rounds, newest first. Entries cannot be changed or deleted.</p>
<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">When (UTC)</th><th scope="col" class="govuk-table__header">Who</th><th scope="col" class="govuk-table__header">What</th><th scope="col" class="govuk-table__header">Subject</th></tr></thead><tbody class="govuk-table__body">{rows}</tbody></table>"#
        )
    }))
}

// ----- creating and editing a round -----

/// The round form's values, as typed.
async fn body_json(resp: HttpResponse) -> Value {
    actix_web::body::to_bytes(resp.into_body())
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

fn bytes(v: &Value) -> web::Bytes {
    web::Bytes::from(v.to_string())
}

/// The status to answer a refused form with.
fn refused_status(e: &AppError) -> StatusCode {
    e.status_code()
}

async fn managed(state: &AppState, caller: &Caller, rid: &str) -> Result<(Round, Role), AppError> {
    let id = rid.to_string();
    let round = state
        .db
        .run(move |conn| store::load(conn, &id))
        .await?
        .ok_or_else(|| AppError::not_found("There is no such round."))?;
    let pid: PartnershipId = parse_id(&round.row.partnership_id, "partnership")?;
    let role = caller.role_in(state, pid).await?;
    Ok((round, role))
}

/// Loads a round whose partnership the caller holds at least `needed` in (403 otherwise).
async fn managed_as(
    state: &AppState,
    caller: &Caller,
    rid: &str,
    needed: Role,
) -> Result<Round, AppError> {
    let (round, role) = managed(state, caller, rid).await?;
    if role < needed {
        return Err(AppError::forbidden(
            "forbidden",
            format!("Only a partnership {needed} can do this."),
        ));
    }
    Ok(round)
}

async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let (round, _) = managed(&state, &caller, &path).await?;
    let lang = Lang::pick(&req, &round.spec.languages);
    let (token, new_cookie) = csrf::token_for(&req);
    let title = format!("Preview: {}", round.spec.title);
    let mut resp = Page {
        title: &title,
        main: format!(
            r#"<div class="govuk-notification-banner" role="region" aria-labelledby="preview-title" data-module="govuk-notification-banner"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="preview-title" lang="en" dir="ltr">Preview</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading" lang="en" dir="ltr">This is how residents will see the round{}. <a class="govuk-notification-banner__link" href="/officer/rounds/{}">Back to the round</a></p></div></div>{}"#,
            if round.status == RoundStatus::Draft { " once it opens" } else { "" },
            escape(&round.row.id),
            render_round(&round, lang, now().max(round.row.opens_at), None),
        ),
        signed_in_as: Some(&caller.user.email),
        csrf_token: Some(&token),
        lang,
        switcher: language_switcher(lang, &round.spec.languages, req.path()),
        cookie: None,
    }
    .respond(StatusCode::OK);
    if let Some(c) = new_cookie {
        let _ = resp.add_cookie(&c);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::forms::*;
    use super::*;

    #[test]
    fn pounds_become_pence() {
        assert_eq!(pence("12,000"), Some(1_200_000));
        assert_eq!(pence("£12000.5"), Some(1_200_050));
        assert_eq!(pence(" 0.05 "), Some(5));
        for bad in ["", "twelve", "1.234", "-5", "1e3", "."] {
            assert_eq!(pence(bad), None, "{bad}");
        }
        assert_eq!(pounds_input(1_200_050), "12000.50");
    }

    #[test]
    fn uk_times_typed_become_utc() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(from_uk_local(t("2027-07-01T09:00")), t("2027-07-01T08:00"));
        assert_eq!(from_uk_local(t("2027-12-01T09:00")), t("2027-12-01T09:00"));
        assert_eq!(local_input(t("2027-07-01T08:00")), "2027-07-01T09:00");
    }

    #[test]
    fn api_fields_map_to_inputs() {
        assert_eq!(input_for("method.max_choices"), "max_choices");
        assert_eq!(input_for("areas[1].budget"), "areas");
        assert_eq!(input_for("eligibility.mode"), "mode");
        assert_eq!(input_for("title"), "title");
    }
}

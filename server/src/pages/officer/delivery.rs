//! "You said, we did" for officers: add delivery updates to the funded projects of a published
//! round, and remove mistaken ones. Through the JSON API's functions.

use super::forms::{input, pence};
use super::{
    check_csrf, field, hidden_csrf, managed, officer, page, problems, see_other, summary_of, Form,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::pages::format::money;
use crate::pages::layout::escape;
use crate::routes::updates as api;
use crate::updates::{NewUpdate, STATUSES};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use std::collections::HashMap;

/// The round's delivery page.
pub(super) async fn delivery_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    view(
        &req,
        &state,
        &caller,
        &path,
        &[],
        &HashMap::new(),
        StatusCode::OK,
    )
    .await
}

async fn view(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    rid: &str,
    errors: &[(String, String)],
    typed: &HashMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (round, _) = managed(state, caller, rid).await?;
    let public = api::public_updates(state, rid).await?;
    let id = escape(&round.row.id);
    let title = format!("Delivery: {}", round.spec.title);
    let Some((_, v)) = public else {
        return Ok(page(req, caller, &title, status, |_| {
            format!(
                r#"<h1 class="govuk-heading-l">You said, we did</h1><p class="govuk-body">Delivery updates can be added once the round's result is published.</p><p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{id}">Back to the round</a></p>"#
            )
        }));
    };
    let v2 = |k: &str| typed.get(k).map_or("", String::as_str).to_string();
    let projects: String = v["progress"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let key = p["project"].as_str().unwrap_or("");
            let selected = if v2("project") == key {
                " selected"
            } else {
                ""
            };
            format!(
                r#"<option value="{k}"{selected}>{t} (now: {s})</option>"#,
                k = escape(key),
                t = escape(p["title"].as_str().unwrap_or("")),
                s = escape(p["status"].as_str().unwrap_or("")),
            )
        })
        .collect();
    Ok(page(req, caller, &title, status, |token| {
        let csrf = hidden_csrf(token);
        let statuses: String = STATUSES
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let checked = if v2("status") == *s { " checked" } else { "" };
                let input_id = if i == 0 { "status".to_string() } else { format!("status-{s}") };
                format!(
                    r#"<div class="govuk-radios__item"><input class="govuk-radios__input" id="{input_id}" name="status" type="radio" value="{s}"{checked}><label class="govuk-label govuk-radios__label" for="{input_id}">{}</label></div>"#,
                    s.replace('-', " ")
                )
            })
            .collect();
        let list: String = v["updates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| {
                format!(
                    r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{day}</td><td class="govuk-table__cell">{title}</td><td class="govuk-table__cell">{status}</td><td class="govuk-table__cell">{body}</td><td class="govuk-table__cell">{spend}</td><td class="govuk-table__cell"><form method="post" action="/officer/rounds/{id}/delivery/{uid}/delete" novalidate>{csrf}<button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button">Remove<span class="govuk-visually-hidden"> the update of {day}</span></button></form></td></tr>"#,
                    day = escape(u["day"].as_str().unwrap_or("")),
                    title = escape(u["project_title"].as_str().unwrap_or("")),
                    status = escape(u["status"].as_str().unwrap_or("")),
                    body = escape(u["body"].as_str().unwrap_or("")),
                    spend = u["spend_to_date"].as_i64().map_or(String::new(), money),
                    uid = escape(u["id"].as_str().unwrap_or("")),
                )
            })
            .collect();
        format!(
            r#"{summary}<span class="govuk-caption-l">{round_title}</span><h1 class="govuk-heading-l">You said, we did</h1>
<p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{id}">Back to the round</a> · <a class="govuk-link" href="/rounds/{id}/delivery">The public timeline</a></p>
<h2 class="govuk-heading-m">Add an update</h2>
<form method="post" action="/officer/rounds/{id}/delivery" novalidate>{csrf}
<div class="govuk-form-group"><label class="govuk-label" for="project">Funded project</label><select class="govuk-select" id="project" name="project">{projects}</select></div>
<div class="govuk-form-group"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Status</legend><div class="govuk-radios govuk-radios--small" data-module="govuk-radios">{statuses}</div></fieldset></div>
{reason}{day}{body}{spend}
<button type="submit" class="govuk-button" data-module="govuk-button" id="add-update">Add the update</button>
</form>
<h2 class="govuk-heading-m">Updates</h2>
<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Day</th><th scope="col" class="govuk-table__header">Project</th><th scope="col" class="govuk-table__header">Status</th><th scope="col" class="govuk-table__header">What happened</th><th scope="col" class="govuk-table__header">Spent so far</th><th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th></tr></thead><tbody class="govuk-table__body">{list}</tbody></table>"#,
            summary = summary_of(errors),
            round_title = escape(&round.spec.title),
            reason = input(
                "reason",
                "Why (if it changed or was cancelled)",
                "",
                &v2("reason"),
                "textarea",
                errors,
                ""
            ),
            day = input(
                "day",
                "Date",
                "For example, 2027-03-14",
                &v2("day"),
                "text",
                errors,
                "govuk-input--width-10"
            ),
            body = input(
                "body",
                "What happened",
                "In plain English, for residents",
                &v2("body"),
                "textarea",
                errors,
                ""
            ),
            spend = input(
                "spend_to_date",
                "Spent so far, in pounds (optional)",
                "",
                &v2("spend_to_date"),
                "text",
                errors,
                "govuk-input--width-10"
            ),
        )
    }))
}

/// Adds an update from the form.
pub(super) async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let spend_text = field(&form, "spend_to_date");
    let spend = if spend_text.is_empty() {
        None
    } else {
        // A figure that is not money becomes -1 so the check names the field.
        Some(pence(spend_text).unwrap_or(-1))
    };
    let u = NewUpdate {
        status: field(&form, "status").to_string(),
        reason: Some(field(&form, "reason").to_string()),
        day: field(&form, "day").to_string(),
        body: field(&form, "body").to_string(),
        spend_to_date: spend,
    };
    match api::add_update(&state, &caller, &rid, field(&form, "project"), u).await {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}/delivery"))),
        Err(e @ (AppError::InvalidFields { .. } | AppError::Conflict { .. })) => {
            view(
                &req,
                &state,
                &caller,
                &rid,
                &problems(&e),
                &form.0,
                e.status_code(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Removes an update.
pub(super) async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let (rid, uid) = path.into_inner();
    api::remove_update(&state, &caller, &rid, &uid).await?;
    Ok(see_other(&format!("/officer/rounds/{rid}/delivery")))
}

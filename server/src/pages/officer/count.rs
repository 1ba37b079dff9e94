//! Counting and publishing for officers: before counting, the kiosks that may still hold
//! ballots and a confirmation; then the draft result, turnout, the conflicts (the same person
//! at several places, with times and places, never choices) and rejected ballots by reason;
//! count again or publish. Both go through the JSON API's handlers.

use super::{
    bytes, check_csrf, field, hidden_csrf, managed, officer, page, problems, see_other, summary_of,
    Form,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::pages::format::{date_time, money};
use crate::pages::layout::escape;
use crate::results::store as results_store;
use crate::rounds::{Round, RoundStatus};
use crate::routes::results as api;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde_json::{json, Value};

/// The result page of a round.
pub(super) async fn result_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    result_view(&req, &state, &caller, &path, &[], StatusCode::OK).await
}

/// Counts (again), with the officer's confirmation when kiosks may hold ballots.
pub(super) async fn count(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let body = json!({ "confirm": field(&form, "confirm") == "yes" });
    let done = api::count(
        state.clone(),
        caller.clone(),
        web::Path::from(rid.clone()),
        bytes(&body),
    )
    .await;
    after(&req, &state, &caller, &rid, done).await
}

/// Publishes the counted result.
pub(super) async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let done = api::publish(state.clone(), caller.clone(), web::Path::from(rid.clone())).await;
    after(&req, &state, &caller, &rid, done).await
}

async fn after(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    rid: &str,
    done: Result<HttpResponse, AppError>,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(_) => Ok(see_other(&format!("/officer/rounds/{rid}/result"))),
        Err(e @ (AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            result_view(req, state, caller, rid, &problems(&e), e.status_code()).await
        }
        Err(e) => Err(e),
    }
}

async fn result_view(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    rid: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (round, _) = managed(state, caller, rid).await?;
    let r2 = round.clone();
    let ((pending, paper), stored) = state
        .db
        .run(move |conn| {
            let (pending, paper) =
                if matches!(r2.status, RoundStatus::Closed | RoundStatus::Counted) {
                    (
                        results_store::pending_kiosks(conn, &r2)?,
                        crate::results::pending_paper(conn, &r2.row.id)?,
                    )
                } else {
                    (Vec::new(), Vec::new())
                };
            Ok(((pending, paper), results_store::find(conn, &r2.row.id)?))
        })
        .await?;
    let result = stored.as_ref().map(|r| r.to_json()).transpose()?;
    let review = stored.as_ref().map(|r| r.review_json());
    let id = escape(&round.row.id);
    let title = format!("Result: {}", round.spec.title);
    Ok(page(req, caller, &title, status, |token| {
        let csrf = hidden_csrf(token);
        let count_form = match round.status {
            RoundStatus::Closed | RoundStatus::Counted => {
                count_form(&id, &csrf, &pending, &paper, round.status)
            }
            RoundStatus::Published => format!(
                r#"<div class="govuk-panel govuk-panel--confirmation"><h2 class="govuk-panel__title">Published</h2><div class="govuk-panel__body">{}</div></div>
<p class="govuk-body"><a class="govuk-link" href="/rounds/{id}/results">The public results page</a> · <a class="govuk-link" href="/officer/rounds/{id}/delivery">You said, we did: delivery updates</a></p>"#,
                escape(
                    &result
                        .as_ref()
                        .and_then(|r| r["published_at"].as_str())
                        .map_or_else(String::new, |t| format!("on {}", shown_time(t)))
                )
            ),
            _ => r#"<p class="govuk-body">A round can be counted once voting has closed.</p>"#
                .to_string(),
        };
        let draft = match (&result, round.status) {
            (Some(r), RoundStatus::Counted) => {
                draft_section(&round, r, review.as_ref().unwrap_or(&Value::Null))
                    + &format!(
                        r#"<h2 class="govuk-heading-m">Publish</h2>
<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>Publishing shows the result to everyone and freezes it. It also removes the link between voters and their ballots, so conflicts can no longer be reviewed. It cannot be undone.</strong></div>
<form method="post" action="/officer/rounds/{id}/publish" novalidate>{csrf}<button type="submit" class="govuk-button" data-module="govuk-button" id="publish">Publish the result</button></form>"#
                    )
            }
            (Some(r), RoundStatus::Published) => draft_section(&round, r, &Value::Null),
            _ => String::new(),
        };
        format!(
            r#"{errors}<span class="govuk-caption-l">{round_title}</span><h1 class="govuk-heading-l">Count and publish</h1>
<p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{id}">Back to the round</a></p>
{count_form}{draft}"#,
            errors = summary_of(errors),
            round_title = escape(&round.spec.title),
        )
    }))
}

fn shown_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| date_time(crate::i18n::Lang::ENGLISH, t.naive_utc()))
        .unwrap_or_default()
}

/// The count button, with the kiosks that may still hold ballots and the confirmation.
fn count_form(
    id: &str,
    csrf: &str,
    pending: &[Value],
    paper: &[Value],
    status: RoundStatus,
) -> String {
    let label = if status == RoundStatus::Counted {
        "Count again"
    } else {
        "Count the votes"
    };
    let paper_warning = if paper.is_empty() {
        String::new()
    } else {
        let items: String = paper
            .iter()
            .map(|b| {
                format!(
                    r#"<li><a class="govuk-link" href="/officer/paper/{}?pass=1">{}</a>: {} sheets</li>"#,
                    escape(b["id"].as_str().unwrap_or("")),
                    escape(b["place"].as_str().unwrap_or("")),
                    b["sheets"]
                )
            })
            .collect();
        format!(
            r#"<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>These paper batches are not reconciled yet, so their ballots would not be counted:</strong></div><ul class="govuk-list govuk-list--bullet" id="pending-paper">{items}</ul>"#
        )
    };
    let confirm = r#"<div class="govuk-form-group"><div class="govuk-checkboxes" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="confirm" name="confirm" type="checkbox" value="yes"><label class="govuk-label govuk-checkboxes__label" for="confirm">Count anyway: ballots that arrive later will not be in this count</label></div></div></div>"#;
    let warning = if pending.is_empty() {
        let kiosks = r#"<p class="govuk-body">Every kiosk has been in touch since voting ended and reported no ballots waiting.</p>"#;
        if paper.is_empty() {
            kiosks.to_string()
        } else {
            format!("{kiosks}{paper_warning}{confirm}")
        }
    } else {
        let rows: String = pending
            .iter()
            .map(|k| {
                format!(
                    r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td></tr>"#,
                    escape(k["name"].as_str().unwrap_or("")),
                    escape(&k["last_seen_at"].as_str().map_or_else(|| "never".to_string(), shown_time)),
                    escape(k["why"].as_str().unwrap_or("")),
                )
            })
            .collect();
        format!(
            r#"<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">Warning</span>These kiosks may still hold ballots that have not reached the server. Ask their attendants to sync them before you count.</strong></div>
<table class="govuk-table" id="pending-kiosks"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Kiosk</th><th scope="col" class="govuk-table__header">Last in touch</th><th scope="col" class="govuk-table__header">Why it is listed</th></tr></thead><tbody class="govuk-table__body">{rows}</tbody></table>
{paper_warning}{confirm}"#
        )
    };
    format!(
        r#"<h2 class="govuk-heading-m">Count</h2>
<form method="post" action="/officer/rounds/{id}/count" novalidate>{csrf}{warning}
<button type="submit" class="govuk-button" data-module="govuk-button" id="count">{label}</button></form>"#
    )
}

/// The result as counted: winners per area, ballots, turnout, conflicts and rejections.
fn draft_section(round: &Round, r: &Value, review: &Value) -> String {
    let mut areas = String::new();
    for area in r["areas"].as_array().into_iter().flatten() {
        let key = area["key"].as_str().unwrap_or("");
        let rows: String = r["projects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["area"] == key)
            .map(|p| {
                format!(
                    r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th><td class="govuk-table__cell govuk-table__cell--numeric">{}</td><td class="govuk-table__cell govuk-table__cell--numeric">{}</td><td class="govuk-table__cell">{}</td></tr>"#,
                    escape(p["title"].as_str().unwrap_or("")),
                    p["votes"].as_i64().unwrap_or(0),
                    escape(&money(p["cost"].as_i64().unwrap_or(0))),
                    if p["selected"] == true { "Funded" } else { "" },
                )
            })
            .collect();
        let budget = area["budget"].as_i64().unwrap_or(0);
        let cost = area["cost"].as_i64().unwrap_or(0);
        areas += &format!(
            r#"<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">{name}: {used} of {budget} funded, {left} left</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Project</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">Votes</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">Cost</th><th scope="col" class="govuk-table__header">Result</th></tr></thead>
<tbody class="govuk-table__body">{rows}</tbody></table>"#,
            name = escape(area["name"].as_str().unwrap_or(key)),
            used = escape(&money(cost)),
            budget = escape(&money(budget)),
            left = escape(&money(budget - cost)),
        );
    }
    let b = &r["ballots"];
    let list = |v: &Value, label: &str, name: &str| -> String {
        let rows: String = v
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                format!(
                    r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th><td class="govuk-table__cell govuk-table__cell--numeric">{}</td></tr>"#,
                    escape(i[name].as_str().unwrap_or("")),
                    i["ballots"].as_i64().map_or_else(|| "fewer than 5".to_string(), |n| n.to_string()),
                )
            })
            .collect();
        format!(
            r#"<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">{label}</caption><tbody class="govuk-table__body">{rows}</tbody></table>"#
        )
    };
    let conflicts: String = review["conflicts"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            let cells: Vec<String> = c["ballots"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| {
                    format!(
                        "{} at {}{}",
                        escape(b["place"].as_str().unwrap_or("")),
                        escape(&b["cast_at"].as_str().map_or_else(String::new, shown_time)),
                        if b["counted"] == true { " (counts)" } else { " (superseded)" }
                    )
                })
                .collect();
            format!(
                r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">Person {}</th><td class="govuk-table__cell">{}</td></tr>"#,
                i + 1,
                cells.join("<br>")
            )
        })
        .collect();
    let review_html = if review.is_null() {
        String::new()
    } else {
        let conflicts = if conflicts.is_empty() {
            r#"<p class="govuk-body">No one voted more than once.</p>"#.to_string()
        } else {
            format!(
                r#"<table class="govuk-table" id="conflicts"><caption class="govuk-table__caption govuk-table__caption--s">People who voted more than once: the first ballot counts</caption><tbody class="govuk-table__body">{conflicts}</tbody></table>"#
            )
        };
        format!(
            r#"<h2 class="govuk-heading-m">Conflicts</h2>{conflicts}
<h2 class="govuk-heading-m">Rejected ballots</h2>{rejected}"#,
            rejected = list(&review["rejected"], "Rejected ballots by reason", "reason"),
        )
    };
    format!(
        r#"<h2 class="govuk-heading-m">{heading}</h2>
<p class="govuk-body" id="ballot-totals">{counted} ballots counted, {superseded} superseded, {rejected} rejected. Counted with {rule}. Digest <code>{digest}</code>.</p>
{areas}
<h2 class="govuk-heading-m">Turnout</h2>
{by_channel}{by_day}
{review_html}"#,
        heading = if round.status == RoundStatus::Published {
            "Published result"
        } else {
            "Draft result"
        },
        counted = b["counted"],
        superseded = b["superseded"],
        rejected = b["rejected"],
        rule = escape(r["rule"].as_str().unwrap_or("")),
        digest = escape(r["digest"].as_str().unwrap_or("")),
        by_channel = list(&r["turnout"]["channels"], "By channel", "channel"),
        by_day = list(&r["turnout"]["days"], "By day", "day"),
    )
}

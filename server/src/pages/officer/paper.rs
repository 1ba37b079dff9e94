//! Paper ballots for officers: the round's batches with a form for a new one, and the keying
//! page of one pass of a batch (a sheet at a time), with the differences between the passes
//! and reconciliation. Everything goes through the JSON API's functions.

use super::forms::{from_uk_local, input};
use super::{
    check_csrf, field, hidden_csrf, managed, officer, page, problems, see_other, summary_of, Form,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::pages::format::{date_time, money};
use crate::pages::layout::escape;
use crate::paper::{KeyedSheet, SPOILT_REASONS};
use crate::rounds::Round;
use crate::routes::paper as api;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::Value;
use std::collections::HashMap;
use youdecide_shared::ballot::Choice;
use youdecide_shared::round::{EligibilityMode, Method};

/// The round's batches.
pub(super) async fn batches_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    batches_view(
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

async fn batches_view(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    rid: &str,
    errors: &[(String, String)],
    typed: &HashMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (round, _) = managed(state, caller, rid).await?;
    let id = round.row.id.clone();
    let batches = state
        .db
        .run(move |conn| {
            let list = crate::paper::store::list(conn, &id)?;
            let mut out = Vec::new();
            for b in list {
                let sheets = crate::paper::store::sheets(conn, &b.id)?;
                let keyed = |p: i64| sheets.iter().filter(|s| s.pass == p).count();
                out.push((b.clone(), keyed(1), keyed(2)));
            }
            Ok(out)
        })
        .await?;
    let rows: String = batches
        .iter()
        .map(|(b, one, two)| {
            let bid = escape(&b.id);
            format!(
                r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{place}</td><td class="govuk-table__cell">{when}</td><td class="govuk-table__cell govuk-table__cell--numeric">{sheets}</td><td class="govuk-table__cell">{one} / {two}</td><td class="govuk-table__cell">{status}</td><td class="govuk-table__cell"><a class="govuk-link" href="/officer/paper/{bid}?pass=1">Pass 1<span class="govuk-visually-hidden"> of {place}</span></a> · <a class="govuk-link" href="/officer/paper/{bid}?pass=2">Pass 2<span class="govuk-visually-hidden"> of {place}</span></a></td></tr>"#,
                place = escape(&b.place),
                when = escape(&date_time(crate::i18n::Lang::ENGLISH, b.collected_at)),
                sheets = b.sheets,
                status = escape(&b.status),
            )
        })
        .collect();
    let list = if batches.is_empty() {
        r#"<p class="govuk-body">No paper batches yet.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Place</th><th scope="col" class="govuk-table__header">Collected</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">Sheets</th><th scope="col" class="govuk-table__header">Keyed (pass 1 / 2)</th><th scope="col" class="govuk-table__header">Status</th><th scope="col" class="govuk-table__header">Key</th></tr></thead><tbody class="govuk-table__body">{rows}</tbody></table>"#
        )
    };
    let v = |k: &str| typed.get(k).map_or("", String::as_str).to_string();
    let rid = escape(&round.row.id);
    let title = format!("Paper ballots: {}", round.spec.title);
    Ok(page(req, caller, &title, status, |token| {
        let when_error = errors
            .iter()
            .find(|(f, _)| f == "collected_at")
            .map(|(_, m)| m);
        format!(
            r#"{summary}<span class="govuk-caption-l">{round_title}</span><h1 class="govuk-heading-l">Paper ballots</h1>
<p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{rid}">Back to the round</a></p>
<p class="govuk-body">Each batch is keyed twice, by two different officers; only when both keyings agree does it become ballots. A ballot on paper counts as cast when the batch was collected.</p>
{list}
<h2 class="govuk-heading-m">Record a batch</h2>
<form method="post" action="/officer/rounds/{rid}/paper" novalidate>{csrf}
{place}
<div class="govuk-form-group{when_group}"><fieldset class="govuk-fieldset" role="group" aria-describedby="collected-hint"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">When the sheets were collected (UK time)</legend>
<div id="collected-hint" class="govuk-hint">For example, 2 5 2026 and 15:00</div>{when_error}
<div class="govuk-date-input" id="collected_at">
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="collected-day">Day</label><input class="govuk-input govuk-date-input__input govuk-input--width-2" id="collected-day" name="collected-day" type="text" inputmode="numeric" value="{day}"></div></div>
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="collected-month">Month</label><input class="govuk-input govuk-date-input__input govuk-input--width-2" id="collected-month" name="collected-month" type="text" inputmode="numeric" value="{month}"></div></div>
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="collected-year">Year</label><input class="govuk-input govuk-date-input__input govuk-input--width-4" id="collected-year" name="collected-year" type="text" inputmode="numeric" value="{year}"></div></div>
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="collected-time">Time</label><input class="govuk-input govuk-date-input__input govuk-input--width-5" id="collected-time" name="collected-time" type="text" value="{time}"></div></div>
</div></fieldset></div>
{by}{sheets}
<button type="submit" class="govuk-button" data-module="govuk-button" id="create-batch">Record the batch</button>
</form>"#,
            summary = summary_of(errors),
            round_title = escape(&round.spec.title),
            csrf = hidden_csrf(token),
            place = input("place", "Where the sheets were collected", "", &v("place"), "text", errors, ""),
            when_group = if when_error.is_some() { " govuk-form-group--error" } else { "" },
            when_error = when_error.map_or(String::new(), |m| format!(
                r#"<p id="collected-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>"#,
                escape(m)
            )),
            day = escape(&v("collected-day")),
            month = escape(&v("collected-month")),
            year = escape(&v("collected-year")),
            time = escape(&v("collected-time")),
            by = input("collected_by", "Who collected them", "", &v("collected_by"), "text", errors, ""),
            sheets = input("sheets", "Number of sheets", "", &v("sheets"), "text", errors, "govuk-input--width-5"),
        )
    }))
}

/// The collection time typed (UK local), as RFC 3339 in UTC, or what was typed when it is
/// not a date and time (the API then says what is wrong).
fn collected_at(form: &HashMap<String, String>) -> String {
    let n = |k: &str| field(form, k).parse::<u32>().ok();
    let date = match (
        n("collected-year"),
        n("collected-month"),
        n("collected-day"),
    ) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
        _ => None,
    };
    let time = NaiveTime::parse_from_str(field(form, "collected-time"), "%H:%M").ok();
    match (date, time) {
        (Some(d), Some(t)) => {
            let utc = from_uk_local(NaiveDateTime::new(d, t));
            format!("{}Z", utc.format("%Y-%m-%dT%H:%M:%S"))
        }
        _ => "not a date and time".into(),
    }
}

/// Records a batch, then opens its first pass.
pub(super) async fn create_batch(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let rid = path.into_inner();
    let sheets = field(&form, "sheets").parse::<i64>().unwrap_or(0);
    let done = api::create_batch(
        &state,
        &caller,
        &rid,
        field(&form, "place").to_string(),
        &collected_at(&form),
        field(&form, "collected_by").to_string(),
        sheets,
    )
    .await;
    match done {
        Ok(b) => Ok(see_other(&format!("/officer/paper/{}?pass=1", b.id))),
        Err(e @ (AppError::InvalidFields { .. } | AppError::Conflict { .. })) => {
            batches_view(
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

#[derive(serde::Deserialize)]
pub(super) struct PassQuery {
    pass: Option<i64>,
    keyed: Option<i64>,
    outcome: Option<String>,
}

/// The keying page of one pass.
pub(super) async fn batch_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PassQuery>,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    let pass = query.pass.filter(|p| *p == 2).unwrap_or(1);
    let banner = match (query.keyed, query.outcome.as_deref()) {
        (Some(n), Some(o)) => Some(format!("Sheet {n} keyed: {}", o.replace('_', " "))),
        _ => None,
    };
    batch_view(
        &req,
        &state,
        &caller,
        &path,
        pass,
        banner,
        &[],
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn batch_view(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    bid: &str,
    pass: i64,
    banner: Option<String>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (batch, round, v) = api::batch_view(state, caller, bid).await?;
    let id = escape(&batch.id);
    let reconciled = batch.status == "reconciled";
    let keyed_rows: String = v["sheets_keyed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["pass"] == pass)
        .map(|s| {
            format!(
                r#"<tr class="govuk-table__row"><td class="govuk-table__cell govuk-table__cell--numeric">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td></tr>"#,
                s["sheet"],
                escape(s["outcome"].as_str().unwrap_or("")),
                escape(s["reason"].as_str().unwrap_or("")),
            )
        })
        .collect();
    let differences: Vec<&Value> = v["differences"].as_array().into_iter().flatten().collect();
    let compare = if reconciled {
        format!(
            r#"<div class="govuk-panel govuk-panel--confirmation"><h2 class="govuk-panel__title">Reconciled</h2><div class="govuk-panel__body">{} sheets are now ballots</div></div>"#,
            batch.sheets
        )
    } else if differences.is_empty() {
        String::new()
    } else {
        let items: String = differences
            .iter()
            .take(50)
            .map(|d| {
                format!(
                    "<li>Sheet {}: {}</li>",
                    d["sheet"],
                    escape(d["problem"].as_str().unwrap_or(""))
                )
            })
            .collect();
        format!(
            r#"<h2 class="govuk-heading-m">Differences between the passes</h2><p class="govuk-body">Check these sheets on paper and key them again in the pass that is wrong.</p><ul class="govuk-list govuk-list--bullet" id="differences">{items}</ul>"#
        )
    };
    let title = format!("Paper batch: {} (pass {pass})", batch.place);
    let rid = escape(&round.row.id);
    Ok(page(req, caller, &title, status, |token| {
        let csrf = hidden_csrf(token);
        let reconcile = if !reconciled && differences.is_empty() {
            format!(
                r#"<h2 class="govuk-heading-m">Reconcile</h2><p class="govuk-body">Both passes agree on every sheet.</p><form method="post" action="/officer/paper/{id}/reconcile" novalidate>{csrf}<input type="hidden" name="pass" value="{pass}"><button type="submit" class="govuk-button" data-module="govuk-button" id="reconcile">Reconcile: make these sheets ballots</button></form>"#
            )
        } else {
            String::new()
        };
        let banner = banner.as_ref().map_or(String::new(), |b| {
            format!(
                r#"<div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="banner-title" data-module="govuk-notification-banner"><div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="banner-title">Keyed</h2></div><div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">{}</p></div></div>"#,
                escape(b)
            )
        });
        let form = if reconciled {
            String::new()
        } else {
            sheet_form(&round, &id, pass, &csrf, errors)
        };
        format!(
            r#"{banner}{summary}<span class="govuk-caption-l">{round_title}</span><h1 class="govuk-heading-l">Key pass {pass}: {place}</h1>
<p class="govuk-body"><a class="govuk-link" href="/officer/rounds/{rid}/paper">All paper batches</a> · <a class="govuk-link" href="/officer/paper/{id}?pass={other}">Pass {other}</a></p>
<p class="govuk-body">Collected {when} by {by}; {sheets} sheets. Keyed: pass 1 {one}, pass 2 {two}.</p>
{form}
<h2 class="govuk-heading-m">Sheets keyed in pass {pass}</h2>
<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header govuk-table__header--numeric">Sheet</th><th scope="col" class="govuk-table__header">Outcome</th><th scope="col" class="govuk-table__header">Reason</th></tr></thead><tbody class="govuk-table__body">{keyed_rows}</tbody></table>
{compare}{reconcile}"#,
            summary = summary_of(errors),
            round_title = escape(&round.spec.title),
            place = escape(&batch.place),
            other = 3 - pass,
            when = escape(&date_time(crate::i18n::Lang::ENGLISH, batch.collected_at)),
            by = escape(&batch.collected_by),
            sheets = batch.sheets,
            one = v["keyed"]["1"],
            two = v["keyed"]["2"],
        )
    }))
}

/// The form for one sheet: as written on the paper, and the projects marked.
fn sheet_form(
    round: &Round,
    id: &str,
    pass: i64,
    csrf: &str,
    errors: &[(String, String)],
) -> String {
    let mode = round.spec.eligibility.mode;
    let who = match mode {
        EligibilityMode::SelfDeclared => format!(
            r#"{name}
<div class="govuk-form-group"><fieldset class="govuk-fieldset" role="group"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth</legend><div class="govuk-date-input">
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="dob-day">Day</label><input class="govuk-input govuk-date-input__input govuk-input--width-2" id="dob-day" name="dob-day" type="text" inputmode="numeric"></div></div>
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="dob-month">Month</label><input class="govuk-input govuk-date-input__input govuk-input--width-2" id="dob-month" name="dob-month" type="text" inputmode="numeric"></div></div>
<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="dob-year">Year</label><input class="govuk-input govuk-date-input__input govuk-input--width-4" id="dob-year" name="dob-year" type="text" inputmode="numeric"></div></div>
</div></fieldset></div>"#,
            name = input("name", "Name as written", "", "", "text", errors, ""),
        ),
        EligibilityMode::Code => input(
            "code",
            "Voting code as written",
            "",
            "",
            "text",
            errors,
            "govuk-input--width-20",
        ),
        EligibilityMode::Attended => String::new(),
    };
    let projects: String = round
        .projects
        .iter()
        .map(|p| {
            let label = format!("{} ({}, {})", p.title, p.area_key, money(p.cost));
            let pid = format!("p-{}", escape(&p.key));
            match round.spec.method {
                Method::Approval { .. } => format!(
                    r#"<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{pid}" name="{pid}" type="checkbox" value="1"><label class="govuk-label govuk-checkboxes__label" for="{pid}">{}</label></div>"#,
                    escape(&label)
                ),
                _ => format!(
                    r#"<div class="govuk-form-group"><label class="govuk-label" for="{pid}">{} ({})</label><input class="govuk-input govuk-input--width-3" id="{pid}" name="{pid}" type="text" inputmode="numeric"></div>"#,
                    escape(&label),
                    if matches!(round.spec.method, Method::Ranked { .. }) { "rank" } else { "points" }
                ),
            }
        })
        .collect();
    let projects = if matches!(round.spec.method, Method::Approval { .. }) {
        format!(
            r#"<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">{projects}</div>"#
        )
    } else {
        projects
    };
    let spoilt: String = std::iter::once(("", "No: key what is marked"))
        .chain(SPOILT_REASONS.iter().map(|r| (*r, *r)))
        .map(|(v, l)| {
            format!(
                r#"<option value="{v}">{}</option>"#,
                escape(&l.replace('_', " "))
            )
        })
        .collect();
    format!(
        r#"<h2 class="govuk-heading-m">Key a sheet</h2>
<form method="post" action="/officer/paper/{id}/sheets" novalidate>{csrf}<input type="hidden" name="pass" value="{pass}">
{sheet}{postcode}
<div class="govuk-form-group"><div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="age" name="age" type="checkbox" value="yes"><label class="govuk-label govuk-checkboxes__label" for="age">The age box is ticked</label></div></div></div>
{who}
<div class="govuk-form-group" id="choices"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Projects marked</legend>{projects}</fieldset></div>
<div class="govuk-form-group"><label class="govuk-label" for="spoilt">Spoilt outright?</label><select class="govuk-select" id="spoilt" name="spoilt">{spoilt}</select></div>
<button type="submit" class="govuk-button" data-module="govuk-button" id="key-sheet">Save this sheet</button>
</form>"#,
        sheet = input(
            "sheet",
            "Sheet number",
            "",
            "",
            "text",
            errors,
            "govuk-input--width-4"
        ),
        postcode = input(
            "postcode",
            "Postcode as written",
            "",
            "",
            "text",
            errors,
            "govuk-input--width-10"
        ),
    )
}

/// Keys a sheet from the form.
pub(super) async fn key_sheet(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let bid = path.into_inner();
    let pass = field(&form, "pass").parse::<i64>().unwrap_or(1);
    let n = |k: &str| field(&form, k).parse::<u32>().ok();
    let dob = match (n("dob-year"), n("dob-month"), n("dob-day")) {
        (Some(y), Some(m), Some(d)) => Some(format!("{y:04}-{m:02}-{d:02}")),
        _ => None,
    };
    let mut choices: Vec<Choice> = form
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("p-")?;
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            let weight = v.parse::<i64>().ok();
            Some(Choice {
                project: key.to_string(),
                points: None,
                rank: weight,
            })
        })
        .collect();
    choices.sort_by(|a, b| a.project.cmp(&b.project));
    let (bid2, state2) = (bid.clone(), state.clone());
    let round = {
        let (_, round) = api::load_batch(&state2, &caller, &bid2).await?;
        round
    };
    for c in &mut choices {
        match round.spec.method {
            Method::Approval { .. } => c.rank = None,
            Method::Cumulative { .. } => {
                c.points = c.rank.take();
            }
            Method::Ranked { .. } => {}
        }
    }
    let keyed = KeyedSheet {
        pass,
        sheet: field(&form, "sheet").parse().unwrap_or(0),
        postcode: field(&form, "postcode").to_string(),
        age_confirmed: !field(&form, "age").is_empty(),
        name: Some(field(&form, "name").to_string()).filter(|s| !s.is_empty()),
        date_of_birth: dob,
        code: Some(field(&form, "code").to_string()).filter(|s| !s.is_empty()),
        choices,
        spoilt: Some(field(&form, "spoilt").to_string()).filter(|s| !s.is_empty()),
    };
    let sheet_no = keyed.sheet;
    match api::key_sheet(&state, &caller, &bid, keyed).await {
        Ok(v) => {
            let outcome = match v["reason"].as_str() {
                Some(r) => format!("spoilt ({r})"),
                None => "valid".into(),
            };
            Ok(see_other(&format!(
                "/officer/paper/{bid}?pass={pass}&keyed={sheet_no}&outcome={}",
                outcome
                    .replace(' ', "+")
                    .replace(':', "%3A")
                    .replace('(', "%28")
                    .replace(')', "%29")
            )))
        }
        Err(
            e @ (AppError::InvalidFields { .. }
            | AppError::Conflict { .. }
            | AppError::Invalid { .. }),
        ) => {
            batch_view(
                &req,
                &state,
                &caller,
                &bid,
                pass,
                None,
                &problems(&e),
                e.status_code(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Reconciles the batch.
pub(super) async fn reconcile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let caller = signed_in!(req);
    check_csrf(&req, &form)?;
    let bid = path.into_inner();
    let pass = field(&form, "pass").parse::<i64>().unwrap_or(1);
    match api::reconcile_batch(&state, &caller, &bid).await {
        Ok(_) => Ok(see_other(&format!("/officer/paper/{bid}?pass={pass}"))),
        Err(e @ AppError::Conflict { .. }) => {
            batch_view(
                &req,
                &state,
                &caller,
                &bid,
                pass,
                None,
                &problems(&e),
                e.status_code(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

//! Counting and publishing a round, and its results and open data: JSON, CSV and the
//! anonymised Pabulib file of each area.

use super::rounds::{actor, load, load_managed, parse_body, viewer_role};
use super::{parse_id, MaybeCaller};
use crate::accounts::Role;
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::microcache as published_cache;
use crate::results::{self, store};
use crate::rounds::{Round, RoundStatus};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use youdecide_shared::ids::PartnershipId;
use youdecide_shared::monitoring;
use youdecide_shared::round::FieldError;

/// Registers the routes (under `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds/{rid}/count", web::post().to(count))
        .route("/rounds/{rid}/publish", web::post().to(publish))
        .route("/rounds/{rid}/pending-kiosks", web::get().to(pending))
        .route("/rounds/{rid}/results", web::get().to(results_json))
        .route("/rounds/{rid}/results.csv", web::get().to(results_csv))
        .route(
            "/rounds/{rid}/results/pabulib/{area}",
            web::get().to(pabulib_file),
        )
        .route(
            "/partnerships/{pid}/monitoring-baseline",
            web::get().to(get_baseline),
        )
        .route(
            "/partnerships/{pid}/monitoring-baseline",
            web::put().to(put_baseline),
        );
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountBody {
    #[serde(default)]
    confirm: bool,
}

pub(crate) async fn count(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let body: CountBody = if body.iter().all(u8::is_ascii_whitespace) {
        CountBody::default()
    } else {
        parse_body(&body)?
    };
    let round = load_managed(&state, &caller, &path, Role::Officer).await?;
    let actor = actor(&caller);
    let rid = round.row.id.clone();
    let counted = state
        .db
        .run(move |conn| results::count_round(conn, &rid, body.confirm, &actor))
        .await?;
    tracing::info!(round = %counted.row.id, "round counted");
    Ok(HttpResponse::Ok().json(counted.to_json()))
}

pub(crate) async fn publish(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Officer).await?;
    let actor = actor(&caller);
    let rid = round.row.id.clone();
    let published = state
        .db
        .run(move |conn| results::publish_round(conn, &rid, &actor))
        .await?;
    tracing::info!(round = %published.row.id, "result published");
    Ok(HttpResponse::Ok().json(published.to_json()))
}

async fn pending(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let round = load_managed(&state, &caller, &path, Role::Officer).await?;
    let kiosks = state
        .db
        .run(move |conn| store::pending_kiosks(conn, &round))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "kiosks": kiosks })))
}

/// The stored result the caller may see: anyone once published; the partnership's members
/// once counted (with the review of conflicts and rejected ballots).
pub(crate) async fn visible_result(
    state: &AppState,
    caller: &MaybeCaller,
    rid: &str,
) -> Result<(Round, Value), AppError> {
    // A published result is the same for every caller: served from the short-lived cache.
    let cache_key = format!("results-json:{rid}");
    if let Some(hit) = published_cache::get::<(Round, Value)>(&cache_key) {
        return Ok((*hit).clone());
    }
    let round = load(state, rid).await?;
    let none = || AppError::not_found("This round has no published result.");
    let member = match round.status {
        RoundStatus::Published => viewer_role(state, caller, &round).await?.is_some(),
        RoundStatus::Counted => {
            if viewer_role(state, caller, &round).await?.is_none() {
                return Err(none());
            }
            true
        }
        _ => return Err(none()),
    };
    let id = round.row.id.clone();
    let row = state
        .db
        .run(move |conn| store::find(conn, &id))
        .await?
        .ok_or_else(none)?;
    let mut v = row.to_json()?;
    v["round"] = serde_json::json!(round.row.id);
    if row.published_at.is_some() {
        results::suppress_small(&mut v);
        let entry = std::sync::Arc::new((round, v));
        published_cache::put(cache_key, entry.clone());
        return Ok((*entry).clone());
    } else if member {
        v["review"] = row.review_json();
    }
    Ok((round, v))
}

async fn results_json(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (_, v) = visible_result(&state, &caller, &path).await?;
    Ok(HttpResponse::Ok().json(v))
}

async fn results_csv(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (round, v) = visible_result(&state, &caller, &path).await?;
    let mut out = String::from("area,project,title,votes,cost_pence,selected\r\n");
    for p in v["projects"].as_array().into_iter().flatten() {
        let field =
            |k: &str| csv_field(&p[k].as_str().map_or_else(|| p[k].to_string(), String::from));
        out += &format!(
            "{},{},{},{},{},{}\r\n",
            field("area"),
            field("key"),
            field("title"),
            field("votes"),
            field("cost"),
            field("selected")
        );
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"results-{}.csv\"", round.row.id),
        ))
        .body(out))
}

/// A CSV field, quoted when it needs to be; a leading `=`, `+`, `-` or `@` is prefixed with
/// `'` so spreadsheets do not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

async fn pabulib_file(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (rid, area) = path.into_inner();
    let area = area.strip_suffix(".pb").unwrap_or(&area).to_string();
    let (round, _) = visible_result(&state, &caller, &rid).await?;
    let id = round.row.id.clone();
    let a = area.clone();
    let text = state
        .db
        .run(move |conn| store::file(conn, &id, &a))
        .await?
        .ok_or_else(|| AppError::not_found("The round has no area with that key."))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{area}.pb\""),
        ))
        .body(text))
}

/// The baseline as `{"question": {"answer": percent}}`.
type Baseline = std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>;

async fn get_baseline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Officer).await?;
    let id = pid.to_string();
    let shares = state
        .db
        .run(move |conn| store::baselines(conn, &id))
        .await?;
    let mut out = Baseline::new();
    for ((q, a), per_mille) in shares {
        out.entry(q).or_default().insert(a, per_mille as f64 / 10.0);
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Sets the partnership's baseline for the equality monitoring reach (e.g. census shares):
/// percentages with at most one decimal place, each question's shares adding up to no more
/// than 100.
async fn put_baseline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Officer).await?;
    let baseline: Baseline = parse_body(&body)?;
    let shares = check_baseline(&baseline)?;
    let id = pid.to_string();
    state
        .db
        .run(move |conn| conn.write(|conn| store::set_baselines(conn, &id, &shares)))
        .await?;
    published_cache::clear();
    Ok(HttpResponse::NoContent().finish())
}

fn check_baseline(baseline: &Baseline) -> Result<Vec<(String, String, i64)>, AppError> {
    let mut errors = Vec::new();
    let mut shares = Vec::new();
    for (q, answers) in baseline {
        if monitoring::answers(q).is_empty() {
            errors.push(FieldError::new(
                q,
                "is not a monitoring question (age_band, sex, ethnic_group, disability, influence)",
            ));
            continue;
        }
        let mut total = 0;
        for (a, percent) in answers {
            let field = format!("{q}.{a}");
            let per_mille = (percent * 10.0).round();
            if !monitoring::accepts(q, a) {
                errors.push(FieldError::new(
                    &field,
                    format!(
                        "is not an answer; the answers are {}",
                        monitoring::answers(q).join(", ")
                    ),
                ));
            } else if !(0.0..=100.0).contains(percent) || (per_mille - percent * 10.0).abs() > 1e-6
            {
                errors.push(FieldError::new(
                    &field,
                    "must be a percentage from 0 to 100 with at most one decimal place",
                ));
            } else {
                total += per_mille as i64;
                shares.push((q.clone(), a.clone(), per_mille as i64));
            }
        }
        if total > 1000 {
            errors.push(FieldError::new(q, "the shares add up to more than 100%"));
        }
    }
    if errors.is_empty() {
        Ok(shares)
    } else {
        Err(AppError::invalid_fields("invalid_baseline", "", &errors))
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-12"), "-12");
    }
}

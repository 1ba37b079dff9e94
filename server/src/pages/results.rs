//! The public results of a published round: the funded projects per area with a chart (SVG
//! drawn here, readable without colour, with the same figures in a table beside it), turnout
//! by area, channel and day, the equality monitoring reach against the partnership's baseline,
//! the influence question, how to check one's own vote, the open data and how to re-count it,
//! and a printable poster (PDF, A4 or A3). Counts under 5 are never shown in a breakdown.

use super::format::{date, money};
use super::layout::{escape, language_switcher, Page};
use super::public::not_found;
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::microcache as published_cache;
use crate::pdf::{self, fit, qr, Font};
use crate::results::{self, store as results_store, SMALL};
use crate::rounds::store::{self as rounds_store, Round};
use crate::rounds::RoundStatus;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use youdecide_shared::monitoring::QUESTIONS;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds/{rid}/results", web::get().to(page))
        .route("/rounds/{rid}/results/poster.pdf", web::get().to(poster));
}

/// A published round with its result (small counts already hidden).
struct Published {
    round: Round,
    result: Value,
    monitoring: BTreeMap<(String, String), i64>,
    respondents: i64,
    baseline: BTreeMap<(String, String), i64>,
}

/// The published round and what its page shows, from the short-lived cache when a reader
/// asked for it within the last seconds.
async fn load(state: &AppState, rid: String) -> Result<Option<Arc<Published>>, AppError> {
    let key = format!("results-page:{rid}");
    if let Some(hit) = published_cache::get::<Published>(&key) {
        return Ok(Some(hit));
    }
    let loaded = load_from_db(state, rid).await?.map(Arc::new);
    if let Some(p) = &loaded {
        published_cache::put(key, p.clone());
    }
    Ok(loaded)
}

async fn load_from_db(state: &AppState, rid: String) -> Result<Option<Published>, AppError> {
    state
        .db
        .run(move |conn| {
            let Some(round) = rounds_store::load(conn, &rid)? else {
                return Ok(None);
            };
            if round.status != RoundStatus::Published {
                return Ok(None);
            }
            let Some(row) = results_store::find(conn, &rid)? else {
                return Ok(None);
            };
            let mut result = row.to_json()?;
            results::suppress_small(&mut result);
            let (monitoring, respondents) = results_store::monitoring_counts(conn, &rid)?;
            let baseline = results_store::baselines(conn, &round.row.partnership_id)?;
            Ok(Some(Published {
                round,
                result,
                monitoring,
                respondents,
                baseline,
            }))
        })
        .await
}

/// A project's title in the page's language (English, marked so, when not translated).
fn project_title(lang: Lang, round: &Round, key: &str, english: &str) -> String {
    match round
        .translations
        .get(&(key.to_string(), lang.code.to_string()))
        .filter(|t| lang.code != "en" && !t.title.trim().is_empty())
    {
        Some(t) => escape(&t.title),
        None if lang.code != "en" => {
            format!(r#"<span lang="en" dir="ltr">{}</span>"#, escape(english))
        }
        None => escape(english),
    }
}

/// A count for a breakdown: the number, or "fewer than 5" when it is hidden.
fn shown(lang: Lang, item: &Value) -> String {
    match item["ballots"].as_i64() {
        Some(n) => n.to_string(),
        None => escape(&lang.ta("rs-fewer-than", &[("n", SMALL.into())])),
    }
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(p) = load(&state, path.into_inner()).await? else {
        return Ok(not_found(&req));
    };
    let offered = p.round.spec.languages.clone();
    let lang = Lang::pick(&req, &offered);
    let title = lang.t("rs-title");
    let round_title = p
        .round
        .translations
        .get(&(String::new(), lang.code.to_string()))
        .filter(|t| lang.code != "en" && !t.title.trim().is_empty())
        .map_or_else(|| p.round.row.title.clone(), |t| t.title.clone());
    let main = render(lang, &p);
    let full = format!("{title} – {round_title}");
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

fn render(lang: Lang, p: &Published) -> String {
    let t = |id: &str| escape(&lang.t(id));
    let r = &p.result;
    let rid = escape(&p.round.row.id);
    let published = r["published_at"]
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|d| date(lang, d.date_naive()))
        .unwrap_or_default();
    let counted = r["ballots"]["counted"].as_i64().unwrap_or(0);
    let mut areas = String::new();
    for area in r["areas"].as_array().into_iter().flatten() {
        areas += &area_section(lang, p, area);
    }
    format!(
        r#"<span class="govuk-caption-l">{round}</span>
<h1 class="govuk-heading-xl">{h1}</h1>
<p class="govuk-body-l">{summary}</p>
<div class="govuk-inset-text">{check} <a class="govuk-link" href="/check?lang={lang}">{check_link}</a></div>
{areas}
{turnout}
{reach}
<h2 class="govuk-heading-l" id="open-data">{open_h}</h2>
<p class="govuk-body">{open_body}</p>
<ul class="govuk-list govuk-list--bullet">
<li><a class="govuk-link" href="/api/v1/rounds/{rid}/results">{json}</a></li>
<li><a class="govuk-link" href="/api/v1/rounds/{rid}/results.csv">{csv}</a></li>
{files}
</ul>
<p class="govuk-body">{digest_label} <code class="yd-digest" dir="ltr">{digest}</code></p>
<p class="govuk-body">{recount}</p>
<pre class="yd-code" dir="ltr"><code>{commands}</code></pre>
<h2 class="govuk-heading-l" id="poster">{poster_h}</h2>
<p class="govuk-body">{poster_body}</p>
<ul class="govuk-list"><li><a class="govuk-link" href="/rounds/{rid}/results/poster.pdf?size=a4">{a4}</a></li>
<li><a class="govuk-link" href="/rounds/{rid}/results/poster.pdf?size=a3">{a3}</a></li></ul>
<p class="govuk-body"><a class="govuk-link" href="/rounds/{rid}?lang={lang}">{back}</a></p>"#,
        round = escape(&p.round.row.title),
        h1 = t("rs-title"),
        summary = escape(&lang.ta(
            "rs-summary",
            &[
                ("date", published.into()),
                ("counted", counted.into())
            ]
        )),
        check = t("rs-check"),
        check_link = t("rs-check-link"),
        lang = lang.code,
        turnout = turnout_section(lang, r),
        reach = reach_section(lang, p),
        open_h = t("rs-open-data"),
        open_body = t("rs-open-data-body"),
        json = t("rs-json"),
        csv = t("rs-csv"),
        files = r["areas"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let key = escape(a["key"].as_str().unwrap_or(""));
                format!(
                    r#"<li><a class="govuk-link" href="/api/v1/rounds/{rid}/results/pabulib/{key}.pb">{}</a></li>"#,
                    escape(&lang.ta(
                        "rs-pabulib",
                        &[("area", a["name"].as_str().unwrap_or("").to_string().into())]
                    ))
                )
            })
            .collect::<String>(),
        digest_label = t("rs-digest"),
        digest = escape(r["digest"].as_str().unwrap_or("")),
        recount = t("rs-recount"),
        commands = escape(&format!(
            "LC_ALL=C cat $(ls *.pb | sort) | sha256sum\nyoudecide-server tally {}.pb --rule {}",
            r["areas"][0]["key"].as_str().unwrap_or("AREA"),
            r["rule"].as_str().unwrap_or("greedy")
        )),
        poster_h = t("rs-poster"),
        poster_body = t("rs-poster-body"),
        a4 = t("rs-poster-a4"),
        a3 = t("rs-poster-a3"),
        back = t("rs-back"),
    )
}

/// One area: budget used and left, the chart and the table of votes.
fn area_section(lang: Lang, p: &Published, area: &Value) -> String {
    let key = area["key"].as_str().unwrap_or("");
    let name = area["name"].as_str().unwrap_or("");
    let budget = area["budget"].as_i64().unwrap_or(0);
    let cost = area["cost"].as_i64().unwrap_or(0);
    let projects: Vec<&Value> = p.result["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| x["area"] == key)
        .collect();
    let mut sorted = projects.clone();
    sorted.sort_by_key(|x| std::cmp::Reverse(x["votes"].as_i64().unwrap_or(0)));
    let rows: String = sorted
        .iter()
        .map(|x| {
            let selected = x["selected"].as_bool().unwrap_or(false);
            format!(
                r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{title}</th><td class="govuk-table__cell govuk-table__cell--numeric">{votes}</td><td class="govuk-table__cell govuk-table__cell--numeric">{cost}</td><td class="govuk-table__cell">{funded}</td></tr>"#,
                title = project_title(
                    lang,
                    &p.round,
                    x["key"].as_str().unwrap_or(""),
                    x["title"].as_str().unwrap_or("")
                ),
                votes = x["votes"].as_i64().unwrap_or(0),
                cost = escape(&money(x["cost"].as_i64().unwrap_or(0))),
                funded = if selected {
                    format!(
                        r#"<strong class="govuk-tag govuk-tag--green">{}</strong>"#,
                        escape(&lang.t("rs-funded"))
                    )
                } else {
                    escape(&lang.t("rs-not-funded"))
                },
            )
        })
        .collect();
    let id = format!("area-{}", escape(key));
    format!(
        r#"<h2 class="govuk-heading-l" id="{id}">{h2}</h2>
<p class="govuk-body">{money_line}</p>
<div class="govuk-grid-row"><div class="govuk-grid-column-one-half">{chart}</div>
<div class="govuk-grid-column-one-half"><table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{project}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{votes}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{cost}</th><th scope="col" class="govuk-table__header">{funded}</th></tr></thead>
<tbody class="govuk-table__body">{rows}</tbody></table></div></div>"#,
        h2 = escape(name),
        money_line = escape(&lang.ta(
            "rs-budget-line",
            &[
                ("budget", money(budget).into()),
                ("funded", money(cost).into()),
                ("left", money(budget - cost).into())
            ]
        )),
        chart = chart(lang, p, &sorted, name),
        caption = escape(&lang.ta("rs-table-caption", &[("area", name.to_string().into())])),
        project = escape(&lang.t("rs-project")),
        votes = escape(&lang.t("rs-votes")),
        cost = escape(&lang.t("rs-cost")),
        funded = escape(&lang.t("rs-funded-column")),
    )
}

/// A horizontal bar chart of votes: funded bars solid and labelled "funded", the others
/// outlined and labelled "not funded", so it reads without colour. Text is in the bars' labels
/// and in the table beside it; the SVG is one image with a title for screen readers.
fn chart(lang: Lang, p: &Published, projects: &[&Value], area: &str) -> String {
    let max = projects
        .iter()
        .map(|x| x["votes"].as_i64().unwrap_or(0))
        .max()
        .unwrap_or(0)
        .max(1);
    let (width, bar_h, gap, label_w) = (480.0_f64, 22.0_f64, 34.0_f64, 0.0_f64);
    let height = projects.len() as f64 * (bar_h + gap) + 8.0;
    let mut bars = String::new();
    for (i, x) in projects.iter().enumerate() {
        let votes = x["votes"].as_i64().unwrap_or(0);
        let selected = x["selected"].as_bool().unwrap_or(false);
        let y = i as f64 * (bar_h + gap);
        let w = ((width - label_w - 4.0) * votes as f64 / max as f64).max(2.0);
        let title = x["title"].as_str().unwrap_or("");
        let title = round_translation(lang, &p.round, x["key"].as_str().unwrap_or(""), title);
        let status = lang.t(if selected {
            "rs-funded"
        } else {
            "rs-not-funded"
        });
        bars += &format!(
            r##"<text x="0" y="{ty:.0}" class="yd-chart-label">{label}</text>
<rect x="{label_w:.0}" y="{by:.0}" width="{w:.1}" height="{bar_h:.0}" fill="{fill}" stroke="#0b0c0c" stroke-width="2"/>
<text x="{label_w:.0}" y="{vy:.0}" class="yd-chart-value">{value}</text>"##,
            ty = y + 12.0,
            label = escape(&title),
            by = y + 16.0,
            fill = if selected { "#0b0c0c" } else { "#ffffff" },
            vy = y + 16.0 + bar_h + 14.0,
            value = escape(&format!(
                "{} · {status}",
                lang.ta("rs-votes-n", &[("n", votes.into())])
            )),
        );
    }
    format!(
        r#"<figure class="yd-chart"><svg role="img" aria-labelledby="chart-{key}-title" focusable="false" direction="ltr" viewBox="0 0 {width:.0} {height:.0}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="chart-{key}-title">{title}</title>{bars}</svg></figure>"#,
        key = escape(&area.to_lowercase().replace(' ', "-")),
        title = escape(&lang.ta("rs-chart-title", &[("area", area.to_string().into())])),
    )
}

/// A project title in the page's language, as plain text (for the chart).
fn round_translation(lang: Lang, round: &Round, key: &str, english: &str) -> String {
    round
        .translations
        .get(&(key.to_string(), lang.code.to_string()))
        .filter(|t| lang.code != "en" && !t.title.trim().is_empty())
        .map_or_else(|| english.to_string(), |t| t.title.clone())
}

fn breakdown_table(lang: Lang, caption: &str, first: &str, items: &[(String, String)]) -> String {
    let rows: String = items
        .iter()
        .map(|(label, n)| {
            format!(
                r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{label}</th><td class="govuk-table__cell govuk-table__cell--numeric">{n}</td></tr>"#
            )
        })
        .collect();
    format!(
        r#"<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{first}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{ballots}</th></tr></thead>
<tbody class="govuk-table__body">{rows}</tbody></table>"#,
        caption = escape(caption),
        first = escape(first),
        ballots = escape(&lang.t("rs-ballots")),
    )
}

/// Turnout by area, channel and day.
fn turnout_section(lang: Lang, r: &Value) -> String {
    let list = |name: &str| -> Vec<&Value> {
        r["turnout"][name]
            .as_array()
            .into_iter()
            .flatten()
            .collect()
    };
    let area_name = |key: &str| {
        r["areas"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["key"] == key)
            .and_then(|a| a["name"].as_str())
            .unwrap_or(key)
            .to_string()
    };
    let areas: Vec<(String, String)> = list("areas")
        .iter()
        .map(|a| {
            (
                escape(&area_name(a["area"].as_str().unwrap_or(""))),
                shown(lang, a),
            )
        })
        .collect();
    let channels: Vec<(String, String)> = list("channels")
        .iter()
        .map(|c| {
            let name = match c["channel"].as_str().unwrap_or("") {
                "online" => lang.t("rs-online"),
                "paper" => lang.t("rs-paper"),
                kiosk => lang.ta("rs-kiosk", &[("place", kiosk.to_string().into())]),
            };
            (escape(&name), shown(lang, c))
        })
        .collect();
    let days: Vec<(String, String)> = list("days")
        .iter()
        .map(|d| {
            let day = d["day"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .map_or_else(String::new, |day| date(lang, day));
            (escape(&day), shown(lang, d))
        })
        .collect();
    let assisted = match r["turnout"]["assisted"]["ballots"].as_i64() {
        Some(n) => n.to_string(),
        None => lang.ta("rs-fewer-than", &[("n", SMALL.into())]),
    };
    format!(
        r#"<h2 class="govuk-heading-l" id="turnout">{h}</h2>
<p class="govuk-body">{small}</p>
{areas}{channels}{days}
<p class="govuk-body" id="assisted">{assisted}</p>"#,
        assisted = escape(&lang.ta("rs-assisted", &[("n", assisted.into())])),
        h = escape(&lang.t("rs-turnout")),
        small = escape(&lang.ta("rs-small-numbers", &[("n", SMALL.into())])),
        areas = breakdown_table(lang, &lang.t("rs-by-area"), &lang.t("rs-area"), &areas),
        channels = breakdown_table(
            lang,
            &lang.t("rs-by-channel"),
            &lang.t("rs-channel"),
            &channels
        ),
        days = breakdown_table(lang, &lang.t("rs-by-day"), &lang.t("rs-day"), &days),
    )
}

/// The equality monitoring reach (shares of those who answered, beside the baseline) and the
/// answers to the influence question.
fn reach_section(lang: Lang, p: &Published) -> String {
    let mut tables = String::new();
    for (q, answers) in QUESTIONS {
        let answered: i64 = answers
            .iter()
            .map(|a| {
                p.monitoring
                    .get(&(q.to_string(), a.to_string()))
                    .copied()
                    .unwrap_or(0)
            })
            .sum();
        let rows: String = answers
            .iter()
            .map(|a| {
                let n = p
                    .monitoring
                    .get(&(q.to_string(), a.to_string()))
                    .copied()
                    .unwrap_or(0);
                let (count, share) = if n < SMALL {
                    (
                        escape(&lang.ta("rs-fewer-than", &[("n", SMALL.into())])),
                        "–".to_string(),
                    )
                } else {
                    (n.to_string(), percent(n * 1000 / answered.max(1)))
                };
                let baseline = p
                    .baseline
                    .get(&(q.to_string(), a.to_string()))
                    .map_or_else(|| "–".to_string(), |m| percent(*m));
                format!(
                    r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{label}</th><td class="govuk-table__cell govuk-table__cell--numeric">{count}</td><td class="govuk-table__cell govuk-table__cell--numeric">{share}</td><td class="govuk-table__cell govuk-table__cell--numeric">{baseline}</td></tr>"#,
                    label = escape(&lang.t(&format!("vp-mon-a-{a}"))),
                )
            })
            .collect();
        tables += &format!(
            r#"<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{answer}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{people}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{share}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{baseline}</th></tr></thead>
<tbody class="govuk-table__body">{rows}</tbody></table>"#,
            caption = escape(&lang.t(&format!("vp-mon-q-{q}"))),
            answer = escape(&lang.t("rs-answer")),
            people = escape(&lang.t("rs-people")),
            share = escape(&lang.t("rs-share")),
            baseline = escape(&lang.t("rs-baseline")),
        );
    }
    let respondents = if p.respondents < SMALL {
        lang.ta("rs-fewer-than", &[("n", SMALL.into())])
    } else {
        p.respondents.to_string()
    };
    format!(
        r#"<h2 class="govuk-heading-l" id="reach">{h}</h2>
<p class="govuk-body">{body}</p>
{tables}"#,
        h = escape(&lang.t("rs-reach")),
        body = escape(&lang.ta("rs-reach-body", &[("n", respondents.into())])),
    )
}

/// Per mille as a percentage with one decimal place.
fn percent(per_mille: i64) -> String {
    format!("{}.{}%", per_mille / 10, per_mille % 10)
}

#[derive(serde::Deserialize)]
struct PosterQuery {
    size: Option<String>,
}

/// The results poster: the round, each area's funded projects with their votes and costs,
/// turnout, and a QR code of the results page. In English (the PDF fonts are Latin-1).
async fn poster(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PosterQuery>,
) -> Result<HttpResponse, AppError> {
    let (size, name) = match query.size.as_deref() {
        None | Some("a4") => (pdf::A4, "a4"),
        Some("a3") => (pdf::A3, "a3"),
        Some(other) => {
            return Err(AppError::invalid(
                "invalid_size",
                format!("The poster size must be a4 or a3, not \"{other}\"."),
            ))
        }
    };
    let Some(p) = load(&state, path.into_inner()).await? else {
        return Ok(not_found(&req));
    };
    let url = {
        let info = req.connection_info();
        format!(
            "{}://{}/rounds/{}/results",
            info.scheme(),
            info.host(),
            p.round.row.id
        )
    };
    let bytes = poster_pdf(&p, size, &url);
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("inline; filename=\"results-poster-{name}.pdf\""),
        ))
        .body(bytes))
}

fn poster_pdf(p: &Published, (w, h): (f32, f32), url: &str) -> Vec<u8> {
    let scale = w / pdf::A4.0;
    let margin = 48.0 * scale;
    let mut page = pdf::Page::default();
    let mut y = h - margin - 30.0 * scale;
    let width = w - 2.0 * margin;
    page.text(
        margin,
        y,
        34.0 * scale,
        Font::Bold,
        &fit("You said, we did", 34.0 * scale, Font::Bold, width),
    );
    y -= 36.0 * scale;
    page.text(
        margin,
        y,
        18.0 * scale,
        Font::Regular,
        &fit(&p.round.row.title, 18.0 * scale, Font::Regular, width),
    );
    y -= 24.0 * scale;
    let counted = p.result["ballots"]["counted"].as_i64().unwrap_or(0);
    page.text(
        margin,
        y,
        14.0 * scale,
        Font::Regular,
        &format!("{counted} people voted. These projects will be funded:"),
    );
    y -= 30.0 * scale;
    for area in p.result["areas"].as_array().into_iter().flatten() {
        if y < margin + 160.0 * scale {
            break;
        }
        let key = area["key"].as_str().unwrap_or("");
        page.text(
            margin,
            y,
            18.0 * scale,
            Font::Bold,
            &fit(
                area["name"].as_str().unwrap_or(""),
                18.0 * scale,
                Font::Bold,
                width,
            ),
        );
        y -= 22.0 * scale;
        let budget = area["budget"].as_i64().unwrap_or(0);
        let cost = area["cost"].as_i64().unwrap_or(0);
        page.text(
            margin,
            y,
            11.0 * scale,
            Font::Regular,
            &format!(
                "Budget {}: {} funded, {} left",
                money(budget),
                money(cost),
                money(budget - cost)
            ),
        );
        y -= 20.0 * scale;
        for x in p.result["projects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["area"] == key && x["selected"] == true)
        {
            if y < margin + 150.0 * scale {
                break;
            }
            page.fill_rect(margin, y - 1.0, 6.0 * scale, 6.0 * scale);
            let line = format!(
                "{} - {} votes - {}",
                x["title"].as_str().unwrap_or(""),
                x["votes"].as_i64().unwrap_or(0),
                money(x["cost"].as_i64().unwrap_or(0))
            );
            page.text(
                margin + 14.0 * scale,
                y,
                13.0 * scale,
                Font::Regular,
                &fit(&line, 13.0 * scale, Font::Regular, width - 14.0 * scale),
            );
            y -= 19.0 * scale;
        }
        y -= 14.0 * scale;
    }
    let qr_size = 110.0 * scale;
    qr(&mut page, margin, margin, qr_size, url);
    let tx = margin + qr_size + 16.0 * scale;
    page.text(
        tx,
        margin + qr_size - 30.0 * scale,
        14.0 * scale,
        Font::Bold,
        "Full results, open data and how to check your vote:",
    );
    page.text(
        tx,
        margin + qr_size - 52.0 * scale,
        11.0 * scale,
        Font::Regular,
        &fit(url, 11.0 * scale, Font::Regular, w - tx - margin),
    );
    page.text(
        tx,
        margin + qr_size - 74.0 * scale,
        11.0 * scale,
        Font::Regular,
        "Scan the code or type the address.",
    );
    pdf::document((w, h), &[page], &format!("Results: {}", p.round.row.title))
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn shares_print_with_one_decimal() {
        assert_eq!(percent(125), "12.5%");
        assert_eq!(percent(1000), "100.0%");
        assert_eq!(percent(0), "0.0%");
    }
}

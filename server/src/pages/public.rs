//! The public pages, in the languages each round offers: the start page listing partnerships,
//! a partnership's open, coming and past rounds, and a round's page (what it is, how much
//! money, who can vote, how to vote online and at the pop-ups, the projects by area). They work
//! without JavaScript.

use super::format::{date_time, day_text, money, now};
use super::layout::{escape, language_switcher, Page};
use crate::accounts;
use crate::app::AppState;
use crate::ballots::{store as ballot_store, tracking};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::rounds::store::{self, ProjectRow, Round, RoundRow};
use crate::rounds::RoundStatus;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use youdecide_shared::round::{EligibilityMode, Method, Translation, LANGUAGES};

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/p/{slug}", web::get().to(partnership))
        .route("/rounds/{rid}", web::get().to(round_page))
        .route("/check", web::get().to(check));
}

fn all_languages() -> Vec<String> {
    LANGUAGES.iter().map(|s| (*s).to_string()).collect()
}

/// A page in `lang` offered in `offered`, at `path`.
fn public_page<'a>(
    req: &HttpRequest,
    lang: Lang,
    offered: &[String],
    title: &'a str,
    main: String,
) -> Page<'a> {
    Page {
        title,
        main,
        lang,
        switcher: language_switcher(lang, offered, req.path()),
        cookie: lang.cookie_if_chosen(req),
        ..Page::default()
    }
}

/// A "not found" page in the request's language.
pub fn not_found(req: &HttpRequest) -> HttpResponse {
    let lang = Lang::pick(req, &all_languages());
    let title = lang.t("not-found-title");
    let main = format!(
        r#"<h1 class="govuk-heading-l">{}</h1><p class="govuk-body">{}</p>"#,
        escape(&title),
        escape(&lang.t("not-found-body"))
    );
    public_page(req, lang, &all_languages(), &title, main).respond(StatusCode::NOT_FOUND)
}

async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let listed = state
        .db
        .run(|conn| {
            let mut out = Vec::new();
            for (p, _) in accounts::all_partnerships(conn)? {
                if !store::list(conn, &p.id, false)?.is_empty() {
                    out.push(p);
                }
            }
            Ok(out)
        })
        .await?;
    let offered = all_languages();
    let lang = Lang::pick(&req, &offered);
    let list = if listed.is_empty() {
        format!(
            r#"<p class="govuk-body">{}</p>"#,
            escape(&lang.t("home-no-partnerships"))
        )
    } else {
        let items: String = listed
            .iter()
            .map(|p| {
                format!(
                    r#"<li><a class="govuk-link" href="/p/{}">{}</a></li>"#,
                    escape(&p.slug),
                    escape(&p.name)
                )
            })
            .collect();
        format!(r#"<ul class="govuk-list govuk-list--bullet">{items}</ul>"#)
    };
    let title = lang.t("home-title");
    let sign_in = format!(
        r#"<a class="govuk-link" href="/login">{}</a>"#,
        escape(&lang.t("sign-in").to_lowercase())
    );
    // The sign-in link sits inside a translated sentence: format it with a marker, escape,
    // then put the link where the marker is.
    let officers =
        escape(&lang.ta("home-officers", &[("link", "\u{1}".into())])).replace('\u{1}', &sign_in);
    let main = format!(
        r#"<h1 class="govuk-heading-xl">{title}</h1>
<p class="govuk-body-l">{intro}</p>
<h2 class="govuk-heading-m">{partnerships}</h2>
{list}
<h2 class="govuk-heading-m">{check}</h2>
<p class="govuk-body">{check_body} <a class="govuk-link" href="/check">{check}</a></p>
<p class="govuk-body">{officers}</p>"#,
        title = escape(&title),
        intro = escape(&lang.t("home-intro")),
        partnerships = escape(&lang.t("home-partnerships")),
        check = escape(&lang.t("check-ballot")),
        check_body = escape(&lang.t("check-ballot-body")),
    );
    Ok(public_page(&req, lang, &offered, &title, main).respond(StatusCode::OK))
}

fn round_title(lang: Lang, row: &RoundRow, translations: Option<&Translation>) -> String {
    match translations {
        Some(t) if lang.code != "en" && !t.title.trim().is_empty() => t.title.clone(),
        _ => row.title.clone(),
    }
}

async fn partnership(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let found = state
        .db
        .run(move |conn| {
            let Some(p) = accounts::find_partnership_by_slug(conn, &slug)? else {
                return Ok(None);
            };
            let mut rounds = Vec::new();
            for row in store::list(conn, &p.id, false)? {
                if let Some(r) = store::load(conn, &row.id)? {
                    rounds.push(r);
                }
            }
            Ok(Some((p, rounds)))
        })
        .await?;
    let Some((p, rounds)) = found else {
        return Ok(not_found(&req));
    };
    let mut offered: Vec<String> = vec!["en".into()];
    for r in &rounds {
        for l in &r.spec.languages {
            if !offered.contains(l) {
                offered.push(l.clone());
            }
        }
    }
    let lang = Lang::pick(&req, &offered);
    let now = now();
    let (mut open, mut upcoming, mut past) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rounds {
        match r.status {
            RoundStatus::Open if r.row.opens_at > now => upcoming.push(r),
            RoundStatus::Open if r.row.closes_at > now => open.push(r),
            _ => past.push(r),
        }
    }
    let section = |heading: &str, list: &[&Round], when: &dyn Fn(&Round) -> String| {
        let body = if list.is_empty() {
            format!(
                r#"<p class="govuk-body">{}</p>"#,
                escape(&lang.t("rounds-none"))
            )
        } else {
            let items: String = list
                .iter()
                .map(|r| {
                    let tr = r.translations.get(&(String::new(), lang.code.to_string()));
                    format!(
                        r#"<li><a class="govuk-link govuk-!-font-weight-bold" href="/rounds/{id}">{title}</a><br><span class="govuk-body-s">{when}</span></li>"#,
                        id = escape(&r.row.id),
                        title = escape(&round_title(lang, &r.row, tr)),
                        when = escape(&when(r)),
                    )
                })
                .collect();
            format!(r#"<ul class="govuk-list govuk-list--spaced">{items}</ul>"#)
        };
        format!(
            r#"<h2 class="govuk-heading-m">{}</h2>{body}"#,
            escape(heading)
        )
    };
    let main = format!(
        r#"<h1 class="govuk-heading-xl">{name}</h1>
<p class="govuk-body-l">{intro}</p>
{open}{upcoming}{past}"#,
        name = escape(&p.name),
        intro = escape(&lang.t("partnership-intro")),
        open = section(&lang.t("rounds-open"), &open, &|r| {
            lang.ta(
                "closes-on",
                &[("date", date_time(lang, r.row.closes_at).into())],
            )
        }),
        upcoming = section(&lang.t("rounds-upcoming"), &upcoming, &|r| {
            lang.ta(
                "opens-on",
                &[("date", date_time(lang, r.row.opens_at).into())],
            )
        }),
        past = section(&lang.t("rounds-past"), &past, &|r| {
            status_text(lang, r.status, r.row.closes_at <= now)
        }),
    );
    Ok(public_page(&req, lang, &offered, &p.name, main).respond(StatusCode::OK))
}

/// The status as residents read it.
fn status_text(lang: Lang, status: RoundStatus, past_closing: bool) -> String {
    match status {
        RoundStatus::Open if past_closing => lang.t("status-closed"),
        s => lang.t(&format!("status-{}", s.as_str())),
    }
}

/// A text in the page's language, or the English one when it has no translation.
struct Text {
    text: String,
    english_fallback: bool,
}

impl Text {
    fn pick(lang: Lang, translated: Option<&String>, english: &str) -> Text {
        match translated {
            Some(t) if lang.code != "en" && !t.trim().is_empty() => Text {
                text: t.clone(),
                english_fallback: false,
            },
            _ => Text {
                text: english.to_string(),
                english_fallback: lang.code != "en",
            },
        }
    }

    /// The escaped text, marked as English when it stands in for a missing translation.
    fn html(&self) -> String {
        self.wrap("span", escape(&self.text))
    }

    /// The text as paragraphs, marked the same way.
    fn paragraphs(&self) -> String {
        self.wrap("div", paragraphs(&self.text))
    }

    fn wrap(&self, tag: &str, html: String) -> String {
        if self.english_fallback {
            format!(r#"<{tag} lang="en" dir="ltr">{html}</{tag}>"#)
        } else {
            html
        }
    }
}

/// A project's title, summary and description in the page's language.
fn project_texts(round: &Round, lang: Lang, p: &ProjectRow) -> [Text; 3] {
    let tr = round
        .translations
        .get(&(p.key.clone(), lang.code.to_string()));
    [
        Text::pick(lang, tr.map(|t| &t.title), &p.title),
        Text::pick(lang, tr.map(|t| &t.summary), &p.summary),
        Text::pick(lang, tr.map(|t| &t.description), &p.description),
    ]
}

/// Text as paragraphs, split at blank lines.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            format!(
                r#"<p class="govuk-body">{}</p>"#,
                escape(p).replace('\n', "<br>")
            )
        })
        .collect()
}

async fn round_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let rid = path.into_inner();
    let round = state.db.run(move |conn| store::load(conn, &rid)).await?;
    let Some(round) = round.filter(|r| r.status.is_public()) else {
        return Ok(not_found(&req));
    };
    let offered = round.spec.languages.clone();
    let lang = Lang::pick(&req, &offered);
    let result = if round.status == RoundStatus::Published {
        let id = round.row.id.clone();
        state
            .db
            .run(move |conn| crate::results::store::find(conn, &id))
            .await?
            .map(|r| r.to_json())
            .transpose()?
    } else {
        None
    };
    let mut html = render_round(&round, lang, now(), result.as_ref());
    if result.is_some() {
        if let Some((_, v)) = crate::routes::updates::public_updates(&state, &round.row.id).await? {
            html += &super::delivery::progress_summary(lang, &round, &v);
        }
    }
    let title = round_title(
        lang,
        &round.row,
        round
            .translations
            .get(&(String::new(), lang.code.to_string())),
    );
    Ok(public_page(&req, lang, &offered, &title, html).respond(StatusCode::OK))
}

/// The funded projects of each area, and a link to the full results.
fn results_summary(lang: Lang, round: &Round, result: &serde_json::Value) -> String {
    let mut out = String::new();
    for area in result["areas"].as_array().into_iter().flatten() {
        let key = area["key"].as_str().unwrap_or("");
        let titles: Vec<String> = result["projects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["area"] == key && p["selected"] == true)
            .map(|p| {
                let english = p["title"].as_str().unwrap_or("");
                round
                    .translations
                    .get(&(
                        p["key"].as_str().unwrap_or("").to_string(),
                        lang.code.to_string(),
                    ))
                    .filter(|t| lang.code != "en" && !t.title.trim().is_empty())
                    .map_or_else(|| english.to_string(), |t| t.title.clone())
            })
            .collect();
        out += &format!(
            r#"<p class="govuk-body">{}</p>"#,
            escape(&lang.ta(
                "rs-funded-list",
                &[
                    (
                        "area",
                        area["name"].as_str().unwrap_or("").to_string().into()
                    ),
                    ("projects", titles.join(", ").into())
                ]
            ))
        );
    }
    out + &format!(
        r#"<p class="govuk-body"><a class="govuk-link govuk-!-font-weight-bold" href="/rounds/{}/results?lang={}">{}</a></p>"#,
        escape(&round.row.id),
        lang.code,
        escape(&lang.t("rs-see-results"))
    )
}

/// The body of a round's page, also used for the officers' preview.
/// `result` is the published result, when there is one.
pub fn render_round(
    round: &Round,
    lang: Lang,
    now: chrono::NaiveDateTime,
    result: Option<&serde_json::Value>,
) -> String {
    let tr = round
        .translations
        .get(&(String::new(), lang.code.to_string()))
        .filter(|_| lang.code != "en");
    let title = Text::pick(lang, tr.map(|t| &t.title), &round.row.title);
    let description = Text::pick(lang, tr.map(|t| &t.description), &round.spec.description);
    let voting_now =
        round.status == RoundStatus::Open && round.row.opens_at <= now && now < round.row.closes_at;
    let status = status_text(lang, round.status, round.row.closes_at <= now);
    let total: i64 = round.spec.areas.iter().map(|a| a.budget).sum();
    let t = |id: &str| escape(&lang.t(id));

    let area_rows: String = round
        .spec
        .areas
        .iter()
        .map(|a| {
            let n = round.projects.iter().filter(|p| p.area_key == a.key).count();
            format!(
                r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th><td class="govuk-table__cell govuk-table__cell--numeric">{}</td><td class="govuk-table__cell govuk-table__cell--numeric">{n}</td></tr>"#,
                escape(&a.name),
                escape(&money(a.budget))
            )
        })
        .collect();
    let money_section = format!(
        r#"<h2 class="govuk-heading-l" id="money">{heading}</h2>
<p class="govuk-body">{total}</p>
<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">{areas}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{area}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{budget}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{projects}</th></tr></thead>
<tbody class="govuk-table__body">{area_rows}</tbody></table>"#,
        heading = t("money-heading"),
        total = escape(&lang.ta("money-total", &[("total", money(total).into())])),
        areas = t("money-areas"),
        area = t("area-column"),
        budget = t("budget-column"),
        projects = t("projects-column"),
    );

    let age = round.spec.eligibility.min_age;
    let who = match round.spec.eligibility.mode {
        EligibilityMode::SelfDeclared => "who-self",
        EligibilityMode::Code => "who-code",
        EligibilityMode::Attended => "who-attended",
    };
    let postcodes: String = round
        .spec
        .areas
        .iter()
        .filter(|a| !a.postcodes.is_empty())
        .map(|a| {
            format!(
                "<li>{}</li>",
                escape(&lang.ta(
                    "who-postcodes",
                    &[
                        ("area", a.name.clone().into()),
                        ("postcodes", a.postcodes.join(", ").into())
                    ]
                ))
            )
        })
        .collect();
    let who_section = format!(
        r#"<h2 class="govuk-heading-l" id="who">{heading}</h2>
<p class="govuk-body">{body}</p><ul class="govuk-list">{postcodes}</ul>"#,
        heading = t("who-heading"),
        body = escape(&lang.ta(who, &[("age", age.into())])),
    );

    let mut method = Vec::new();
    match &round.spec.method {
        Method::Approval {
            max_choices,
            within_budget,
            ..
        } => {
            method.push(match max_choices {
                Some(max) => lang.ta("method-approval-max", &[("max", (*max).into())]),
                None => lang.t("method-approval"),
            });
            if *within_budget {
                method.push(lang.t("method-approval-budget"));
            }
        }
        Method::Cumulative {
            points,
            max_per_project,
        } => {
            method.push(lang.ta("method-cumulative", &[("points", (*points).into())]));
            if let Some(max) = max_per_project {
                method.push(lang.ta("method-cumulative-cap", &[("max", (*max).into())]));
            }
        }
        Method::Ranked { max_ranks } => {
            method.push(lang.ta("method-ranked", &[("max", (*max_ranks).into())]));
        }
    }
    method.push(match round.spec.rule.as_str() {
        "greedy" => lang.t("rule-greedy"),
        "phragmen" => lang.t("rule-phragmen"),
        _ => lang.t("rule-equal-shares"),
    });
    let method: String = method
        .iter()
        .map(|m| format!(r#"<p class="govuk-body">{}</p>"#, escape(m)))
        .collect();
    let online = if voting_now && round.spec.eligibility.mode != EligibilityMode::Attended {
        format!(
            r#"<h3 class="govuk-heading-m">{heading}</h3>
<p class="govuk-body">{until}</p>
<a href="/rounds/{id}/vote?lang={code}" role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button">{heading}<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false"><path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/></svg></a>"#,
            heading = t("vote-online"),
            until = escape(&lang.ta(
                "vote-online-until",
                &[("date", date_time(lang, round.row.closes_at).into())]
            )),
            id = escape(&round.row.id),
            code = lang.code,
        )
    } else {
        String::new()
    };
    let slots = if round.schedule.is_empty() {
        format!(r#"<p class="govuk-body">{}</p>"#, t("schedule-none"))
    } else {
        let rows: String = round
            .schedule
            .iter()
            .map(|s| {
                format!(
                    r#"<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td></tr>"#,
                    escape(&s.place),
                    escape(&s.address),
                    escape(&day_text(lang, &s.day)),
                    escape(&lang.ta(
                        "time-range",
                        &[("starts", s.starts.clone().into()), ("ends", s.ends.clone().into())]
                    )),
                )
            })
            .collect();
        format!(
            r#"<p class="govuk-body">{intro}</p>
<table class="govuk-table"><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{place}</th><th scope="col" class="govuk-table__header">{address}</th><th scope="col" class="govuk-table__header">{date}</th><th scope="col" class="govuk-table__header">{time}</th></tr></thead>
<tbody class="govuk-table__body">{rows}</tbody></table>"#,
            intro = t("vote-in-person-intro"),
            place = t("place-column"),
            address = t("address-column"),
            date = t("date-column"),
            time = t("time-column"),
        )
    };
    let how_section = format!(
        r#"<h2 class="govuk-heading-l" id="how">{heading}</h2>
{method}{online}
<h3 class="govuk-heading-m">{in_person}</h3>
{slots}"#,
        heading = t("how-heading"),
        in_person = t("vote-in-person"),
    );

    let areas: String = round
        .spec
        .areas
        .iter()
        .map(|a| {
            let cards: String = round
                .projects
                .iter()
                .filter(|p| p.area_key == a.key)
                .map(|p| project_card(round, lang, p))
                .collect();
            let cards = if cards.is_empty() {
                format!(r#"<p class="govuk-body">{}</p>"#, t("no-projects"))
            } else {
                cards
            };
            format!(
                r#"<h3 class="govuk-heading-m">{}</h3>{cards}"#,
                escape(&lang.ta("projects-in-area", &[("area", a.name.clone().into())]))
            )
        })
        .collect();
    let outcome = match result {
        Some(r) => results_summary(lang, round, r),
        None => format!(r#"<p class="govuk-body">{}</p>"#, t("results-soon")),
    };
    let results = format!(
        r#"<h2 class="govuk-heading-l" id="results">{}</h2>{outcome}
<p class="govuk-body"><a class="govuk-link" href="/check">{}</a></p>"#,
        t("results-heading"),
        t("check-ballot"),
    );
    format!(
        r#"<span class="govuk-caption-l">{status}</span>
<h1 class="govuk-heading-xl">{title}</h1>
{description}
<p class="govuk-body govuk-!-font-weight-bold">{dates}</p>
{money_section}
{who_section}
{how_section}
<h2 class="govuk-heading-l" id="projects">{projects}</h2>
{areas}
{results}"#,
        status = escape(&status),
        title = title.html(),
        description = description.paragraphs(),
        dates = escape(&lang.ta(
            "dates",
            &[
                ("opens", date_time(lang, round.row.opens_at).into()),
                ("closes", date_time(lang, round.row.closes_at).into())
            ]
        )),
        projects = t("projects-heading"),
    )
}

fn project_card(round: &Round, lang: Lang, p: &ProjectRow) -> String {
    let [title, summary, description] = project_texts(round, lang, p);
    let mut facts = vec![lang.ta("project-cost", &[("cost", money(p.cost).into())])];
    for (id, value) in [
        ("project-location", &p.location),
        ("project-proposer", &p.proposer),
        ("project-category", &p.category),
    ] {
        if !value.trim().is_empty() {
            facts.push(lang.ta(
                id,
                &[(id.trim_start_matches("project-"), value.clone().into())],
            ));
        }
    }
    let facts: String = facts
        .iter()
        .map(|f| format!("<li>{}</li>", escape(f)))
        .collect();
    let image = if p.image_file.is_some() {
        format!(
            r#"<img src="/api/v1/rounds/{}/projects/{}/image" alt="" class="yd-project-image" loading="lazy">"#,
            escape(&round.row.id),
            escape(&p.key)
        )
    } else {
        String::new()
    };
    let more = if description.text.trim().is_empty() {
        String::new()
    } else {
        format!(
            r#"<details class="govuk-details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">{}</span></summary><div class="govuk-details__text">{}</div></details>"#,
            escape(&lang.t("project-more")),
            description.paragraphs()
        )
    };
    format!(
        r#"<div class="govuk-summary-card" id="project-{key}"><div class="govuk-summary-card__title-wrapper"><h4 class="govuk-summary-card__title">{title}</h4></div>
<div class="govuk-summary-card__content">{image}<p class="govuk-body">{summary}</p><ul class="govuk-list">{facts}</ul>{more}</div></div>"#,
        key = escape(&p.key),
        title = title.html(),
        summary = summary.html(),
    )
}

#[derive(serde::Deserialize)]
struct CheckQuery {
    code: Option<String>,
}

/// "Check your vote": a tracking code's ballot status in plain English, never its choices.
async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CheckQuery>,
) -> Result<HttpResponse, AppError> {
    let offered = all_languages();
    let lang = Lang::pick(&req, &offered);
    let typed = query.code.as_deref().map(str::trim).unwrap_or("");
    let (status, answer, error) = if query.code.is_none() {
        (StatusCode::OK, String::new(), None)
    } else if typed.is_empty() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            String::new(),
            Some(lang.t("check-empty")),
        )
    } else {
        let found = match tracking::normalise(typed) {
            Some(code) => {
                state
                    .db
                    .run(move |conn| ballot_store::status_by_tracking(conn, &code))
                    .await?
            }
            None => None,
        };
        match found {
            Some(s) => (
                StatusCode::OK,
                format!(
                    r#"<div class="govuk-panel govuk-panel--confirmation"><div class="govuk-panel__body">{}</div></div>"#,
                    escape(&lang.t(&format!("check-{s}")))
                ),
                None,
            ),
            None => (
                StatusCode::NOT_FOUND,
                String::new(),
                Some(lang.t("check-not-found")),
            ),
        }
    };
    let (group, error_html, summary) = match &error {
        Some(m) => (
            "govuk-form-group govuk-form-group--error",
            format!(
                r#"<p id="code-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>"#,
                escape(m)
            ),
            super::layout::error_summary(&[("code", m.clone())]),
        ),
        None => ("govuk-form-group", String::new(), String::new()),
    };
    let title = lang.t("check-ballot");
    let main = format!(
        r#"{summary}<h1 class="govuk-heading-l">{title}</h1>{answer}
<p class="govuk-body">{intro}</p>
<form method="get" action="/check" novalidate><input type="hidden" name="lang" value="{code_lang}">
<div class="{group}"><label class="govuk-label govuk-label--s" for="code">{label}</label><div id="code-hint" class="govuk-hint">{hint}</div>{error_html}
<input class="govuk-input govuk-input--width-20" id="code" name="code" type="text" spellcheck="false" autocomplete="off" aria-describedby="code-hint" value="{typed}"></div>
<button type="submit" class="govuk-button" data-module="govuk-button">{button}</button></form>"#,
        title = escape(&title),
        intro = escape(&lang.t("check-intro")),
        code_lang = lang.code,
        label = escape(&lang.t("check-label")),
        hint = escape(&lang.t("check-hint")),
        typed = escape(typed),
        button = escape(&lang.t("check-button")),
    );
    Ok(public_page(&req, lang, &offered, &title, main).respond(status))
}

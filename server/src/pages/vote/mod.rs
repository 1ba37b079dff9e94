//! Voting online, the same steps a kiosk shows, without JavaScript: "your details" (postcode,
//! age, and name and date of birth or a voting code, depending on the round), "choose
//! projects" (checkboxes, points or an order, by the round's method), "check your choices",
//! then the receipt with its tracking code and a QR code of the "check your vote" link.
//!
//! There is no server session: each form carries what was entered so far in hidden fields,
//! and every step checks it again with the shared ballot rules; sending the vote goes through
//! the same code as the JSON API (`ballots::online::cast_online`). Every POST needs the CSRF
//! token. Nothing entered is kept unless the vote is sent, and then only the ballot.

use super::format::{date, money, now};
use super::layout::{error_summary_titled, escape, language_switcher, Page};
use super::public::not_found;
use crate::app::AppState;
use crate::auth::csrf;
use crate::ballots::online;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::form_fields::FormFields;
use crate::rounds::store::{self as rounds_store, ProjectRow, Round};
use crate::rounds::RoundStatus;
use crate::routes::ballots::project_refs;
use crate::routes::session_api::client_address;
use actix_web::cookie::Cookie;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::{Datelike, NaiveDate, Utc};
use std::collections::BTreeMap;
use youdecide_shared::ballot::{self, BallotBody, BallotError, Choice, EligibilityClaim};
use youdecide_shared::postcode;
use youdecide_shared::round::{Area, EligibilityMode, Method};

mod monitoring;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds/{rid}/vote", web::get().to(start))
        .route("/rounds/{rid}/vote", web::post().to(submit))
        .route(
            "/rounds/{rid}/vote/monitoring",
            web::post().to(monitoring::submit),
        );
}

/// What the resident has entered so far, from the form's fields.
#[derive(Debug, Default, Clone)]
struct VoteForm {
    /// The step being submitted: `details`, `choose` (or `check`) or `confirm`.
    step: String,
    /// On the check page: go back to `details` or `choose` instead of sending.
    change: String,
    lang: String,
    csrf_token: String,
    postcode: String,
    age: bool,
    name: String,
    dob_day: String,
    dob_month: String,
    dob_year: String,
    code: String,
    /// Project fields (`p-KEY`) that are not blank: `yes`, points or a rank, by project key.
    picks: BTreeMap<String, String>,
}

impl VoteForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> VoteForm {
        let mut f = VoteForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "step" => f.step = v,
                "change" => f.change = v,
                "lang" => f.lang = v,
                "csrf_token" => f.csrf_token = v,
                "postcode" => f.postcode = v,
                "age" => f.age = !v.is_empty(),
                "name" => f.name = v,
                "dob-day" => f.dob_day = v,
                "dob-month" => f.dob_month = v,
                "dob-year" => f.dob_year = v,
                "code" => f.code = v,
                other => {
                    if let Some(key) = other.strip_prefix("p-") {
                        let v = v.trim();
                        if !v.is_empty() && !key.is_empty() {
                            f.picks.insert(key.to_string(), v.to_string());
                        }
                    }
                }
            }
        }
        f
    }

    /// The date of birth as `YYYY-MM-DD`, or empty when a part is not a number.
    fn dob(&self) -> String {
        let n = |s: &str| s.trim().parse::<u32>().ok();
        match (n(&self.dob_year), n(&self.dob_month), n(&self.dob_day)) {
            (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            _ => String::new(),
        }
    }

    fn claim(&self, mode: EligibilityMode) -> EligibilityClaim {
        EligibilityClaim {
            postcode: self.postcode.clone(),
            age_confirmed: self.age,
            name: (mode == EligibilityMode::SelfDeclared).then(|| self.name.clone()),
            date_of_birth: (mode == EligibilityMode::SelfDeclared).then(|| self.dob()),
            code: (mode == EligibilityMode::Code).then(|| self.code.clone()),
        }
    }

    /// The choices marked for projects in `area`, in the round's order.
    fn choices(&self, round: &Round, area: &str) -> Result<Vec<Choice>, BallotError> {
        let mut out = Vec::new();
        for p in round.projects.iter().filter(|p| p.area_key == area) {
            let Some(raw) = self.picks.get(&p.key) else {
                continue;
            };
            let mut choice = Choice {
                project: p.key.clone(),
                points: None,
                rank: None,
            };
            match round.spec.method {
                Method::Approval { .. } => {}
                Method::Cumulative { .. } => {
                    let points: i64 = raw.parse().map_err(|_| BallotError::InvalidPoints)?;
                    if points == 0 {
                        continue;
                    }
                    choice.points = Some(points);
                }
                Method::Ranked { .. } => {
                    choice.rank = Some(raw.parse().map_err(|_| BallotError::InvalidRanks)?);
                }
            }
            out.push(choice);
        }
        Ok(out)
    }
}

/// Where a refusal is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Details,
    Choose,
    Closed,
}

fn stage_of(e: &BallotError) -> Stage {
    use BallotError::*;
    match e {
        RoundNotOpen | OutsideVotingDates => Stage::Closed,
        InvalidPostcode | PostcodeNotInRound | AgeNotConfirmed(_) | TooYoung(_) | NameRequired
        | InvalidDateOfBirth | CodeRequired | InvalidCode | LanguageNotOffered => Stage::Details,
        _ => Stage::Choose,
    }
}

/// The field on the details page a refusal is about.
fn details_field(e: &BallotError) -> &'static str {
    use BallotError::*;
    match e {
        AgeNotConfirmed(_) => "age",
        NameRequired => "name",
        InvalidDateOfBirth | TooYoung(_) => "dob-day",
        CodeRequired | InvalidCode => "code",
        _ => "postcode",
    }
}

/// A refusal in the page's language (the shared crate's English when there is no message).
fn ballot_message(lang: Lang, e: &BallotError) -> String {
    use BallotError::*;
    let n = match e {
        AgeNotConfirmed(n) | TooYoung(n) | TooFewChoices(n) | TooManyChoices(n)
        | TooManyPoints(n) | PointsOverCap(n) | TooManyRanks(n) => Some(*n),
        _ => None,
    };
    let id = match e {
        InvalidCode => "vp-err-code-format".to_string(),
        other => format!("vp-err-{}", other.code().replace('_', "-")),
    };
    let text = match n {
        Some(n) => lang.ta(&id, &[("n", n.into())]),
        None => lang.t(&id),
    };
    if text == id {
        e.to_string()
    } else {
        text
    }
}

/// A server refusal in the page's language (its own message when there is no translation).
fn app_message(lang: Lang, e: &AppError) -> String {
    let id = format!("vp-err-{}", e.code().replace('_', "-"));
    let text = lang.t(&id);
    if text == id {
        e.public_message()
    } else {
        text
    }
}

/// A `(field id, message)` pair for the error summary and the inline errors.
type Problem = (String, String);

/// Every problem with the details at once (the shared rules decide; the field checks only
/// find all the problems, not just the first); the voter's area key when there is none.
fn check_details(
    f: &VoteForm,
    round: &Round,
    lang: Lang,
) -> Result<String, Vec<(&'static str, BallotError)>> {
    use BallotError::*;
    let spec = &round.spec;
    let mode = spec.eligibility.mode;
    let min_age = spec.eligibility.min_age;
    let mut errs = Vec::new();
    if mode == EligibilityMode::Code {
        let raw = f.code.trim();
        if raw.is_empty() {
            errs.push(("code", CodeRequired));
        } else {
            let code = ballot::normalise_code(raw);
            if code.len() < 12 || code.len() > 32 || raw.len() > 64 {
                errs.push(("code", InvalidCode));
            }
        }
    }
    match postcode::parse(&f.postcode) {
        Err(_) => errs.push(("postcode", InvalidPostcode)),
        Ok(pc) if spec.area_for(&pc).is_none() => errs.push(("postcode", PostcodeNotInRound)),
        Ok(_) => {}
    }
    if !f.age {
        errs.push(("age", AgeNotConfirmed(min_age)));
    }
    if mode == EligibilityMode::SelfDeclared {
        let name = ballot::normalise_name(&f.name);
        if name.is_empty() || name.chars().count() > 200 {
            errs.push(("name", NameRequired));
        }
        let today = Utc::now().date_naive();
        match NaiveDate::parse_from_str(&f.dob(), "%Y-%m-%d")
            .ok()
            .filter(|d| d.year() >= 1900 && *d <= today)
        {
            None => errs.push(("dob-day", InvalidDateOfBirth)),
            Some(d) if ballot::age_on(d, today) < min_age as i32 => {
                errs.push(("dob-day", TooYoung(min_age)));
            }
            Some(_) => {}
        }
    }
    let open = round.status == RoundStatus::Open;
    match ballot::check_eligibility(&f.claim(mode), lang.code, spec, open, Utc::now()) {
        Ok((area, _, _)) if errs.is_empty() => Ok(area),
        Ok(_) => Err(errs),
        Err(e) => {
            if !errs.iter().any(|(_, x)| *x == e) {
                errs.insert(0, (details_field(&e), e));
            }
            Err(errs)
        }
    }
}

/// What every page of a round's vote needs.
struct Ctx<'a> {
    req: &'a HttpRequest,
    round: &'a Round,
    lang: Lang,
    csrf: String,
    new_cookie: Option<Cookie<'static>>,
    form: VoteForm,
}

impl Ctx<'_> {
    fn t(&self, id: &str) -> String {
        escape(&self.lang.t(id))
    }

    fn mode(&self) -> EligibilityMode {
        self.round.spec.eligibility.mode
    }

    fn area(&self, key: &str) -> Option<&Area> {
        self.round.spec.areas.iter().find(|a| a.key == key)
    }

    /// The round's title in the page's language, as HTML.
    fn round_title(&self) -> String {
        let tr = self
            .round
            .translations
            .get(&(String::new(), self.lang.code.to_string()));
        translated(self.lang, tr.map(|t| &t.title), &self.round.row.title)
    }

    /// The round's title as plain text, for `<title>`.
    fn round_title_text(&self) -> String {
        self.round
            .translations
            .get(&(String::new(), self.lang.code.to_string()))
            .filter(|t| self.lang.code != "en" && !t.title.trim().is_empty())
            .map_or_else(|| self.round.row.title.clone(), |t| t.title.clone())
    }

    /// A project's title and summary in the page's language, as HTML.
    fn project_texts(&self, p: &ProjectRow) -> (String, String) {
        let tr = self
            .round
            .translations
            .get(&(p.key.clone(), self.lang.code.to_string()));
        (
            translated(self.lang, tr.map(|t| &t.title), &p.title),
            translated(self.lang, tr.map(|t| &t.summary), &p.summary),
        )
    }

    fn caption(&self, step: u32) -> String {
        format!(
            r#"<span class="govuk-caption-l">{} <span class="yd-step">– {}</span></span>"#,
            self.round_title(),
            escape(&self.lang.ta("vp-step", &[("step", step.into())]))
        )
    }

    fn action(&self) -> String {
        format!("/rounds/{}/vote", escape(&self.round.row.id))
    }

    /// The hidden fields carrying the CSRF token, the language and what was entered.
    fn carried(&self, details: bool, picks: bool) -> String {
        let f = &self.form;
        let mut out = hidden("csrf_token", &self.csrf) + &hidden("lang", self.lang.code);
        if details {
            out += &hidden("postcode", &f.postcode);
            if f.age {
                out += &hidden("age", "yes");
            }
            match self.mode() {
                EligibilityMode::SelfDeclared => {
                    out += &hidden("name", &f.name);
                    out += &hidden("dob-day", &f.dob_day);
                    out += &hidden("dob-month", &f.dob_month);
                    out += &hidden("dob-year", &f.dob_year);
                }
                EligibilityMode::Code => out += &hidden("code", &f.code),
                EligibilityMode::Attended => {}
            }
        }
        if picks {
            for (k, v) in &f.picks {
                out += &hidden(&format!("p-{k}"), v);
            }
        }
        out
    }

    /// Where the language links lead: this page, keeping a voting code from a poll card's QR
    /// code (only its letters, digits and hyphens).
    fn switch_path(&self) -> String {
        let code: String = self
            .form
            .code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if code.is_empty() {
            self.req.path().to_string()
        } else {
            format!("{}?code={code}", self.req.path())
        }
    }

    /// The response: the page frame, the CSRF cookie when new, and `no-store` (the pages
    /// carry names and dates of birth).
    fn respond(
        &self,
        title: &str,
        main: String,
        status: StatusCode,
        switcher: bool,
    ) -> HttpResponse {
        let has_errors = main.contains("govuk-error-summary");
        let title = if has_errors {
            format!("{} {title}", self.lang.t("vp-error-prefix"))
        } else {
            title.to_string()
        };
        let mut resp = Page {
            title: &title,
            main,
            lang: self.lang,
            switcher: if switcher {
                language_switcher(self.lang, &self.round.spec.languages, &self.switch_path())
            } else {
                None
            },
            cookie: self.lang.cookie_if_chosen(self.req),
            ..Page::default()
        }
        .respond(status);
        if let Some(c) = &self.new_cookie {
            let _ = resp.add_cookie(c);
        }
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }

    fn summary(&self, problems: &[Problem]) -> String {
        error_summary_titled(
            &self.lang.t("vp-error-title"),
            problems.iter().map(|(f, m)| (f.as_str(), m.as_str())),
        )
    }

    /// The inline error for a field (`id-error`), if it has one.
    fn inline(&self, problems: &[Problem], field: &str, id: &str) -> Option<String> {
        problems.iter().find(|(f, _)| f == field).map(|(_, m)| {
            format!(
                r#"<p id="{id}-error" class="govuk-error-message"><span class="govuk-visually-hidden">{}</span> {}</p>"#,
                self.t("vp-error-prefix"),
                escape(m)
            )
        })
    }

    fn text_field(
        &self,
        problems: &[Problem],
        id: &str,
        label_id: &str,
        hint_id: Option<&str>,
        value: &str,
        extra: &str,
    ) -> String {
        let error = self.inline(problems, id, id);
        let mut described = Vec::new();
        let hint = hint_id.map_or_else(String::new, |h| {
            described.push(format!("{id}-hint"));
            format!(
                r#"<div id="{id}-hint" class="govuk-hint">{}</div>"#,
                self.t(h)
            )
        });
        if error.is_some() {
            described.push(format!("{id}-error"));
        }
        let aria = if described.is_empty() {
            String::new()
        } else {
            format!(r#" aria-describedby="{}""#, described.join(" "))
        };
        format!(
            r#"<div class="govuk-form-group{group_err}"><label class="govuk-label govuk-label--s" for="{id}">{label}</label>{hint}{error}
<input class="govuk-input{input_err} {extra}" id="{id}" name="{id}" type="text" spellcheck="false"{aria} value="{value}"></div>"#,
            group_err = when(error.is_some(), " govuk-form-group--error"),
            input_err = when(error.is_some(), " govuk-input--error"),
            label = self.t(label_id),
            error = error.clone().unwrap_or_default(),
            value = escape(value),
        )
    }

    fn details_page(
        &self,
        problems: &[Problem],
        status: StatusCode,
        switcher: bool,
    ) -> HttpResponse {
        let f = &self.form;
        let mode = self.mode();
        let min_age = self.round.spec.eligibility.min_age;
        let code = if mode == EligibilityMode::Code {
            self.text_field(
                problems,
                "code",
                "vp-code",
                Some("vp-code-hint"),
                &f.code,
                r#"govuk-input--width-20" autocomplete="off" autocapitalize="characters"#,
            )
        } else {
            String::new()
        };
        let postcode = self.text_field(
            problems,
            "postcode",
            "vp-postcode",
            Some("vp-postcode-hint"),
            &f.postcode,
            r#"govuk-input--width-10" autocomplete="postal-code" autocapitalize="characters"#,
        );
        let age_error = self.inline(problems, "age", "age");
        let age = format!(
            r#"<div class="govuk-form-group{group_err}"><fieldset class="govuk-fieldset"{aria}><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>{error}
<div class="govuk-checkboxes" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="age" name="age" type="checkbox" value="yes"{checked}><label class="govuk-label govuk-checkboxes__label" for="age">{label}</label></div></div></fieldset></div>"#,
            group_err = when(age_error.is_some(), " govuk-form-group--error"),
            aria = if age_error.is_some() {
                r#" aria-describedby="age-error""#
            } else {
                ""
            },
            legend = self.t("vp-age-legend"),
            error = age_error.clone().unwrap_or_default(),
            checked = if f.age { " checked" } else { "" },
            label = escape(&self.lang.ta("vp-age", &[("age", min_age.into())])),
        );
        let (name, dob) = if mode == EligibilityMode::SelfDeclared {
            let name = self.text_field(
                problems,
                "name",
                "vp-name",
                None,
                &f.name,
                r#"govuk-!-width-two-thirds" autocomplete="name"#,
            );
            let dob_error = self.inline(problems, "dob-day", "dob");
            let part = |id: &str, label: &str, value: &str, width: u32, auto: &str| {
                format!(
                    r#"<div class="govuk-date-input__item"><div class="govuk-form-group"><label class="govuk-label govuk-date-input__label" for="{id}">{label}</label>
<input class="govuk-input govuk-date-input__input govuk-input--width-{width}{err}" id="{id}" name="{id}" type="text" inputmode="numeric" autocomplete="{auto}" value="{value}"></div></div>"#,
                    label = self.t(label),
                    err = when(dob_error.is_some(), " govuk-input--error"),
                    value = escape(value),
                )
            };
            let dob = format!(
                r#"<div class="govuk-form-group{group_err}"><fieldset class="govuk-fieldset" role="group" aria-describedby="dob-hint{aria_err}"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
<div id="dob-hint" class="govuk-hint">{hint}</div>{error}<div class="govuk-date-input" id="dob">{day}{month}{year}</div></fieldset></div>"#,
                group_err = when(dob_error.is_some(), " govuk-form-group--error"),
                aria_err = when(dob_error.is_some(), " dob-error"),
                legend = self.t("vp-dob"),
                hint = self.t("vp-dob-hint"),
                error = dob_error.clone().unwrap_or_default(),
                day = part("dob-day", "vp-day", &f.dob_day, 2, "bday-day"),
                month = part("dob-month", "vp-month", &f.dob_month, 2, "bday-month"),
                year = part("dob-year", "vp-year", &f.dob_year, 4, "bday-year"),
            );
            (name, dob)
        } else {
            (String::new(), String::new())
        };
        let (intro, privacy) = match mode {
            EligibilityMode::Code => (self.t("vp-details-intro-code"), String::new()),
            _ => (
                self.t("vp-details-intro-self"),
                format!(
                    r#"<div class="govuk-inset-text">{}</div>"#,
                    self.t("vp-privacy")
                ),
            ),
        };
        let title = self.lang.t("vp-details-title");
        let main = format!(
            r#"{summary}{caption}<h1 class="govuk-heading-l">{h1}</h1>
<p class="govuk-body">{intro}</p>{privacy}
<form method="post" action="{action}" novalidate>{carried}<input type="hidden" name="step" value="details">
{code}{postcode}{age}{name}{dob}
<button type="submit" class="govuk-button" data-module="govuk-button">{button}</button>
</form>"#,
            summary = self.summary(problems),
            caption = self.caption(1),
            h1 = escape(&title),
            action = self.action(),
            carried = self.carried(false, true),
            button = self.t("vp-continue"),
        );
        let full = format!("{title} – {}", self.round_title_text());
        self.respond(&full, main, status, switcher)
    }

    fn choose_page(
        &self,
        area_key: &str,
        problems: &[Problem],
        status: StatusCode,
    ) -> HttpResponse {
        let lang = self.lang;
        let area_name = self.area(area_key).map_or("", |a| a.name.as_str());
        let budget = self.area(area_key).map_or(0, |a| a.budget);
        let projects: Vec<&ProjectRow> = self
            .round
            .projects
            .iter()
            .filter(|p| p.area_key == area_key)
            .collect();
        let mut how = Vec::new();
        match self.round.spec.method {
            Method::Approval {
                max_choices,
                within_budget,
                ..
            } => {
                how.push(match max_choices {
                    Some(max) => lang.ta("vp-how-approval-max", &[("max", max.into())]),
                    None => lang.t("vp-how-approval"),
                });
                if within_budget {
                    how.push(lang.ta(
                        "vp-how-approval-budget",
                        &[("budget", money(budget).into())],
                    ));
                }
            }
            Method::Cumulative {
                points,
                max_per_project,
            } => {
                how.push(lang.ta("vp-how-cumulative", &[("points", points.into())]));
                if let Some(max) = max_per_project {
                    how.push(lang.ta("vp-how-cumulative-cap", &[("max", max.into())]));
                }
            }
            Method::Ranked { max_ranks } => {
                how.push(lang.ta("vp-how-ranked", &[("max", max_ranks.into())]));
            }
        }
        let how: Vec<String> = how.iter().map(|h| escape(h)).collect();
        let error = self.inline(problems, "choices", "choices");
        let items: String = projects
            .iter()
            .map(|p| self.project_input(p, projects.len()))
            .collect();
        let list = match self.round.spec.method {
            Method::Approval { .. } => format!(
                r#"<div class="govuk-checkboxes" data-module="govuk-checkboxes">{items}</div>"#
            ),
            _ => items,
        };
        let title = lang.t("vp-choose-title");
        let main = format!(
            r#"{summary}{caption}<h1 class="govuk-heading-l">{h1}</h1>
<p class="govuk-body">{area_budget}</p>
<form method="post" action="{action}" novalidate>{carried}<input type="hidden" name="step" value="choose">
<div class="govuk-form-group{group_err}" id="choices"><fieldset class="govuk-fieldset" aria-describedby="choices-hint{aria_err}"><legend class="govuk-fieldset__legend govuk-fieldset__legend--m">{legend}</legend>
<div id="choices-hint" class="govuk-hint">{how}</div>{error}
{list}
</fieldset></div>
{running}
<button type="submit" class="govuk-button" data-module="govuk-button">{button}</button>
</form>"#,
            summary = self.summary(problems),
            caption = self.caption(2),
            h1 = escape(&title),
            area_budget = escape(&lang.ta(
                "vp-area-budget",
                &[
                    ("area", area_name.to_string().into()),
                    ("budget", money(budget).into())
                ]
            )),
            action = self.action(),
            carried = self.carried(true, false),
            group_err = when(error.is_some(), " govuk-form-group--error"),
            aria_err = when(error.is_some(), " choices-error"),
            legend = escape(&lang.ta(
                "vp-projects-legend",
                &[("area", area_name.to_string().into())]
            )),
            how = how.join("<br>"),
            error = error.unwrap_or_default(),
            running = self.running_total(budget),
            button = self.t("vp-continue"),
        );
        let full = format!("{title} – {}", self.round_title_text());
        self.respond(&full, main, status, false)
    }

    /// The running total under the projects, kept up to date by the page's script (hidden
    /// without JavaScript, when the check page shows the total instead): what the ticked
    /// projects cost against the area's budget, or the points given against those to share.
    fn running_total(&self, budget: i64) -> String {
        let lang = self.lang;
        let (kind, limit, template, over) = match self.round.spec.method {
            Method::Approval { within_budget, .. } => (
                "cost",
                budget,
                lang.ta(
                    "vp-running-cost",
                    &[
                        ("total", "%TOTAL%".into()),
                        ("budget", money(budget).into()),
                    ],
                ),
                within_budget.then(|| lang.t("vp-running-over-budget")),
            ),
            Method::Cumulative { points, .. } => (
                "points",
                i64::from(points),
                lang.ta(
                    "vp-total-points",
                    &[("given", "%TOTAL%".into()), ("points", points.into())],
                ),
                Some(lang.t("vp-running-over-points")),
            ),
            Method::Ranked { .. } => return String::new(),
        };
        format!(
            r#"<p class="govuk-body govuk-!-font-weight-bold yd-running-total" id="running-total" aria-live="polite" hidden data-running-total="{kind}" data-limit="{limit}" data-template="{template}" data-over="{over}"></p>"#,
            template = escape(&template),
            over = escape(&over.unwrap_or_default()),
        )
    }

    /// One project's checkbox, points box or order select.
    fn project_input(&self, p: &ProjectRow, count: usize) -> String {
        let (title, summary) = self.project_texts(p);
        let cost = escape(&self.lang.ta("vp-cost", &[("cost", money(p.cost).into())]));
        let id = format!("p-{}", escape(&p.key));
        let value = self.form.picks.get(&p.key).map_or("", String::as_str);
        let hint = format!(
            r#"<div id="{id}-hint" class="govuk-hint{extra}">{summary}<br>{cost}</div>"#,
            extra = if matches!(self.round.spec.method, Method::Approval { .. }) {
                " govuk-checkboxes__hint"
            } else {
                ""
            },
        );
        match self.round.spec.method {
            Method::Approval { .. } => format!(
                r#"<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{id}" name="{id}" type="checkbox" value="yes" data-cost="{pence}" aria-describedby="{id}-hint"{checked}><label class="govuk-label govuk-checkboxes__label" for="{id}">{title}</label>{hint}</div>"#,
                checked = if value.is_empty() { "" } else { " checked" },
                pence = p.cost,
            ),
            Method::Cumulative { .. } => format!(
                r#"<div class="govuk-form-group"><label class="govuk-label govuk-label--s" for="{id}">{title}</label>{hint}
<div class="govuk-input__wrapper"><input class="govuk-input govuk-input--width-3" id="{id}" name="{id}" type="text" inputmode="numeric" spellcheck="false" data-points aria-describedby="{id}-hint" value="{value}"><div class="govuk-input__suffix" aria-hidden="true">{points}</div></div></div>"#,
                value = escape(value),
                points = self.t("vp-points"),
            ),
            Method::Ranked { max_ranks } => {
                let max = (max_ranks as usize).min(count.max(1));
                let mut options = format!(
                    r#"<option value=""{}>{}</option>"#,
                    if value.is_empty() { " selected" } else { "" },
                    self.t("vp-not-ranked")
                );
                for r in 1..=max {
                    let selected = if value == r.to_string() {
                        " selected"
                    } else {
                        ""
                    };
                    options += &format!(r#"<option value="{r}"{selected}>{r}</option>"#);
                }
                format!(
                    r#"<div class="govuk-form-group"><label class="govuk-label govuk-label--s" for="{id}">{title}</label>{hint}
<select class="govuk-select" id="{id}" name="{id}" aria-describedby="{id}-hint">{options}</select></div>"#
                )
            }
        }
    }

    fn check_page(&self, area_key: &str, choices: &[Choice]) -> HttpResponse {
        let lang = self.lang;
        let f = &self.form;
        let area = self.area(area_key);
        let budget = area.map_or(0, |a| a.budget);
        let row = |key: String, value: String| {
            format!(
                r#"<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt><dd class="govuk-summary-list__value">{value}</dd></div>"#
            )
        };
        let bdi = |s: &str| format!("<bdi>{}</bdi>", escape(s));
        let mut details = String::new();
        if self.mode() == EligibilityMode::Code {
            details += &row(self.t("vp-code"), bdi(f.code.trim()));
        }
        details += &row(
            self.t("vp-postcode"),
            bdi(&postcode::normalise(&f.postcode)),
        );
        details += &row(
            self.t("vp-area"),
            escape(area.map_or("", |a| a.name.as_str())),
        );
        if self.mode() == EligibilityMode::SelfDeclared {
            details += &row(self.t("vp-name"), bdi(f.name.trim()));
            let dob = NaiveDate::parse_from_str(&f.dob(), "%Y-%m-%d")
                .map_or_else(|_| f.dob(), |d| date(lang, d));
            details += &row(self.t("vp-dob"), escape(&dob));
        }
        details += &row(
            escape(&lang.ta(
                "vp-age",
                &[("age", self.round.spec.eligibility.min_age.into())],
            )),
            self.t("vp-yes"),
        );
        let mut ordered: Vec<&Choice> = choices.iter().collect();
        ordered.sort_by_key(|c| c.rank.unwrap_or(0));
        let project = |key: &str| self.round.projects.iter().find(|p| p.key == key);
        let (extra_head, total) = match self.round.spec.method {
            Method::Approval { .. } => {
                let total: i64 = choices
                    .iter()
                    .filter_map(|c| project(&c.project))
                    .map(|p| p.cost)
                    .sum();
                (
                    String::new(),
                    lang.ta(
                        "vp-total-cost",
                        &[
                            ("total", money(total).into()),
                            ("budget", money(budget).into()),
                        ],
                    ),
                )
            }
            Method::Cumulative { points, .. } => {
                let given: i64 = choices.iter().filter_map(|c| c.points).sum();
                (
                    format!(
                        r#"<th scope="col" class="govuk-table__header govuk-table__header--numeric">{}</th>"#,
                        self.t("vp-points-column")
                    ),
                    lang.ta(
                        "vp-total-points",
                        &[("given", given.into()), ("points", points.into())],
                    ),
                )
            }
            Method::Ranked { .. } => (
                format!(
                    r#"<th scope="col" class="govuk-table__header govuk-table__header--numeric">{}</th>"#,
                    self.t("vp-rank-column")
                ),
                String::new(),
            ),
        };
        let rows: String = ordered
            .iter()
            .filter_map(|c| project(&c.project).map(|p| (c, p)))
            .map(|(c, p)| {
                let (title, _) = self.project_texts(p);
                let extra = match (c.points, c.rank) {
                    (Some(n), _) | (None, Some(n)) => format!(
                        r#"<td class="govuk-table__cell govuk-table__cell--numeric">{n}</td>"#
                    ),
                    _ => String::new(),
                };
                format!(
                    r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{title}</th><td class="govuk-table__cell govuk-table__cell--numeric">{cost}</td>{extra}</tr>"#,
                    cost = escape(&money(p.cost)),
                )
            })
            .collect();
        let total = if total.is_empty() {
            String::new()
        } else {
            format!(
                r#"<p class="govuk-body govuk-!-font-weight-bold" id="total">{}</p>"#,
                escape(&total)
            )
        };
        let title = lang.t("vp-check-title");
        let main = format!(
            r#"{caption}<h1 class="govuk-heading-l">{h1}</h1>
<h2 class="govuk-heading-m">{your_details}</h2>
<dl class="govuk-summary-list">{details}</dl>
<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--m">{your_choices}</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{project_col}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">{cost_col}</th>{extra_head}</tr></thead>
<tbody class="govuk-table__body">{rows}</tbody></table>
{total}
<form method="post" action="{action}" novalidate>{carried}<input type="hidden" name="step" value="confirm">
<p class="govuk-body">{warning}</p>
<div class="govuk-button-group">
<button type="submit" class="govuk-button" data-module="govuk-button" id="send">{send}</button>
<button type="submit" name="change" value="choose" class="govuk-button govuk-button--secondary" data-module="govuk-button">{change_choices}</button>
<button type="submit" name="change" value="details" class="govuk-button govuk-button--secondary" data-module="govuk-button">{change_details}</button>
</div>
</form>"#,
            caption = self.caption(3),
            h1 = escape(&title),
            your_details = self.t("vp-your-details"),
            your_choices = self.t("vp-your-choices"),
            project_col = self.t("vp-project-column"),
            cost_col = self.t("vp-cost-column"),
            action = self.action(),
            carried = self.carried(true, true),
            warning = self.t("vp-send-warning"),
            send = self.t("vp-send"),
            change_choices = self.t("vp-change-choices"),
            change_details = self.t("vp-change-details"),
        );
        let full = format!("{title} – {}", self.round_title_text());
        self.respond(&full, main, StatusCode::OK, false)
    }

    fn receipt_page(&self, tracking_code: &str) -> HttpResponse {
        let check_url = {
            let info = self.req.connection_info();
            format!(
                "{}://{}/check?code={tracking_code}",
                info.scheme(),
                info.host()
            )
        };
        let qr = qr_svg(&check_url, &self.lang.t("vp-receipt-qr")).unwrap_or_default();
        let title = self.lang.t("vp-receipt-title");
        let main = format!(
            r#"<div class="govuk-panel govuk-panel--confirmation"><h1 class="govuk-panel__title">{h1}</h1>
<div class="govuk-panel__body">{code_label}<br><strong class="yd-tracking-code" id="tracking-code" dir="ltr">{code}</strong></div></div>
<p class="govuk-body">{keep}</p>
<div class="yd-receipt-qr">{qr}</div>
<p class="govuk-body"><a class="govuk-link" href="/check?code={code_url}&amp;lang={lang}">{check}</a></p>
<p class="govuk-body"><a class="govuk-link" href="/rounds/{rid}?lang={lang}">{back}</a></p>
{monitoring}"#,
            h1 = escape(&title),
            code_label = self.t("vp-receipt-code"),
            code = escape(tracking_code),
            keep = self.t("vp-receipt-keep"),
            code_url = escape(tracking_code),
            lang = self.lang.code,
            check = self.t("vp-receipt-check"),
            rid = escape(&self.round.row.id),
            back = self.t("vp-back-to-round"),
            monitoring = self.monitoring_form(),
        );
        self.respond(&title, main, StatusCode::OK, false)
    }

    /// A page with a heading, a paragraph, an optional error summary and a link.
    fn message_page(
        &self,
        title_id: &str,
        body: &str,
        problems: &[Problem],
        link: (&str, &str),
        status: StatusCode,
    ) -> HttpResponse {
        let title = self.lang.t(title_id);
        let main = format!(
            r#"{summary}<span class="govuk-caption-l">{round}</span><h1 class="govuk-heading-l">{h1}</h1>
<p class="govuk-body">{body}</p>
<p class="govuk-body"><a class="govuk-link" href="{href}">{text}</a></p>"#,
            summary = self.summary(problems),
            round = self.round_title(),
            h1 = escape(&title),
            body = escape(body),
            href = escape(link.0),
            text = self.t(link.1),
        );
        self.respond(&title, main, status, false)
    }

    /// The page for a form whose CSRF token did not match.
    fn csrf_refused(&self, e: &AppError, link: (&str, &str)) -> HttpResponse {
        self.message_page(
            "vp-csrf-title",
            &self.lang.t("vp-csrf-body"),
            &[("main-content".to_string(), app_message(self.lang, e))],
            link,
            e.status_code(),
        )
    }

    fn round_link(&self, anchor: &str) -> String {
        format!(
            "/rounds/{}?lang={}{anchor}",
            self.round.row.id, self.lang.code
        )
    }

    fn closed_page(&self, status: StatusCode) -> HttpResponse {
        self.message_page(
            "vp-closed-title",
            &self.lang.t("vp-closed-body"),
            &[],
            (&self.round_link(""), "vp-back-to-round"),
            status,
        )
    }

    fn attended_page(&self, status: StatusCode) -> HttpResponse {
        self.message_page(
            "vp-attended-title",
            &self.lang.t("vp-attended-body"),
            &[],
            (&self.round_link("#how"), "vp-attended-link"),
            status,
        )
    }

    /// The details page with problems from the shared rules.
    fn details_refused(&self, errs: &[(&'static str, BallotError)]) -> HttpResponse {
        if errs.iter().any(|(_, e)| stage_of(e) == Stage::Closed) {
            return self.closed_page(StatusCode::CONFLICT);
        }
        let problems: Vec<Problem> = errs
            .iter()
            .map(|(field, e)| (field.to_string(), ballot_message(self.lang, e)))
            .collect();
        self.details_page(&problems, StatusCode::UNPROCESSABLE_ENTITY, false)
    }

    /// The choose page with a problem about the choices.
    fn choose_refused(&self, area: &str, message: String, status: StatusCode) -> HttpResponse {
        self.choose_page(area, &[("choices".to_string(), message)], status)
    }
}

/// `text` when `cond` holds, else nothing (error classes and attributes).
fn when(cond: bool, text: &'static str) -> &'static str {
    if cond {
        text
    } else {
        ""
    }
}

/// A hidden form field.
fn hidden(name: &str, value: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{}">"#,
        escape(name),
        escape(value)
    )
}

/// A text in the page's language as HTML, or the English one marked as English.
fn translated(lang: Lang, text: Option<&String>, english: &str) -> String {
    match text {
        Some(t) if lang.code != "en" && !t.trim().is_empty() => escape(t),
        _ if lang.code != "en" => {
            format!(r#"<span lang="en" dir="ltr">{}</span>"#, escape(english))
        }
        _ => escape(english),
    }
}

/// An SVG QR code of `text`, labelled for screen readers.
fn qr_svg(text: &str, label: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .build();
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen(
        "<svg ",
        &format!(
            r#"<svg role="img" aria-label="{}" focusable="false" class="yd-qr" "#,
            escape(label)
        ),
        1,
    ))
}

async fn load(state: &AppState, rid: String) -> Result<Option<Round>, AppError> {
    Ok(state
        .db
        .run(move |conn| rounds_store::load(conn, &rid))
        .await?
        .filter(|r| r.status.is_public()))
}

fn voting_open(round: &Round) -> bool {
    let now = now();
    round.status == RoundStatus::Open && round.row.opens_at <= now && now < round.row.closes_at
}

/// The language: the form's when the round offers it, else as for any page.
fn pick_lang(req: &HttpRequest, round: &Round, field: &str) -> Lang {
    Lang::find(field)
        .filter(|l| l.code == "en" || round.spec.languages.iter().any(|o| o == l.code))
        .unwrap_or_else(|| Lang::pick(req, &round.spec.languages))
}

/// Step 1: "your details" (or why voting online is not possible).
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(round) = load(&state, path.into_inner()).await? else {
        return Ok(not_found(&req));
    };
    let code = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().into_iter().find(|(k, _)| k == "code"))
        .map(|(_, v)| v.chars().take(64).collect::<String>())
        .unwrap_or_default();
    let lang = Lang::pick(&req, &round.spec.languages);
    let (csrf, new_cookie) = csrf::token_for(&req);
    let ctx = Ctx {
        req: &req,
        round: &round,
        lang,
        csrf,
        new_cookie,
        form: VoteForm {
            code,
            ..VoteForm::default()
        },
    };
    if !voting_open(&round) {
        return Ok(ctx.closed_page(StatusCode::OK));
    }
    if round.spec.eligibility.mode == EligibilityMode::Attended {
        return Ok(ctx.attended_page(StatusCode::OK));
    }
    Ok(ctx.details_page(&[], StatusCode::OK, true))
}

/// Every later step: the form says which step it comes from.
async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: FormFields,
) -> Result<HttpResponse, AppError> {
    let Some(round) = load(&state, path.into_inner()).await? else {
        return Ok(not_found(&req));
    };
    let form = VoteForm::from_pairs(form.into_pairs());
    let lang = pick_lang(&req, &round, &form.lang);
    let (csrf, new_cookie) = csrf::token_for(&req);
    let csrf_ok = csrf::verify(&req, Some(&form.csrf_token));
    let ctx = Ctx {
        req: &req,
        round: &round,
        lang,
        csrf,
        new_cookie,
        form,
    };
    if let Err(e) = csrf_ok {
        let start = format!("/rounds/{}/vote?lang={}", round.row.id, lang.code);
        return Ok(ctx.csrf_refused(&e, (&start, "vp-start-again")));
    }
    if !voting_open(&round) {
        return Ok(ctx.closed_page(StatusCode::CONFLICT));
    }
    if round.spec.eligibility.mode == EligibilityMode::Attended {
        return Ok(ctx.attended_page(StatusCode::CONFLICT));
    }
    let f = &ctx.form;
    let step = f.step.as_str();
    if step == "confirm" && f.change == "details" {
        return Ok(ctx.details_page(&[], StatusCode::OK, false));
    }
    if !matches!(step, "details" | "choose" | "check" | "confirm") {
        return Ok(ctx.details_page(&[], StatusCode::OK, false));
    }
    let area = match check_details(f, &round, lang) {
        Ok(area) => area,
        Err(errs) => return Ok(ctx.details_refused(&errs)),
    };
    if step == "details" && round.spec.eligibility.mode == EligibilityMode::Code {
        let code = ballot::normalise_code(f.code.trim());
        if let Err(e) = online::check_code(&state, client_address(&req), &round, &code).await {
            return details_app_error(&ctx, e);
        }
    }
    if step == "details" || (step == "confirm" && f.change == "choose") {
        return Ok(ctx.choose_page(&area, &[], StatusCode::OK));
    }
    let choices = match f.choices(&round, &area) {
        Ok(c) => c,
        Err(e) => {
            return Ok(ctx.choose_refused(
                &area,
                ballot_message(lang, &e),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    };
    let body = BallotBody {
        eligibility: f.claim(round.spec.eligibility.mode),
        choices: choices.clone(),
        language: lang.code.to_string(),
    };
    let checked = ballot::validate(
        &body,
        &round.spec,
        &project_refs(&round),
        round.status == RoundStatus::Open,
        Utc::now(),
    );
    if let Err(e) = checked {
        return Ok(match stage_of(&e) {
            Stage::Closed => ctx.closed_page(StatusCode::CONFLICT),
            Stage::Details => ctx.details_refused(&[(details_field(&e), e)]),
            Stage::Choose => ctx.choose_refused(
                &area,
                ballot_message(lang, &e),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        });
    }
    if step != "confirm" {
        return Ok(ctx.check_page(&area, &choices));
    }
    match online::cast_online(&state, client_address(&req), &round, body).await {
        Ok(tracking_code) => {
            tracing::info!(round = %round.row.id, "online ballot cast on the voting pages");
            Ok(ctx.receipt_page(&tracking_code))
        }
        Err(e) => match e.code() {
            "already_voted" => Ok(ctx.message_page(
                "vp-already-title",
                &app_message(lang, &e),
                &[("main-content".to_string(), app_message(lang, &e))],
                ("/check", "check-ballot"),
                StatusCode::CONFLICT,
            )),
            "round_not_open" | "outside_voting_dates" => Ok(ctx.closed_page(StatusCode::CONFLICT)),
            "invalid_code" | "too_many_attempts" => details_app_error(&ctx, e),
            _ if matches!(e, AppError::Invalid { .. }) => Ok(ctx.choose_refused(
                &area,
                app_message(lang, &e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            _ => Err(e),
        },
    }
}

/// The details page with a refusal from the server (a voting code not issued, too many
/// guesses); other errors are passed on.
fn details_app_error(ctx: &Ctx<'_>, e: AppError) -> Result<HttpResponse, AppError> {
    match e {
        AppError::Invalid { .. } | AppError::TooManyRequests { .. } => {
            let field = if ctx.mode() == EligibilityMode::Code {
                "code"
            } else {
                "postcode"
            };
            Ok(ctx.details_page(
                &[(field.to_string(), app_message(ctx.lang, &e))],
                e.status_code(),
                false,
            ))
        }
        e => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_parse_and_keep_picks() {
        let f = VoteForm::from_pairs(vec![
            ("step".into(), "choose".into()),
            ("age".into(), "yes".into()),
            ("dob-day".into(), "2".into()),
            ("dob-month".into(), "4".into()),
            ("dob-year".into(), "1980".into()),
            ("p-bench".into(), " 3 ".into()),
            ("p-mural".into(), "".into()),
        ]);
        assert!(f.age);
        assert_eq!(f.dob(), "1980-04-02");
        assert_eq!(f.picks.get("bench").map(String::as_str), Some("3"));
        assert!(!f.picks.contains_key("mural"));
        let mut g = f.clone();
        g.dob_month = "April".into();
        assert_eq!(g.dob(), "");
    }

    #[test]
    fn refusals_are_translated_with_english_from_the_rules() {
        let en = Lang::ENGLISH;
        for e in [
            BallotError::InvalidPostcode,
            BallotError::AgeNotConfirmed(16),
            BallotError::OverBudget,
            BallotError::TooManyPoints(10),
            BallotError::InvalidCode,
        ] {
            assert_eq!(ballot_message(en, &e), e.to_string());
        }
        assert_eq!(
            ballot_message(en, &BallotError::TooManyChoices(2)),
            "Choose no more than 2 projects."
        );
        let ur = Lang::find("ur").unwrap();
        assert_ne!(
            ballot_message(ur, &BallotError::OverBudget),
            BallotError::OverBudget.to_string()
        );
        assert_eq!(
            app_message(en, &crate::ballots::store::already_voted()),
            crate::ballots::store::already_voted().public_message()
        );
    }

    #[test]
    fn qr_codes_are_inline_svg_without_styles() {
        let svg = qr_svg("https://example.org/check?code=ABCD-EFGH", "QR").unwrap();
        assert!(svg.starts_with(r#"<svg role="img" aria-label="QR""#));
        assert!(!svg.contains("<?xml") && !svg.contains("style="));
    }
}

//! The optional equality monitoring and influence questions under the receipt, and the page
//! that stores the answers. The form carries nothing but the answers, the language and the
//! CSRF token, so the answers cannot be tied to the ballot just cast.

use super::{hidden, load, voting_open, Ctx, VoteForm};
use crate::app::AppState;
use crate::auth::csrf;
use crate::ballots::store::{self, Monitoring};
use crate::error::AppError;
use crate::pages::form_fields::FormFields;
use crate::pages::layout::escape;
use crate::pages::public::not_found;
use crate::routes::ballots::check_monitoring;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use youdecide_shared::monitoring::QUESTIONS;

/// The monitoring form's address for a round.
pub fn action(rid: &str) -> String {
    format!("/rounds/{rid}/vote/monitoring")
}

impl Ctx<'_> {
    /// The questions, each as radios with "prefer not to say" (or "don't know") among the
    /// answers; every question may be left out.
    pub(super) fn monitoring_form(&self) -> String {
        let lang = self.lang;
        let questions: String = QUESTIONS
            .iter()
            .map(|(q, answers)| {
                let radios: String = answers
                    .iter()
                    .map(|a| {
                        let id = format!("{q}-{a}");
                        format!(
                            r#"<div class="govuk-radios__item"><input class="govuk-radios__input" id="{id}" name="{q}" type="radio" value="{a}"><label class="govuk-label govuk-radios__label" for="{id}">{label}</label></div>"#,
                            label = escape(&lang.t(&format!("vp-mon-a-{a}"))),
                        )
                    })
                    .collect();
                format!(
                    r#"<div class="govuk-form-group" id="{q}"><fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>
<div class="govuk-radios govuk-radios--small" data-module="govuk-radios">{radios}</div></fieldset></div>"#,
                    legend = escape(&lang.t(&format!("vp-mon-q-{q}"))),
                )
            })
            .collect();
        format!(
            r#"<h2 class="govuk-heading-m" id="monitoring">{title}</h2>
<p class="govuk-body">{intro}</p>
<form method="post" action="{action}" novalidate>{csrf}{lang_field}
{questions}
<button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" id="send-monitoring">{send}</button>
</form>"#,
            title = self.t("vp-mon-title"),
            intro = self.t("vp-mon-intro"),
            action = action(&self.round.row.id),
            csrf = hidden("csrf_token", &self.csrf),
            lang_field = hidden("lang", lang.code),
            send = self.t("vp-mon-send"),
        )
    }
}

/// Stores the answers given (blank questions are left out) and thanks the resident.
pub(super) async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: FormFields,
) -> Result<HttpResponse, AppError> {
    let Some(round) = load(&state, path.into_inner()).await? else {
        return Ok(not_found(&req));
    };
    let pairs = form.into_pairs();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let lang = super::pick_lang(&req, &round, &field("lang").unwrap_or_default());
    let (csrf, new_cookie) = csrf::token_for(&req);
    let csrf_ok = csrf::verify(&req, field("csrf_token").as_deref());
    let ctx = Ctx {
        req: &req,
        round: &round,
        lang,
        csrf,
        new_cookie,
        form: VoteForm::default(),
    };
    let back = (ctx.round_link(""), "vp-back-to-round");
    if let Err(e) = csrf_ok {
        return Ok(ctx.csrf_refused(&e, (&back.0, back.1)));
    }
    if !voting_open(&round) {
        return Ok(ctx.closed_page(StatusCode::CONFLICT));
    }
    let answers = Monitoring {
        age_band: field("age_band"),
        sex: field("sex"),
        ethnic_group: field("ethnic_group"),
        disability: field("disability"),
        influence: field("influence"),
    };
    if let Err(e) = check_monitoring(&answers) {
        let problems = [("main-content".to_string(), lang.t("vp-mon-invalid-body"))];
        return Ok(ctx.message_page(
            "vp-mon-invalid-title",
            &lang.t("vp-mon-invalid-body"),
            &problems,
            (&back.0, back.1),
            e.status_code(),
        ));
    }
    if answers.answers().iter().any(|(_, a)| a.is_some()) {
        let rid = round.row.id.clone();
        state
            .db
            .run(move |conn| store::insert_monitoring(conn, &rid, &answers))
            .await?;
    }
    Ok(ctx.message_page(
        "vp-mon-thanks-title",
        &lang.t("vp-mon-thanks-body"),
        &[],
        (&back.0, back.1),
        StatusCode::OK,
    ))
}

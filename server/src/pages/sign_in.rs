//! The officer sign-in page, sign-out, and the signed-in start page listing the officer's
//! partnerships.

use super::layout::{error_summary, escape, Page};
use crate::accounts;
use crate::app::AppState;
use crate::auth::{csrf, login, session, Caller};
use crate::error::AppError;
use crate::routes::session_api::client_address;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show_form))
        .route("/login", web::post().to(submit))
        .route("/logout", web::post().to(sign_out))
        .route("/officer", web::get().to(officer_home));
}

fn form_page(csrf_token: &str, email: &str, error: Option<&AppError>) -> String {
    let errors: Vec<(&str, String)> = error
        .map(|e| vec![("email", e.public_message())])
        .unwrap_or_default();
    let group_class = if error.is_some() {
        "govuk-form-group govuk-form-group--error"
    } else {
        "govuk-form-group"
    };
    let inline_error = error
        .map(|e| {
            format!(
                r#"<p id="email-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</p>"#,
                escape(&e.public_message())
            )
        })
        .unwrap_or_default();
    format!(
        r#"{summary}<h1 class="govuk-heading-l">Sign in</h1>
<form method="post" action="/login" novalidate>
<input type="hidden" name="csrf_token" value="{csrf}">
<div class="{group_class}">
<label class="govuk-label" for="email">Email address</label>{inline_error}
<input class="govuk-input" id="email" name="email" type="email" autocomplete="username" spellcheck="false" value="{email}">
</div>
<div class="govuk-form-group">
<label class="govuk-label" for="password">Password</label>
<input class="govuk-input" id="password" name="password" type="password" autocomplete="current-password">
</div>
<button type="submit" class="govuk-button" data-module="govuk-button">Sign in</button>
</form>"#,
        summary = error_summary(&errors),
        csrf = escape(csrf_token),
        email = escape(email),
    )
}

/// The sign-in page, with the email typed so far and the error to show, if any; sets the
/// CSRF cookie when the browser has none.
fn sign_in_page(req: &HttpRequest, email: &str, error: Option<&AppError>) -> HttpResponse {
    let (token, new_cookie) = csrf::token_for(req);
    let status = error.map_or(StatusCode::OK, actix_web::ResponseError::status_code);
    let mut resp = Page {
        title: "Sign in",
        main: form_page(&token, email, error),
        ..Page::default()
    }
    .respond(status);
    if let Some(c) = new_cookie {
        let _ = resp.add_cookie(&c);
    }
    resp
}

async fn show_form(req: HttpRequest) -> HttpResponse {
    sign_in_page(&req, "", None)
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let outcome = match csrf::verify(&req, Some(&form.csrf_token)) {
        Ok(()) => login::sign_in(&state.db, &form.email, form.password, client_address(&req)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(signed) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/officer"))
            .cookie(session::cookie(signed.session))
            .finish()),
        Err(
            e @ (AppError::Unauthorized { .. }
            | AppError::TooManyRequests { .. }
            | AppError::Forbidden { .. }
            | AppError::Invalid { .. }),
        ) => Ok(sign_in_page(&req, &form.email, Some(&e))),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, Some(&form.csrf_token))?;
    session::end(&state.db, &req).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login"))
        .cookie(session::removal_cookie())
        .finish())
}

async fn officer_home(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let caller = match Caller::from_http(&req).await {
        Ok(c) => c,
        Err(AppError::Unauthorized { .. }) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish())
        }
        Err(e) => return Err(e),
    };
    let user = caller.user.clone();
    let rows = state
        .db
        .run(move |conn| accounts::visible_partnerships(conn, &user))
        .await?;
    let list = if rows.is_empty() {
        r#"<p class="govuk-body">You are not a member of any partnership yet. Ask a partnership admin to add you.</p>"#.to_string()
    } else {
        let items: String = rows
            .iter()
            .map(|(p, role)| {
                format!(
                    r#"<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" href="/officer/p/{}">{}</a></td><td class="govuk-table__cell">{}</td></tr>"#,
                    escape(&p.id),
                    escape(&p.name),
                    role
                )
            })
            .collect();
        format!(
            r#"<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--m">Your partnerships</caption>
<thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Partnership</th><th scope="col" class="govuk-table__header">Your role</th></tr></thead>
<tbody class="govuk-table__body">{items}</tbody></table>"#
        )
    };
    let (token, new_cookie) = csrf::token_for(&req);
    let mut resp = Page {
        title: "Your partnerships",
        main: format!(r#"<h1 class="govuk-heading-l">Your partnerships</h1>{list}"#),
        signed_in_as: Some(&caller.user.email),
        csrf_token: Some(&token),
        ..Page::default()
    }
    .respond(StatusCode::OK);
    if let Some(c) = new_cookie {
        let _ = resp.add_cookie(&c);
    }
    Ok(resp)
}

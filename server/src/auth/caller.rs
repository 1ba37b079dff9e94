//! The [`Caller`] extractor: who is making this request (API token or session cookie), and
//! the checks every officer route makes against the partnership it touches.

use super::{csrf, session, tokens};
use crate::accounts::{self, Role, User};
use crate::app::AppState;
use crate::error::AppError;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;
use youdecide_shared::ids::PartnershipId;

/// How the caller proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// `Authorization: Bearer ydt_…`.
    Token,
    /// The browser session cookie.
    Session,
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// Token or session.
    pub method: AuthMethod,
}

fn not_signed_in() -> AppError {
    AppError::unauthorized(
        "not_signed_in",
        "Sign in first: send an API token as \"Authorization: Bearer TOKEN\", or sign in with \
         your email address and password.",
    )
}

impl Caller {
    /// Authenticates a request: a bearer token if one is sent, else the session cookie (and
    /// then, for state-changing API requests, the CSRF header).
    pub async fn from_http(req: &HttpRequest) -> Result<Caller, AppError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?
            .clone();
        let bearer = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("").trim().to_string());
        let (credential, method) = if let Some(h) = bearer {
            let token = h
                .strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    AppError::unauthorized(
                        "invalid_token",
                        "The Authorization header must be \"Bearer TOKEN\".",
                    )
                })?;
            (token.to_string(), AuthMethod::Token)
        } else if let Some(c) = req.cookie(session::COOKIE) {
            (c.value().to_string(), AuthMethod::Session)
        } else {
            return Err(not_signed_in());
        };
        let user = state
            .db
            .run(move |conn| {
                let user_id = match method {
                    AuthMethod::Token => tokens::authenticate(conn, &credential)?,
                    AuthMethod::Session => session::authenticate(conn, &credential)?,
                };
                match user_id {
                    Some(id) => accounts::find_user(conn, &id),
                    None => Ok(None),
                }
            })
            .await?;
        let user = user.ok_or_else(|| match method {
            AuthMethod::Token => AppError::unauthorized(
                "invalid_token",
                "The API token is not valid or has been revoked.",
            ),
            AuthMethod::Session => {
                AppError::unauthorized("not_signed_in", "Your session has ended. Sign in again.")
            }
        })?;
        if method == AuthMethod::Session
            && req.path().starts_with("/api/")
            && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        {
            csrf::verify_header(req)?;
        }
        Ok(Caller { user, method })
    }

    /// Only site admins may continue.
    pub fn require_site_admin(&self) -> Result<(), AppError> {
        if self.user.is_site_admin {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "forbidden",
                "Only a site administrator can do this.",
            ))
        }
    }

    /// The caller's role in a partnership (site admins count as its admins). Answers 404 if the
    /// partnership does not exist and 403 if the caller is not a member.
    pub async fn role_in(&self, state: &AppState, pid: PartnershipId) -> Result<Role, AppError> {
        let user_id = self.user.id.clone();
        let is_site_admin = self.user.is_site_admin;
        state
            .db
            .run(move |conn| {
                if accounts::find_partnership(conn, pid)?.is_none() {
                    return Err(AppError::not_found("There is no such partnership."));
                }
                if is_site_admin {
                    return Ok(Role::Admin);
                }
                accounts::role_in(conn, pid, &user_id)?.ok_or_else(|| {
                    AppError::forbidden("forbidden", "You are not a member of this partnership.")
                })
            })
            .await
    }

    /// Requires at least `needed` in the partnership (an officer route takes `Role::Officer`,
    /// which admins also satisfy).
    pub async fn require(
        &self,
        state: &AppState,
        pid: PartnershipId,
        needed: Role,
    ) -> Result<Role, AppError> {
        let role = self.role_in(state, pid).await?;
        if role >= needed {
            Ok(role)
        } else {
            Err(AppError::forbidden(
                "forbidden",
                format!("Only a partnership {needed} can do this."),
            ))
        }
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, AppError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Caller::from_http(&req).await })
    }
}

//! Partnerships and their members: `POST/GET /partnerships`, `GET /partnerships/{pid}`,
//! `POST/GET /partnerships/{pid}/members`.

use super::parse_id;
use crate::accounts::{self, Role};
use crate::app::AppState;
use crate::auth::{password, Caller};
use crate::error::AppError;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use youdecide_shared::ids::PartnershipId;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/partnerships", web::post().to(create))
        .route("/partnerships", web::get().to(list))
        .route("/partnerships/{pid}", web::get().to(show))
        .route("/partnerships/{pid}/members", web::post().to(add_member))
        .route("/partnerships/{pid}/members", web::get().to(list_members))
        .route(
            "/partnerships/{pid}/members/{mid}",
            web::patch().to(change_role),
        )
        .route(
            "/partnerships/{pid}/members/{mid}",
            web::delete().to(remove_member),
        );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPartnership {
    name: String,
}

async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewPartnership>,
) -> Result<HttpResponse, AppError> {
    caller.require_site_admin()?;
    let name = accounts::validate_partnership_name(&body.name)?;
    let p = state
        .db
        .run(move |conn| accounts::create_partnership(conn, &name))
        .await?;
    tracing::info!(partnership = %p.id, "partnership created");
    Ok(HttpResponse::Created().json(json!({"id": p.id, "slug": p.slug, "name": p.name})))
}

async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let user = caller.user.clone();
    let rows = state
        .db
        .run(move |conn| accounts::visible_partnerships(conn, &user))
        .await?;
    let out: Vec<_> = rows
        .into_iter()
        .map(|(p, role)| json!({"id": p.id, "name": p.name, "slug": p.slug, "role": role}))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    let role = caller.require(&state, pid, Role::Officer).await?;
    let p = state
        .db
        .run(move |conn| accounts::find_partnership(conn, pid))
        .await?
        .ok_or_else(|| AppError::not_found("There is no such partnership."))?;
    Ok(HttpResponse::Ok().json(json!({"id": p.id, "name": p.name, "slug": p.slug, "role": role})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMember {
    email: String,
    role: String,
    password: Option<String>,
}

/// Adds a member. A new account is created with the given password; an existing account (a
/// member of another partnership, say) is added as it is and its password is not changed.
async fn add_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<NewMember>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let NewMember {
        email,
        role,
        password: pw,
    } = body.into_inner();
    let email = accounts::normalise_email(&email)?;
    let role: Role = role.parse()?;
    let existing = {
        let email = email.clone();
        state
            .db
            .run(move |conn| accounts::find_user_by_email(conn, &email))
            .await?
    };
    let hash = match (&existing, pw) {
        (Some(_), _) => None,
        (None, Some(pw)) => {
            password::validate_new(&pw)?;
            Some(
                web::block(move || password::hash(&pw))
                    .await
                    .map_err(|e| {
                        AppError::Internal(anyhow::anyhow!("hashing task failed: {e}"))
                    })??,
            )
        }
        (None, None) => {
            return Err(AppError::invalid(
                "password_required",
                "Give a password for the new member's account (at least 10 characters).",
            ))
        }
    };
    let (membership, user_id) = state
        .db
        .run(move |conn| {
            conn.write(|conn| {
                let user_id = match (existing, hash) {
                    (Some(u), _) => u.id,
                    (_, Some(h)) => accounts::create_user(conn, &email, &h, false)?.to_string(),
                    (None, None) => {
                        return Err(AppError::Internal(anyhow::anyhow!("no password hash")))
                    }
                };
                let id = accounts::add_membership(conn, pid, &user_id, role)?;
                Ok((id, user_id))
            })
        })
        .await?;
    tracing::info!(partnership = %pid, membership = %membership, role = %role, "member added");
    Ok(HttpResponse::Created().json(json!({"id": membership, "user_id": user_id, "role": role})))
}

async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let pid: PartnershipId = parse_id(&path, "partnership")?;
    caller.require(&state, pid, Role::Officer).await?;
    let members = state
        .db
        .run(move |conn| accounts::members_of(conn, pid))
        .await?;
    Ok(HttpResponse::Ok().json(members))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleChange {
    role: String,
}

async fn change_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<RoleChange>,
) -> Result<HttpResponse, AppError> {
    let (pid, mid) = path.into_inner();
    let pid: PartnershipId = parse_id(&pid, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let role: Role = body.role.parse()?;
    let mid2 = mid.clone();
    state
        .db
        .run(move |conn| accounts::change_membership(conn, pid, &mid2, Some(role)))
        .await?;
    tracing::info!(partnership = %pid, membership = %mid, role = %role, "member role changed");
    Ok(HttpResponse::Ok().json(json!({"id": mid, "role": role})))
}

async fn remove_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (pid, mid) = path.into_inner();
    let pid: PartnershipId = parse_id(&pid, "partnership")?;
    caller.require(&state, pid, Role::Admin).await?;
    let mid2 = mid.clone();
    state
        .db
        .run(move |conn| accounts::change_membership(conn, pid, &mid2, None))
        .await?;
    tracing::info!(partnership = %pid, membership = %mid, "member removed");
    Ok(HttpResponse::NoContent().finish())
}

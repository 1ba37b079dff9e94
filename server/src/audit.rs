//! The audit log: every change an officer or admin makes (who, when, what, before and after),
//! appended in the same transaction as the change. The application has no way to edit or
//! delete entries, and database triggers refuse it too.

use crate::accounts::now;
use crate::error::AppError;
use crate::schema::audit_log;
use crate::time_fmt::rfc3339;
use crate::{db::DbConn, with_conn};
use diesel::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// Who made a change.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id (none for command-line changes).
    pub id: Option<String>,
    /// Their email at the time.
    pub email: String,
}

/// One change to record.
#[derive(Debug)]
pub struct Entry<'a> {
    /// The partnership the change belongs to.
    pub partnership_id: &'a str,
    /// e.g. `round.create`, `project.update`, `round.open`.
    pub action: &'a str,
    /// e.g. `round`, `project`.
    pub subject_type: &'a str,
    /// The changed thing's id or key.
    pub subject_id: &'a str,
    /// The state before (none for creations).
    pub before: Option<Value>,
    /// The state after (none for deletions).
    pub after: Option<Value>,
}

/// Appends an entry.
pub fn record(conn: &mut DbConn, actor: &Actor, e: Entry<'_>) -> Result<(), AppError> {
    let values = (
        audit_log::id.eq(Uuid::now_v7().to_string()),
        audit_log::partnership_id.eq(e.partnership_id),
        audit_log::actor_id.eq(actor.id.as_deref()),
        audit_log::actor_email.eq(&actor.email),
        audit_log::at.eq(now()),
        audit_log::action.eq(e.action),
        audit_log::subject_type.eq(e.subject_type),
        audit_log::subject_id.eq(e.subject_id),
        audit_log::before_json.eq(e.before.map(|v| v.to_string())),
        audit_log::after_json.eq(e.after.map(|v| v.to_string())),
    );
    with_conn!(conn, |c| diesel::insert_into(audit_log::table)
        .values(values)
        .execute(c))?;
    Ok(())
}

type Row = (
    String,
    Option<String>,
    String,
    chrono::NaiveDateTime,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// A partnership's entries, newest first, at most `limit`.
pub fn list(conn: &mut DbConn, partnership_id: &str, limit: i64) -> Result<Vec<Value>, AppError> {
    let rows: Vec<Row> = with_conn!(conn, |c| audit_log::table
        .filter(audit_log::partnership_id.eq(partnership_id))
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::actor_id,
            audit_log::actor_email,
            audit_log::at,
            audit_log::action,
            audit_log::subject_type,
            audit_log::subject_id,
            audit_log::before_json,
            audit_log::after_json,
        ))
        .load(c))?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok());
    Ok(rows
        .into_iter()
        .map(
            |(id, actor_id, email, at, action, st, sid, before, after)| {
                json!({"id": id, "actor": {"id": actor_id, "email": email}, "at": rfc3339(at),
                   "action": action, "subject": {"type": st, "id": sid},
                   "before": parse(before), "after": parse(after)})
            },
        )
        .collect())
}

//! Results: counting a closed round with its rule per area, the officers' review, publishing
//! (which freezes the result and unlinks voter keys from ballots), and the open data.

pub mod count;
pub mod store;

use crate::audit::{self, Actor, Entry};
use crate::db::DbConn;
use crate::error::AppError;
use crate::rounds::{store as rounds_store, Round, RoundStatus};
use serde_json::json;

/// Counts the round in one transaction: refuses while kiosks may hold ballots unless
/// `confirmed`, then stores the statuses, the result and its files, and moves the round to
/// `counted`. Returns the round as it now is.
pub fn count_round(
    conn: &mut DbConn,
    round_id: &str,
    confirmed: bool,
    actor: &Actor,
) -> Result<Round, AppError> {
    conn.write(|conn| {
        let round = load(conn, round_id)?;
        round.status.check_transition(RoundStatus::Counted)?;
        if !confirmed {
            let pending = store::pending_kiosks(conn, &round)?;
            if !pending.is_empty() {
                let names: Vec<&str> = pending.iter().filter_map(|k| k["name"].as_str()).collect();
                return Err(AppError::Conflict {
                    code: "kiosks_pending".into(),
                    message: format!(
                        "These kiosks may still hold ballots that have not reached the server: {}. \
                         Sync them, or count anyway by confirming.",
                        names.join(", ")
                    ),
                    details: Some(json!({ "kiosks": pending })),
                });
            }
            let paper = pending_paper(conn, &round.row.id)?;
            if !paper.is_empty() {
                let names: Vec<String> = paper
                    .iter()
                    .map(|b| format!("{} ({} sheets)", b["place"].as_str().unwrap_or(""), b["sheets"]))
                    .collect();
                return Err(AppError::Conflict {
                    code: "paper_pending".into(),
                    message: format!(
                        "These paper batches are not reconciled yet, so their ballots would not be counted: {}. \
                         Reconcile them, or count anyway by confirming.",
                        names.join(", ")
                    ),
                    details: Some(json!({ "batches": paper })),
                });
            }
        }
        let started = std::time::Instant::now();
        let kiosks = store::kiosk_names(conn, &round.row.partnership_id)?;
        let ballots = store::load_ballots(conn, &round.row.id)?;
        let loaded = started.elapsed();
        let count = count::count(&round, &kiosks, &ballots).map_err(|e| AppError::Conflict {
            code: "cannot_count".into(),
            message: format!("The round cannot be counted: {e}."),
            details: None,
        })?;
        let counted = started.elapsed();
        store::save(conn, &round.row.id, &count, &actor.email)?;
        tracing::info!(
            round = %round.row.id,
            ballots = ballots.len(),
            load_ms = loaded.as_millis() as u64,
            count_ms = (counted - loaded).as_millis() as u64,
            save_ms = (started.elapsed() - counted).as_millis() as u64,
            "round counted"
        );
        rounds_store::set_status(conn, &round.row.id, RoundStatus::Counted)?;
        audit::record(
            conn,
            actor,
            Entry {
                partnership_id: &round.row.partnership_id,
                action: "round.counted",
                subject_type: "round",
                subject_id: &round.row.id,
                before: Some(json!({"status": round.status})),
                after: Some(json!({
                    "status": RoundStatus::Counted,
                    "digest": count.digest,
                    "ballots": count.result["ballots"],
                    "confirmed_with_kiosks_pending": confirmed,
                })),
            },
        )?;
        load(conn, round_id)
    })
}

/// Paper batches of the round still being keyed: their ballots are not in a count yet.
pub fn pending_paper(
    conn: &mut DbConn,
    round_id: &str,
) -> Result<Vec<serde_json::Value>, AppError> {
    Ok(crate::paper::store::list(conn, round_id)?
        .into_iter()
        .filter(|b| b.status != "reconciled")
        .map(|b| json!({"id": b.id, "place": b.place, "sheets": b.sheets}))
        .collect())
}

/// Publishes a counted round; on SQLite, the erased voter keys are then also cleared from the
/// write-ahead log.
pub fn publish_round(conn: &mut DbConn, round_id: &str, actor: &Actor) -> Result<Round, AppError> {
    let round = conn.write(|conn| {
        let round = load(conn, round_id)?;
        round.status.check_transition(RoundStatus::Published)?;
        let digest = store::find(conn, round_id)?
            .map(|r| r.digest)
            .ok_or_else(|| AppError::Conflict {
                code: "not_counted".into(),
                message: "The round has no count to publish: count it first.".into(),
                details: None,
            })?;
        store::publish(conn, round_id, &actor.email)?;
        rounds_store::set_status(conn, round_id, RoundStatus::Published)?;
        audit::record(
            conn,
            actor,
            Entry {
                partnership_id: &round.row.partnership_id,
                action: "round.published",
                subject_type: "round",
                subject_id: round_id,
                before: Some(json!({"status": round.status})),
                after: Some(json!({"status": RoundStatus::Published, "digest": digest})),
            },
        )?;
        load(conn, round_id)
    })?;
    if let Err(e) = conn.checkpoint_wal() {
        tracing::warn!(error = %e, "the write-ahead log could not be emptied after publishing");
    }
    Ok(round)
}

fn load(conn: &mut DbConn, round_id: &str) -> Result<Round, AppError> {
    rounds_store::load(conn, round_id)?
        .ok_or_else(|| AppError::not_found("There is no such round."))
}

/// Breakdowns show counts under this as "fewer than 5", never the number.
pub const SMALL: i64 = 5;

/// Hides small counts in a published result's breakdowns (ballots per area, turnout by area,
/// channel and day, assisted votes): the count becomes `null` with `"suppressed": true`.
pub fn suppress_small(result: &mut serde_json::Value) {
    let hide = |item: &mut serde_json::Value| {
        if item["ballots"].as_i64().is_some_and(|n| n < SMALL) {
            item["ballots"] = serde_json::Value::Null;
            item["suppressed"] = json!(true);
        }
    };
    for a in result["areas"].as_array_mut().into_iter().flatten() {
        hide(a);
    }
    for list in ["areas", "channels", "days"] {
        for item in result["turnout"][list].as_array_mut().into_iter().flatten() {
            hide(item);
        }
    }
    if result["turnout"]["assisted"].is_object() {
        hide(&mut result["turnout"]["assisted"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn small_counts_are_hidden_in_breakdowns() {
        let mut v = json!({
            "areas": [{"key": "a", "ballots": 4}, {"key": "b", "ballots": 5}],
            "turnout": {"channels": [{"channel": "online", "ballots": 0}, {"channel": "Tesco", "ballots": 12}],
                        "days": [{"day": "2026-05-01", "ballots": 3}]},
            "projects": [{"key": "p", "votes": 2}]
        });
        suppress_small(&mut v);
        assert_eq!(
            v["areas"][0],
            json!({"key": "a", "ballots": null, "suppressed": true})
        );
        assert_eq!(v["areas"][1]["ballots"], 5);
        assert_eq!(v["turnout"]["channels"][0]["suppressed"], true);
        assert_eq!(v["turnout"]["channels"][1]["ballots"], 12);
        assert_eq!(v["turnout"]["days"][0]["ballots"], Value::Null);
        assert_eq!(
            v["projects"][0]["votes"], 2,
            "the result itself is not a breakdown"
        );
    }
}

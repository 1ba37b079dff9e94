//! Ingesting a kiosk's signed batch, in one transaction: the chain must continue from the last
//! record held, every ballot is stored once by its UUID, and each gets an outcome. A batch that
//! fails as a whole (signature, chain, unknown round) stores nothing.

use super::store::Kiosk;
use crate::accounts::now;
use crate::ballots::store::{self as ballots, Channel, NewBallot};
use crate::error::{is_unique_violation, AppError};
use crate::rounds::{store as rounds, Round, RoundStatus};
use crate::schema::{kiosk_chain, kiosks};
use crate::{db::DbConn, with_conn};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};
use youdecide_shared::ballot::check_weighted;
use youdecide_shared::sync::{check_links, Ack, Batch, BatchReply, KioskBallot};

/// A batch refused because its chain does not continue (409 `chain_broken`).
pub fn chain_error(message: String) -> AppError {
    AppError::Conflict {
        code: "chain_broken".into(),
        message,
        details: None,
    }
}

/// The voting code hash a kiosk ballot carries, if any.
fn code_hash(b: &KioskBallot) -> Option<&str> {
    b.person.as_deref().and_then(|p| p.strip_prefix("c1:"))
}

/// Why a kiosk ballot is kept as rejected, if it is; `issued` holds the batch's code hashes
/// that were issued for their rounds.
fn rejection(issued: &HashSet<(String, String)>, round: &Round, b: &KioskBallot) -> Option<String> {
    if let Some(hash) = code_hash(b) {
        if !issued.contains(&(round.row.id.clone(), hash.to_string())) {
            return Some("invalid_code".into());
        }
    }
    rule_breach(round, b)
}

/// The batch's code hashes that were issued, as `(round, hash)`.
fn issued_codes(conn: &mut DbConn, batch: &Batch) -> Result<HashSet<(String, String)>, AppError> {
    let mut by_round: HashMap<&str, Vec<&str>> = HashMap::new();
    for b in &batch.ballots {
        if let Some(hash) = code_hash(b) {
            by_round.entry(b.round_id.as_str()).or_default().push(hash);
        }
    }
    let mut out = HashSet::new();
    for (round, hashes) in by_round {
        for h in ballots::codes_issued(conn, round, &hashes)? {
            out.insert((round.to_string(), h));
        }
    }
    Ok(out)
}

/// Which rule a kiosk ballot breaks, if any.
fn rule_breach(round: &Round, b: &KioskBallot) -> Option<String> {
    match round.status {
        RoundStatus::Open | RoundStatus::Closed => {}
        other => {
            return Some(format!(
                "the round was already {other} when the ballot arrived"
            ))
        }
    }
    let Ok(cast) = DateTime::parse_from_rfc3339(&b.cast_at) else {
        return Some("the time of casting is not a valid time".into());
    };
    let cast = cast.with_timezone(&Utc);
    if cast < round.spec.opens_at || cast > round.spec.closes_at {
        return Some("cast outside the round's voting dates".into());
    }
    let projects = crate::routes::ballots::project_refs(round);
    check_weighted(&round.spec, &projects, &b.area, &b.choices)
        .err()
        .map(|e| e.code().to_string())
}

/// Stores a batch from `kiosk` and answers per ballot.
pub fn ingest(conn: &mut DbConn, kiosk: &Kiosk, batch: &Batch) -> Result<BatchReply, AppError> {
    check_links(&batch.ballots).map_err(|e| chain_error(format!("The batch was refused: {e}.")))?;
    conn.write(|conn| {
        // Re-read the head inside the transaction: two deliveries of one batch must agree, so
        // they take turns (BEGIN IMMEDIATE does this on SQLite; a row lock on PostgreSQL).
        let head = kiosks::table
            .find(&kiosk.id)
            .select((kiosks::head_seq, kiosks::head_hash));
        let (mut head_seq, mut head_hash): (i64, String) = match conn {
            DbConn::Sqlite(c) => head.first(c),
            DbConn::Pg(c) => head.for_update().first(c),
        }?;
        let mut round_cache: HashMap<String, Round> = HashMap::new();
        let mut acks = Vec::with_capacity(batch.ballots.len());
        let mut stored = 0i64;
        let ids: Vec<&str> = batch.ballots.iter().map(|b| b.id.as_str()).collect();
        let mut existing = ballots::existing_ids(conn, &ids)?;
        let issued = issued_codes(conn, batch)?;
        let mut new_ballots: Vec<(NewBallot, Option<String>)> = Vec::new();
        let mut chain: Vec<(i64, String, String)> = Vec::new();
        for b in &batch.ballots {
            let seq = b.seq as i64;
            if seq <= head_seq {
                // Already held: it must be the very record we hold.
                let held: Option<(String, String)> = with_conn!(conn, |c| kiosk_chain::table
                    .find((&kiosk.id, seq))
                    .select((kiosk_chain::ballot_id, kiosk_chain::hash))
                    .first(c)
                    .optional())?;
                match held {
                    Some((id, hash)) if id == b.id && hash == b.hash() => acks.push(Ack {
                        id: b.id.clone(),
                        outcome: "duplicate".into(),
                        reason: None,
                    }),
                    _ => {
                        return Err(chain_error(format!(
                            "The batch was refused: record {} differs from the one already received.",
                            b.seq
                        )))
                    }
                }
                continue;
            }
            if seq != head_seq + 1 || b.prev_hash != head_hash {
                return Err(chain_error(format!(
                    "The batch was refused: record {} does not follow record {head_seq}, the last one received.",
                    b.seq
                )));
            }
            if !round_cache.contains_key(&b.round_id) {
                let round = rounds::load(conn, &b.round_id)?
                    .filter(|r| r.row.partnership_id == kiosk.partnership_id)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "unknown_round",
                            format!("The batch was refused: record {} is for a round this kiosk's partnership does not have.", b.seq),
                        )
                    })?;
                round_cache.insert(b.round_id.clone(), round);
            }
            let round = &round_cache[&b.round_id];
            let reason = rejection(&issued, round, b);
            if !existing.insert(b.id.clone()) {
                return Err(chain_error(format!(
                    "The batch was refused: record {} reuses a ballot id already received from elsewhere.",
                    b.seq
                )));
            }
            let cast_at = DateTime::parse_from_rfc3339(&b.cast_at)
                .map(|t| t.with_timezone(&Utc).naive_utc())
                .unwrap_or_else(|_| now());
            let new = NewBallot {
                id: b.id.clone(),
                round_id: b.round_id.clone(),
                area_key: b.area.clone(),
                channel: Channel::Kiosk,
                kiosk_id: Some(kiosk.id.clone()),
                person: b.person.clone(),
                cast_at,
                choices: b.choices.clone(),
                language: b.language.clone(),
                tracking_code: b.tracking_code.clone(),
                assisted: b.assisted,
            };
            new_ballots.push((new, reason.clone()));
            let hash = b.hash();
            chain.push((seq, b.id.clone(), hash.clone()));
            head_seq = seq;
            head_hash = hash;
            stored += 1;
            acks.push(Ack {
                id: b.id.clone(),
                outcome: if reason.is_some() { "rejected" } else { "stored" }.into(),
                reason,
            });
        }
        ballots::insert_many(conn, &new_ballots).map_err(|e| match e {
            // Ids were checked above, so only a tracking code can repeat one already held.
            AppError::Database(d) if is_unique_violation(&d) => AppError::conflict(
                "duplicate_tracking_code",
                "The batch was refused: a ballot's tracking code repeats one already received.",
            ),
            other => other,
        })?;
        for part in chain.chunks(500) {
            let values: Vec<_> = part
                .iter()
                .map(|(seq, id, hash)| {
                    (
                        kiosk_chain::kiosk_id.eq(&kiosk.id),
                        kiosk_chain::seq.eq(*seq),
                        kiosk_chain::ballot_id.eq(id),
                        kiosk_chain::hash.eq(hash),
                    )
                })
                .collect();
            with_conn!(conn, |c| diesel::insert_into(kiosk_chain::table)
                .values(&values)
                .execute(c))?;
        }
        let now = now();
        with_conn!(conn, |c| diesel::update(kiosks::table.find(&kiosk.id))
            .set((
                kiosks::head_seq.eq(head_seq),
                kiosks::head_hash.eq(&head_hash),
                kiosks::ballots_received.eq(kiosks::ballots_received + stored),
                kiosks::last_sync_at.eq(now),
                kiosks::last_seen_at.eq(now),
                kiosks::pending_reported.eq(batch.pending_after as i64),
            ))
            .execute(c))?;
        Ok(BatchReply {
            acks,
            head_seq: head_seq as u64,
        })
    })
}

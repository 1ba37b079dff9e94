//! Group commit for online ballots. Ballots cast at the same moment are written by one
//! writer thread in one transaction, so one disk sync makes them all durable; each voter is
//! answered only after that commit, so nothing is confirmed before it is on disk. Each ballot
//! has its own savepoint: a refusal (`already_voted`) rolls back that ballot alone. The
//! transaction first checks that each round is still open (the ballot was validated against a
//! round definition that may have come from the cache).
//!
//! With no queue the writer commits a ballot as soon as it arrives; under load the ballots that
//! arrive while one group commits form the next group. SQLite has a single writer anyway, so
//! this turns 32 voters queueing for the write lock (one sync each) into one sync per group.

use crate::ballots::store::{self, NewBallot};
use crate::db::{Db, DbConn};
use crate::error::AppError;
use crate::rounds::RoundStatus;
use crate::routes::ballots::ballot_error;
use crate::schema::rounds;
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::mpsc;
use tokio::sync::oneshot;
use youdecide_shared::ballot::BallotError;

/// The most ballots written in one transaction.
const MAX_GROUP: usize = 256;

struct Job {
    ballot: NewBallot,
    reply: oneshot::Sender<Result<(), AppError>>,
}

/// The handle request handlers use to store online ballots; cheap to share.
#[derive(Debug)]
pub struct BallotWriter {
    jobs: mpsc::SyncSender<Job>,
}

impl BallotWriter {
    /// Starts the writer thread on `db`. The thread ends when the handle is dropped.
    pub fn start(db: Db) -> std::io::Result<BallotWriter> {
        let (jobs, queue) = mpsc::sync_channel::<Job>(4 * MAX_GROUP);
        std::thread::Builder::new()
            .name("ballot-writer".into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match queue.try_recv() {
                            Ok(job) => group.push(job),
                            Err(_) => break,
                        }
                    }
                    write_group(&db, group);
                }
            })?;
        Ok(BallotWriter { jobs })
    }

    /// Stores `ballot` as `received` once the person (voter key or code) has no ballot in the
    /// round yet; returns after the commit. Refuses a second ballot with 409 `already_voted`.
    pub async fn insert(&self, ballot: NewBallot) -> Result<(), AppError> {
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.clone();
        // The queue is bounded: waiting for room is blocking work, kept off the executor.
        actix_web::web::block(move || jobs.send(Job { ballot, reply }).map_err(|_| ()))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("ballot queue task failed: {e}")))?
            .map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> AppError {
    AppError::Internal(anyhow::anyhow!("the ballot writer has stopped"))
}

/// Whether each round of the group is open now, read inside the group's transaction (on
/// PostgreSQL with a share lock, so a round cannot close until the group is committed).
fn open_rounds(conn: &mut DbConn, group: &[Job]) -> Result<HashMap<String, bool>, AppError> {
    let mut open = HashMap::new();
    for job in group {
        let rid = job.ballot.round_id.as_str();
        if open.contains_key(rid) {
            continue;
        }
        let q = rounds::table.find(rid).select(rounds::status);
        let status: Option<String> = match conn {
            DbConn::Sqlite(c) => q.first(c).optional()?,
            DbConn::Pg(c) => q.for_share().first(c).optional()?,
        };
        open.insert(
            rid.to_string(),
            status.as_deref() == Some(RoundStatus::Open.as_str()),
        );
    }
    Ok(open)
}

/// One ballot inside the group's transaction, under its own savepoint.
fn write_one(conn: &mut DbConn, b: &NewBallot, open: bool) -> Result<(), AppError> {
    if !open {
        return Err(ballot_error(BallotError::RoundNotOpen));
    }
    conn.write(|conn| {
        if let Some(p) = &b.person {
            if store::person_has_ballot(conn, &b.round_id, p)? {
                return Err(store::already_voted());
            }
        }
        store::insert(conn, b)
    })
}

fn write_group(db: &Db, group: Vec<Job>) {
    let outcome = db.get().and_then(|mut conn| {
        conn.write(|conn| {
            let open = open_rounds(conn, &group)?;
            Ok(group
                .iter()
                .map(|j| {
                    write_one(
                        conn,
                        &j.ballot,
                        open.get(j.ballot.round_id.as_str())
                            .copied()
                            .unwrap_or(false),
                    )
                })
                .collect())
        })
    });
    match outcome {
        Ok(results) => {
            let results: Vec<Result<(), AppError>> = results;
            for (job, result) in group.into_iter().zip(results) {
                let _ = job.reply.send(result);
            }
        }
        Err(e) => {
            // The commit itself failed: nothing of the group is stored.
            tracing::error!(error = %e, ballots = group.len(), "storing online ballots failed");
            let message = e.to_string();
            for job in group {
                let _ = job.reply.send(Err(AppError::Unavailable(message.clone())));
            }
        }
    }
}

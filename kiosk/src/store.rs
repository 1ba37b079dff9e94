//! The kiosk's local SQLite store: write-ahead log with `synchronous = FULL`, so a ballot
//! confirmed to a voter survives a power cut; migrations embedded and applied on open.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::{Path, PathBuf};
use thiserror::Error;
use youdecide_shared::codes;
use youdecide_shared::sync::{Ack, KioskAnswers, KioskBallot, GENESIS};

/// The kiosk's migrations.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/kiosk-sqlite");

/// The store's file name inside the data directory.
pub const FILE_NAME: &str = "kiosk.db";

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    ballots (seq) {
        seq -> BigInt,
        id -> Text,
        round_id -> Text,
        person -> Nullable<Text>,
        record -> Text,
        hash -> Text,
        cast_at -> Text,
        synced_at -> Nullable<Text>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    rounds (id) {
        id -> Text,
        data -> Text,
    }
}

diesel::table! {
    images (round_id, project_key) {
        round_id -> Text,
        project_key -> Text,
        content_type -> Text,
        bytes -> Binary,
    }
}

diesel::table! {
    monitoring (id) {
        id -> Text,
        round_id -> Text,
        day -> Text,
        answers -> Text,
        synced -> Integer,
    }
}

/// Why the store could not be used.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The data directory could not be created or written.
    #[error("cannot use data directory {path}: {reason}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// SQLite refused to open the file.
    #[error("cannot open the kiosk store {path}: {reason}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A migration failed.
    #[error("cannot update the kiosk store's schema: {0}")]
    Migrate(String),
    /// A query failed.
    #[error("kiosk store error: {0}")]
    Query(#[from] diesel::result::Error),
    /// This person already has a ballot for the round on this kiosk.
    #[error("this person has already voted at this kiosk")]
    AlreadyVoted,
    /// A stored record cannot be read.
    #[error("a stored ballot record is damaged: {0}")]
    Damaged(String),
}

/// A ballot ready to append to the log (the store adds id, position and chain hash).
#[derive(Debug, Clone)]
pub struct Draft {
    /// The round.
    pub round_id: String,
    /// The voter's area.
    pub area: String,
    /// Voter key or code hash.
    pub person: Option<String>,
    /// `(project, weight)` pairs.
    pub choices: Vec<(String, i64)>,
    /// Language used.
    pub language: String,
    /// Cast in an assisted session.
    pub assisted: bool,
}

/// The open store.
pub struct Store {
    conn: SqliteConnection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.path.display())
    }
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir` and applies pending migrations.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::DataDir {
            path: data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let path = data_dir.join(FILE_NAME);
        let open_err = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        let path_str = path
            .to_str()
            .ok_or_else(|| open_err("the path is not valid UTF-8".into()))?;
        let mut conn =
            SqliteConnection::establish(path_str).map_err(|e| open_err(e.to_string()))?;
        conn.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 10000;",
        )
        .map_err(|e| open_err(e.to_string()))?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Store { conn, path })
    }

    /// The underlying connection.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }

    /// Reads a setting.
    pub fn setting(&mut self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(settings::table
            .find(name)
            .select(settings::value)
            .first(&mut self.conn)
            .optional()?)
    }

    /// Writes a setting.
    pub fn set_setting(&mut self, name: &str, value: &str) -> Result<(), StoreError> {
        diesel::replace_into(settings::table)
            .values((settings::name.eq(name), settings::value.eq(value)))
            .execute(&mut self.conn)?;
        Ok(())
    }

    /// Appends a ballot to the log in one durable transaction; returns the stored record.
    /// Refuses a second ballot from the same person for the same round.
    pub fn append(&mut self, draft: Draft) -> Result<KioskBallot, StoreError> {
        self.conn.immediate_transaction(|c| {
            let last: Option<(i64, String)> = ballots::table
                .order(ballots::seq.desc())
                .select((ballots::seq, ballots::hash))
                .first(c)
                .optional()?;
            let (seq, prev_hash) = last
                .map(|(s, h)| (s + 1, h))
                .unwrap_or((1, GENESIS.to_string()));
            let id = uuid::Uuid::now_v7().to_string();
            let mut nonce = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
            let content = serde_json::to_string(&draft.choices).unwrap_or_default();
            let record = KioskBallot {
                tracking_code: codes::tracking_code(&id, &content, &nonce),
                id,
                seq: seq as u64,
                prev_hash,
                round_id: draft.round_id,
                cast_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                area: draft.area,
                person: draft.person,
                choices: draft.choices,
                language: draft.language,
                assisted: draft.assisted,
            };
            let inserted = diesel::insert_into(ballots::table)
                .values((
                    ballots::seq.eq(seq),
                    ballots::id.eq(&record.id),
                    ballots::round_id.eq(&record.round_id),
                    ballots::person.eq(record.person.as_deref()),
                    ballots::record.eq(serde_json::to_string(&record).unwrap_or_default()),
                    ballots::hash.eq(record.hash()),
                    ballots::cast_at.eq(&record.cast_at),
                ))
                .execute(c);
            match inserted {
                Ok(_) => Ok(record),
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => Err(StoreError::AlreadyVoted),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn parse(rows: Vec<String>) -> Result<Vec<KioskBallot>, StoreError> {
        rows.iter()
            .map(|r| serde_json::from_str(r).map_err(|e| StoreError::Damaged(e.to_string())))
            .collect()
    }

    /// Whether this kiosk already holds a ballot from the person for the round.
    pub fn has_person(&mut self, round_id: &str, person: &str) -> Result<bool, StoreError> {
        let n: i64 = ballots::table
            .filter(ballots::round_id.eq(round_id))
            .filter(ballots::person.eq(person))
            .count()
            .get_result(&mut self.conn)?;
        Ok(n > 0)
    }

    /// The oldest unsynced records, at most `limit`.
    pub fn unsynced(&mut self, limit: i64) -> Result<Vec<KioskBallot>, StoreError> {
        let rows: Vec<String> = ballots::table
            .filter(ballots::synced_at.is_null())
            .order(ballots::seq.asc())
            .limit(limit)
            .select(ballots::record)
            .load(&mut self.conn)?;
        Self::parse(rows)
    }

    /// Every record, in order (for verifying the chain).
    pub fn all_records(&mut self) -> Result<Vec<KioskBallot>, StoreError> {
        let rows: Vec<String> = ballots::table
            .order(ballots::seq.asc())
            .select(ballots::record)
            .load(&mut self.conn)?;
        Self::parse(rows)
    }

    /// Whether the stored log still forms an unbroken chain whose hashes match the records.
    pub fn chain_ok(&mut self) -> Result<bool, StoreError> {
        let hashes: Vec<(String, String)> = ballots::table
            .order(ballots::seq.asc())
            .select((ballots::record, ballots::hash))
            .load(&mut self.conn)?;
        let mut records = Vec::with_capacity(hashes.len());
        for (record, hash) in hashes {
            let Ok(r) = serde_json::from_str::<KioskBallot>(&record) else {
                return Ok(false);
            };
            if r.hash() != hash {
                return Ok(false);
            }
            records.push(r);
        }
        Ok(youdecide_shared::sync::verify_log(&records).is_ok())
    }

    /// Marks acknowledged records as synced, with the server's outcome.
    pub fn mark_synced(&mut self, acks: &[Ack]) -> Result<(), StoreError> {
        let now = chrono::Utc::now().to_rfc3339();
        self.conn.immediate_transaction(|c| {
            for a in acks {
                diesel::update(ballots::table.filter(ballots::id.eq(&a.id)))
                    .set((
                        ballots::synced_at.eq(&now),
                        ballots::outcome.eq(match &a.reason {
                            Some(r) => format!("{}: {r}", a.outcome),
                            None => a.outcome.clone(),
                        }),
                    ))
                    .execute(c)?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Keeps a project's image for offline use (replacing an older one).
    pub fn save_image(
        &mut self,
        round_id: &str,
        key: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        diesel::replace_into(images::table)
            .values((
                images::round_id.eq(round_id),
                images::project_key.eq(key),
                images::content_type.eq(content_type),
                images::bytes.eq(bytes),
            ))
            .execute(&mut self.conn)?;
        Ok(())
    }

    /// A project's image: `(content type, bytes)`.
    pub fn image(
        &mut self,
        round_id: &str,
        key: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(images::table
            .find((round_id, key))
            .select((images::content_type, images::bytes))
            .first(&mut self.conn)
            .optional()?)
    }

    /// Whether a project's image is held.
    pub fn has_image(&mut self, round_id: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self.image(round_id, key)?.is_some())
    }

    /// Keeps one person's monitoring answers until the server holds them.
    pub fn add_answers(&mut self, a: &KioskAnswers) -> Result<(), StoreError> {
        let json = serde_json::to_string(a).unwrap_or_default();
        diesel::insert_into(monitoring::table)
            .values((
                monitoring::id.eq(&a.id),
                monitoring::round_id.eq(&a.round_id),
                monitoring::day.eq(&a.day),
                monitoring::answers.eq(json),
            ))
            .execute(&mut self.conn)?;
        Ok(())
    }

    /// Monitoring answers the server does not hold yet, at most `limit`.
    pub fn unsynced_answers(&mut self, limit: i64) -> Result<Vec<KioskAnswers>, StoreError> {
        let rows: Vec<String> = monitoring::table
            .filter(monitoring::synced.eq(0))
            .select(monitoring::answers)
            .limit(limit)
            .load(&mut self.conn)?;
        Ok(rows
            .iter()
            .filter_map(|r| serde_json::from_str(r).ok())
            .collect())
    }

    /// Forgets answers once the server holds them or has refused them for good.
    pub fn answers_done(&mut self, ids: &[String]) -> Result<(), StoreError> {
        self.conn.immediate_transaction(|c| {
            for chunk in ids.chunks(500) {
                diesel::delete(monitoring::table.filter(monitoring::id.eq_any(chunk)))
                    .execute(c)?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// How many monitoring answers wait for the server.
    pub fn answers_waiting(&mut self) -> Result<i64, StoreError> {
        Ok(monitoring::table.count().get_result(&mut self.conn)?)
    }

    /// `(total, unsynced)` ballot counts.
    pub fn counts(&mut self) -> Result<(i64, i64), StoreError> {
        let total: i64 = ballots::table.count().get_result(&mut self.conn)?;
        let unsynced: i64 = ballots::table
            .filter(ballots::synced_at.is_null())
            .count()
            .get_result(&mut self.conn)?;
        Ok((total, unsynced))
    }

    /// Ballots cast since a time (RFC 3339 prefix comparison, e.g. today's date).
    pub fn count_since(&mut self, since: &str) -> Result<i64, StoreError> {
        Ok(ballots::table
            .filter(ballots::cast_at.ge(since))
            .count()
            .get_result(&mut self.conn)?)
    }

    /// Replaces the offline copy of the rounds.
    pub fn save_rounds(&mut self, list: &[serde_json::Value]) -> Result<(), StoreError> {
        self.conn.immediate_transaction(|c| {
            diesel::delete(rounds::table).execute(c)?;
            for r in list {
                let id = r["id"].as_str().unwrap_or_default();
                diesel::insert_into(rounds::table)
                    .values((rounds::id.eq(id), rounds::data.eq(r.to_string())))
                    .execute(c)?;
            }
            Ok::<_, StoreError>(())
        })
    }

    /// The offline copy of the rounds.
    pub fn rounds(&mut self) -> Result<Vec<serde_json::Value>, StoreError> {
        let rows: Vec<String> = rounds::table.select(rounds::data).load(&mut self.conn)?;
        Ok(rows
            .iter()
            .filter_map(|r| serde_json::from_str(r).ok())
            .collect())
    }

    /// One round from the offline copy.
    pub fn round(&mut self, id: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let row: Option<String> = rounds::table
            .find(id)
            .select(rounds::data)
            .first(&mut self.conn)
            .optional()?;
        Ok(row.and_then(|r| serde_json::from_str(&r).ok()))
    }

    /// Reverts every migration (used to check each `down.sql`).
    pub fn revert_all(&mut self) -> Result<(), StoreError> {
        self.conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(())
    }

    /// Applies pending migrations.
    pub fn migrate(&mut self) -> Result<(), StoreError> {
        self.conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(())
    }

    /// Whether a table exists.
    pub fn has_table(&mut self, table: &str) -> Result<bool, StoreError> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let c: Count = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .get_result(&mut self.conn)?;
        Ok(c.n > 0)
    }
}

//! The optional equality monitoring questions after voting at the kiosk: the answers are
//! checked with the shared list, kept with the round and the day only (no ballot, person or
//! time of day) and sent to the server by the sync task, then forgotten.

use crate::store::{Store, StoreError};
use serde::Deserialize;
use thiserror::Error;
use youdecide_shared::monitoring;
use youdecide_shared::sync::KioskAnswers;

/// Why answers were refused.
#[derive(Debug, Error)]
pub enum AnswersError {
    /// Not the expected JSON.
    #[error("the answers are not well formed: {0}")]
    Malformed(String),
    /// The round is not on this kiosk.
    #[error("this kiosk has no round {0}")]
    UnknownRound(String),
    /// An answer the question does not offer.
    #[error("\"{answer}\" is not an answer to {question}")]
    NotOffered {
        /// The question.
        question: String,
        /// The answer given.
        answer: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    round: String,
    #[serde(default)]
    age_band: Option<String>,
    #[serde(default)]
    sex: Option<String>,
    #[serde(default)]
    ethnic_group: Option<String>,
    #[serde(default)]
    disability: Option<String>,
    #[serde(default)]
    influence: Option<String>,
}

/// Checks and keeps one person's answers; returns whether any question was answered.
pub fn record(store: &mut Store, body: &[u8]) -> Result<bool, AnswersError> {
    let b: Body =
        serde_json::from_slice(body).map_err(|e| AnswersError::Malformed(e.to_string()))?;
    if store.round(&b.round)?.is_none() {
        return Err(AnswersError::UnknownRound(b.round));
    }
    let blank = |v: Option<String>| v.filter(|s| !s.is_empty());
    let answers = KioskAnswers {
        id: uuid::Uuid::new_v4().to_string(),
        round_id: b.round,
        day: chrono::Utc::now().date_naive().to_string(),
        age_band: blank(b.age_band),
        sex: blank(b.sex),
        ethnic_group: blank(b.ethnic_group),
        disability: blank(b.disability),
        influence: blank(b.influence),
    };
    for (question, answer) in [
        ("age_band", &answers.age_band),
        ("sex", &answers.sex),
        ("ethnic_group", &answers.ethnic_group),
        ("disability", &answers.disability),
        ("influence", &answers.influence),
    ] {
        if let Some(a) = answer {
            if !monitoring::accepts(question, a) {
                return Err(AnswersError::NotOffered {
                    question: question.into(),
                    answer: a.clone(),
                });
            }
        }
    }
    let any = [
        &answers.age_band,
        &answers.sex,
        &answers.ethnic_group,
        &answers.disability,
        &answers.influence,
    ]
    .iter()
    .any(|a| a.is_some());
    if any {
        store.add_answers(&answers)?;
    }
    Ok(any)
}

//! A round's status and the transitions between them:
//! `draft → open → closed → counted → published`, and `cancelled` from any status before
//! counting.

use crate::error::AppError;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Where a round is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundStatus {
    /// Being set up; rules and projects can change.
    Draft,
    /// Taking votes.
    Open,
    /// No more votes; waiting to be counted.
    Closed,
    /// Counted; the draft result is visible to officers.
    Counted,
    /// Result published to everyone.
    Published,
    /// Called off.
    Cancelled,
}

impl RoundStatus {
    /// The stored and JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Draft => "draft",
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
            RoundStatus::Counted => "counted",
            RoundStatus::Published => "published",
            RoundStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the public may see the round.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            RoundStatus::Open | RoundStatus::Closed | RoundStatus::Counted | RoundStatus::Published
        )
    }

    /// Checks that `to` may follow this status; the error says why not.
    pub fn check_transition(self, to: RoundStatus) -> Result<(), AppError> {
        use RoundStatus::*;
        let ok = matches!(
            (self, to),
            (Draft, Open)
                | (Open, Closed)
                | (Closed, Counted)
                | (Counted, Counted)
                | (Counted, Published)
                | (Draft | Open | Closed, Cancelled)
        );
        if ok {
            Ok(())
        } else {
            Err(AppError::conflict(
                "invalid_transition",
                format!("A round that is {self} cannot be made {to}."),
            ))
        }
    }

    /// Refuses changes to rules, areas or projects unless the round is a draft.
    pub fn require_draft(self) -> Result<(), AppError> {
        if self == RoundStatus::Draft {
            Ok(())
        } else {
            Err(AppError::conflict(
                "round_not_draft",
                format!("Only a draft round can be changed; this round is {self}."),
            ))
        }
    }
}

impl fmt::Display for RoundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoundStatus {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        Ok(match s {
            "draft" => RoundStatus::Draft,
            "open" => RoundStatus::Open,
            "closed" => RoundStatus::Closed,
            "counted" => RoundStatus::Counted,
            "published" => RoundStatus::Published,
            "cancelled" => RoundStatus::Cancelled,
            other => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "unknown round status {other}"
                )))
            }
        })
    }
}

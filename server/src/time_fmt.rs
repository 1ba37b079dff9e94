//! Times on the wire: RFC 3339 in UTC.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};

/// A stored UTC time as RFC 3339 (`2027-03-01T09:00:00Z`).
pub fn rfc3339(t: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc).to_rfc3339_opts(SecondsFormat::Secs, true)
}

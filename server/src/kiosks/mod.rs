//! Kiosks on the server: the registry (enrolment by one-time code, public keys, revocation,
//! last seen), and ingesting signed batches of kiosk ballots.

pub mod ingest;
pub mod store;

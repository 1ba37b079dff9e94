//! Ballots on the server: storage, tracking codes for receipts, voting codes for poll cards,
//! and equality monitoring answers kept apart from ballots.

pub mod codes;
pub mod group_commit;
pub mod online;
pub mod poll_cards;
pub mod store;
pub mod tracking;

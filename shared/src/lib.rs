//! Domain types, ballot validation, tally rules and Pabulib support shared by the youdecide
//! server and kiosk. Pure: no I/O beyond readers and writers handed in, no database, no HTTP.

pub mod ballot;
pub mod codes;
pub mod ids;
pub mod monitoring;
pub mod pabulib;
pub mod postcode;
pub mod round;
pub mod sync;
pub mod tally;
pub mod voter_key;

//! The youdecide kiosk: a small program that runs at pop-up voting points, stores every
//! ballot durably on the device, and syncs with the server once it is back online.

pub mod attendant;
pub mod cli;
pub mod keys;
pub mod monitoring;
pub mod server;
pub mod store;
pub mod sync;
pub mod texts;
pub mod vote;

//! The youdecide server: partnerships set up budget rounds, residents vote online or at
//! kiosks, officers count and publish. An actix-web service over diesel, on SQLite (embedded
//! default) or PostgreSQL, that keeps no state in memory another instance would need.

pub mod accounts;
pub mod app;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod ballots;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod kiosks;
pub mod logging;
pub mod microcache;
pub mod pages;
pub mod paper;
pub mod pdf;
pub mod results;
pub mod rounds;
pub mod routes;
pub mod schema;
pub mod tally_cmd;
pub mod time_fmt;
pub mod updates;

//! Server-rendered pages, following GOV.UK Design System patterns: plain English, one thing per
//! page, an error summary above forms, and no JavaScript needed.

pub mod delivery;
pub mod form_fields;
pub mod format;
pub mod layout;
pub mod officer;
pub mod public;
pub mod results;
pub mod sign_in;
pub mod vote;

use actix_web::web;

/// Registers the pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(sign_in::configure)
        .configure(public::configure)
        .configure(vote::configure)
        .configure(results::configure)
        .configure(delivery::configure)
        .configure(officer::configure)
        .configure(crate::assets::configure);
}

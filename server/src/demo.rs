//! Demonstration data for a first look: a partnership with an admin and an officer, seeded
//! only into an empty database, and the message that tells a newcomer where to go.

use crate::accounts::{self, Role};
use crate::auth::password;
use crate::db::DbConn;
use crate::error::AppError;

/// The demo's site admin.
pub const ADMIN_EMAIL: &str = "admin@demo.youdecide.test";
/// The demo site admin's password (public: the demo is for trying things out).
pub const ADMIN_PASSWORD: &str = "demo-admin-password";
/// The demo's officer.
pub const OFFICER_EMAIL: &str = "officer@demo.youdecide.test";
/// The demo officer's password.
pub const OFFICER_PASSWORD: &str = "demo-officer-password";
/// The demo partnership's name.
pub const PARTNERSHIP: &str = "Riverside Community Partnership";

/// What the demo prints.
#[derive(Debug, Clone)]
pub struct DemoLogins {
    /// Whether this run seeded the data (false when the database already had data).
    pub seeded: bool,
    /// The demo partnership's slug, if it is there.
    pub partnership_slug: Option<String>,
}

/// Seeds the demo data if the database is empty.
pub fn seed(conn: &mut DbConn) -> Result<DemoLogins, AppError> {
    if accounts::any_user(conn)? {
        return Ok(DemoLogins {
            seeded: false,
            partnership_slug: None,
        });
    }
    let admin_hash = password::hash(ADMIN_PASSWORD)?;
    let officer_hash = password::hash(OFFICER_PASSWORD)?;
    let slug = conn.write(|conn| {
        let admin = accounts::create_user(conn, ADMIN_EMAIL, &admin_hash, true)?;
        let officer = accounts::create_user(conn, OFFICER_EMAIL, &officer_hash, false)?;
        let p = accounts::create_partnership(conn, PARTNERSHIP)?;
        let pid =
            p.id.parse()
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        accounts::add_membership(conn, pid, &admin.to_string(), Role::Admin)?;
        accounts::add_membership(conn, pid, &officer.to_string(), Role::Officer)?;
        Ok(p.slug)
    })?;
    Ok(DemoLogins {
        seeded: true,
        partnership_slug: Some(slug),
    })
}

/// Prints where to go and how to sign in.
pub fn announce(url: &str, logins: &DemoLogins) {
    let state = if logins.seeded {
        "Demo data created"
    } else {
        "The database already had data, so no demo data was added; the demo logins work if an \
         earlier demo created them"
    };
    println!(
        "\n{state}.\n\
         \n  Public site:      {url}/\
         \n  Officer sign-in:  {url}/login\
         \n  JSON API:         {url}/api/v1  (health: {url}/healthz, {url}/readyz)\
         \n  Site admin:       {ADMIN_EMAIL}  password: {ADMIN_PASSWORD}\
         \n  Officer:          {OFFICER_EMAIL}  password: {OFFICER_PASSWORD}\
         \n  Partnership:      {PARTNERSHIP}\
         \n\nThese logins are public: never use demo data for a real round. Stop with Ctrl-C.\n"
    );
}

//! Demonstration data for a first look: a partnership with an admin and an officer, seeded
//! only into an empty database, and the message that tells a newcomer where to go.

use crate::accounts::{self, Role};
use crate::auth::password;
use crate::db::DbConn;
use crate::error::AppError;
use crate::rounds::store::{self, Slot};
use crate::rounds::RoundStatus;
use chrono::{Duration, Utc};
use serde_json::json;
use youdecide_shared::round::{ProjectSpec, RoundSpec, Translation};

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
    /// The demo round's id, if this run seeded it.
    pub round_id: Option<String>,
}

/// Seeds the demo data if the database is empty.
pub fn seed(conn: &mut DbConn) -> Result<DemoLogins, AppError> {
    if accounts::any_user(conn)? {
        return Ok(DemoLogins {
            seeded: false,
            partnership_slug: None,
            round_id: None,
        });
    }
    let admin_hash = password::hash(ADMIN_PASSWORD)?;
    let officer_hash = password::hash(OFFICER_PASSWORD)?;
    let (slug, round_id) = conn.write(|conn| {
        let admin = accounts::create_user(conn, ADMIN_EMAIL, &admin_hash, true)?;
        let officer = accounts::create_user(conn, OFFICER_EMAIL, &officer_hash, false)?;
        let p = accounts::create_partnership(conn, PARTNERSHIP)?;
        let pid =
            p.id.parse()
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        accounts::add_membership(conn, pid, &admin.to_string(), Role::Admin)?;
        accounts::add_membership(conn, pid, &officer.to_string(), Role::Officer)?;
        let round_id = seed_round(conn, &p.id)?;
        Ok((p.slug, round_id))
    })?;
    Ok(DemoLogins {
        seeded: true,
        partnership_slug: Some(slug),
        round_id: Some(round_id),
    })
}

/// An open round with two areas, projects, translations and a pop-up schedule.
fn seed_round(conn: &mut DbConn, partnership_id: &str) -> Result<String, AppError> {
    let now = Utc::now();
    let mut spec: RoundSpec = serde_json::from_value(json!({
        "title": "Riverside Decides",
        "description": "£60,000 for projects chosen by people who live in Riverside. Choose the \
            projects you want in your area: the most popular ones that fit in the budget get funded.",
        "opens_at": (now - Duration::days(1)).to_rfc3339(),
        "closes_at": (now + Duration::days(20)).to_rfc3339(),
        "method": {"kind": "approval", "min_choices": 1, "max_choices": null, "within_budget": true},
        "rule": "greedy",
        "areas": [
            {"key": "town", "name": "Town Centre", "budget": 3_500_000, "postcodes": ["DN15 6", "DN15 7"]},
            {"key": "villages", "name": "The Villages", "budget": 2_500_000, "postcodes": ["DN15 8", "DN15 9", "DN20"]}
        ],
        "eligibility": {"min_age": 11, "mode": "self-declared"},
        "languages": ["en", "cy", "pl", "ur"]
    }))
    .map_err(|e| AppError::Internal(anyhow::anyhow!("demo round: {e}")))?;
    spec.validate()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("demo round: {e:?}")))?;
    let rid = store::insert(conn, partnership_id, &spec)?.to_string();
    let projects = [
        (
            "benches",
            "town",
            "New benches on the High Street",
            "Ten sturdy benches so people can rest while shopping.",
            1_200_000,
            "Streets",
        ),
        (
            "lights",
            "town",
            "Brighter lights in Memorial Park",
            "LED lighting along the main paths so the park feels safe after dark.",
            1_800_000,
            "Community safety",
        ),
        (
            "cafe",
            "town",
            "Youth café equipment",
            "Kitchen and games equipment for the Friday youth café.",
            900_000,
            "Young people",
        ),
        (
            "bus",
            "villages",
            "Village community minibus",
            "A shared minibus for clubs and trips to the doctor.",
            1_500_000,
            "Transport",
        ),
        (
            "play",
            "villages",
            "Play area repairs",
            "Safe surfaces and new swings at two village play areas.",
            800_000,
            "Parks",
        ),
        (
            "hall",
            "villages",
            "Village hall heating",
            "Efficient heating so the hall can stay open all winter.",
            700_000,
            "Community buildings",
        ),
    ];
    for (key, area, title, summary, cost, category) in projects {
        let spec = ProjectSpec {
            key: key.into(),
            area: area.into(),
            title: title.into(),
            summary: summary.into(),
            description: String::new(),
            cost,
            category: category.into(),
            proposer: "Riverside residents".into(),
            location: String::new(),
            easy_read: String::new(),
        };
        store::insert_project(conn, &rid, &spec)?;
    }
    for (lang, title) in [
        ("cy", "Glan yr Afon yn Penderfynu"),
        ("pl", "Riverside decyduje"),
        ("ur", "ریور سائیڈ فیصلہ کرتا ہے"),
    ] {
        let t = Translation {
            title: title.into(),
            summary: String::new(),
            description: String::new(),
        };
        store::set_translation(conn, &rid, "", lang, &t)?;
    }
    let day = |d: i64| (now + Duration::days(d)).date_naive().to_string();
    for (place, address, d, starts, ends) in [
        (
            "Tesco Extra",
            "Doncaster Road, Riverside DN15 7AA",
            3,
            "10:00",
            "16:00",
        ),
        (
            "Riverside Shopping Precinct",
            "High Street, Riverside DN15 6AB",
            10,
            "09:30",
            "14:30",
        ),
    ] {
        let slot = Slot {
            id: uuid::Uuid::now_v7().to_string(),
            place: place.into(),
            address: address.into(),
            day: day(d),
            starts: starts.into(),
            ends: ends.into(),
            notes: String::new(),
        };
        store::insert_slot(conn, &rid, &slot)?;
    }
    store::set_status(conn, &rid, RoundStatus::Open)?;
    Ok(rid)
}

/// Prints where to go and how to sign in.
pub fn announce(url: &str, logins: &DemoLogins) {
    let state = if logins.seeded {
        "Demo data created"
    } else {
        "The database already had data, so no demo data was added; the demo logins work if an \
         earlier demo created them"
    };
    let round = logins.round_id.as_ref().map_or_else(
        || "see the officer pages".to_string(),
        |id| format!("{url}/api/v1/rounds/{id}"),
    );
    println!(
        "\n{state}.\n\
         \n  Public site:      {url}/\
         \n  Officer sign-in:  {url}/login\
         \n  JSON API:         {url}/api/v1  (health: {url}/healthz, {url}/readyz)\
         \n  Site admin:       {ADMIN_EMAIL}  password: {ADMIN_PASSWORD}\
         \n  Officer:          {OFFICER_EMAIL}  password: {OFFICER_PASSWORD}\
         \n  Partnership:      {PARTNERSHIP}\
         \n  Open round:       {round}\
         \n\nThese logins are public: never use demo data for a real round. Stop with Ctrl-C.\n"
    );
}

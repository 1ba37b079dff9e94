//! Users, partnerships and memberships: validation of their fields and their storage.

use crate::error::{is_unique_violation, AppError};
use crate::schema::{memberships, partnerships, users};
use crate::{db::DbConn, with_conn};
use chrono::{NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use youdecide_shared::ids::{MembershipId, PartnershipId, UserId};

/// The current time in UTC, at the microsecond precision both databases keep.
pub fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t.with_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// A member's role in a partnership. Admins can do everything officers can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs rounds: opens, closes, counts, publishes, issues voting codes.
    Officer,
    /// Also sets up rounds, adds members and enrols kiosks.
    Admin,
}

impl Role {
    /// The stored and JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        match s {
            "officer" => Ok(Role::Officer),
            "admin" => Ok(Role::Admin),
            _ => Err(AppError::invalid(
                "invalid_role",
                "The role must be \"admin\" or \"officer\".",
            )),
        }
    }
}

/// A stored user.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Id (UUID text).
    pub id: String,
    /// Normalised (lower-case) email.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Holds every partnership admin's rights in every partnership.
    pub is_site_admin: bool,
    /// When created.
    pub created_at: NaiveDateTime,
}

/// A stored partnership.
#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = partnerships)]
pub struct Partnership {
    /// Id (UUID text).
    pub id: String,
    /// Display name.
    pub name: String,
    /// URL name, unique.
    pub slug: String,
    /// When created.
    #[serde(skip)]
    pub created_at: NaiveDateTime,
}

/// A member as listed to officers.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// Membership id.
    pub id: String,
    /// The user's id.
    pub user_id: String,
    /// The user's email.
    pub email: String,
    /// Their role.
    pub role: Role,
}

/// Normalises and checks an email address: trimmed, lower-case, one `@`, a dot in the domain.
pub fn normalise_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let bad = || {
        AppError::invalid(
            "invalid_email",
            "Enter an email address in the correct format, like name@example.org.",
        )
    };
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(email)
}

/// Checks a partnership name: 1 to 200 characters after trimming.
pub fn validate_partnership_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "invalid_name",
            "Enter the partnership's name.",
        ));
    }
    if name.chars().count() > 200 {
        return Err(AppError::invalid(
            "invalid_name",
            "The partnership's name must be 200 characters or fewer.",
        ));
    }
    Ok(name.to_string())
}

/// Turns a name into a URL slug: lower-case ASCII letters and digits joined by single hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "partnership".into()
    } else {
        slug
    }
}

/// Creates a user; answers 409 `email_taken` if the email is in use.
pub fn create_user(
    conn: &mut DbConn,
    email: &str,
    password_hash: &str,
    is_site_admin: bool,
) -> Result<UserId, AppError> {
    let id = UserId::new();
    let row = (
        users::id.eq(id.to_string()),
        users::email.eq(email),
        users::password_hash.eq(password_hash),
        users::is_site_admin.eq(is_site_admin),
        users::created_at.eq(now()),
    );
    let inserted = with_conn!(conn, |c| diesel::insert_into(users::table)
        .values(row)
        .execute(c));
    match inserted {
        Ok(_) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "email_taken",
            "An account with this email address already exists.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Makes an existing user a site admin with a new password.
pub fn promote_to_site_admin(
    conn: &mut DbConn,
    user_id: &str,
    password_hash: &str,
) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(users::table.find(user_id))
        .set((
            users::is_site_admin.eq(true),
            users::password_hash.eq(password_hash),
        ))
        .execute(c))?;
    Ok(())
}

/// Finds a user by normalised email.
pub fn find_user_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>, AppError> {
    Ok(with_conn!(conn, |c| users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(c)
        .optional())?)
}

/// Finds a user by id.
pub fn find_user(conn: &mut DbConn, id: &str) -> Result<Option<User>, AppError> {
    Ok(with_conn!(conn, |c| users::table
        .find(id)
        .select(User::as_select())
        .first(c)
        .optional())?)
}

/// Whether any user exists (the demo seeds only an empty database).
pub fn any_user(conn: &mut DbConn) -> Result<bool, AppError> {
    let n: i64 = with_conn!(conn, |c| users::table.count().get_result(c))?;
    Ok(n > 0)
}

/// Creates a partnership with a unique slug derived from its name.
pub fn create_partnership(conn: &mut DbConn, name: &str) -> Result<Partnership, AppError> {
    let base = slugify(name);
    let row = Partnership {
        id: PartnershipId::new().to_string(),
        name: name.to_string(),
        slug: base.clone(),
        created_at: now(),
    };
    conn.write(|conn| {
        let taken: Vec<String> = with_conn!(conn, |c| partnerships::table
            .filter(partnerships::slug.like(format!("{base}%")))
            .select(partnerships::slug)
            .load(c))?;
        let mut row = row;
        let mut n = 1;
        while taken.contains(&row.slug) {
            n += 1;
            row.slug = format!("{base}-{n}");
        }
        let values = (
            partnerships::id.eq(&row.id),
            partnerships::name.eq(&row.name),
            partnerships::slug.eq(&row.slug),
            partnerships::created_at.eq(row.created_at),
        );
        with_conn!(conn, |c| diesel::insert_into(partnerships::table)
            .values(values)
            .execute(c))?;
        Ok(row)
    })
}

/// Finds a partnership by id.
pub fn find_partnership(
    conn: &mut DbConn,
    id: PartnershipId,
) -> Result<Option<Partnership>, AppError> {
    Ok(with_conn!(conn, |c| partnerships::table
        .find(id.to_string())
        .select(Partnership::as_select())
        .first(c)
        .optional())?)
}

/// Finds a partnership by its URL name.
pub fn find_partnership_by_slug(
    conn: &mut DbConn,
    slug: &str,
) -> Result<Option<Partnership>, AppError> {
    Ok(with_conn!(conn, |c| partnerships::table
        .filter(partnerships::slug.eq(slug))
        .select(Partnership::as_select())
        .first(c)
        .optional())?)
}

/// Every partnership, by name (for site admins).
pub fn all_partnerships(conn: &mut DbConn) -> Result<Vec<(Partnership, Role)>, AppError> {
    let rows: Vec<Partnership> = with_conn!(conn, |c| partnerships::table
        .order(partnerships::name.asc())
        .select(Partnership::as_select())
        .load(c))?;
    Ok(rows.into_iter().map(|p| (p, Role::Admin)).collect())
}

/// The partnerships a user belongs to, with their role, by name.
pub fn partnerships_of(
    conn: &mut DbConn,
    user_id: &str,
) -> Result<Vec<(Partnership, Role)>, AppError> {
    let rows: Vec<(Partnership, String)> = with_conn!(conn, |c| memberships::table
        .inner_join(partnerships::table)
        .filter(memberships::user_id.eq(user_id))
        .order(partnerships::name.asc())
        .select((Partnership::as_select(), memberships::role))
        .load(c))?;
    rows.into_iter().map(|(p, r)| Ok((p, r.parse()?))).collect()
}

/// The partnerships a user sees with their role: all of them for a site admin (as admin),
/// else those they belong to.
pub fn visible_partnerships(
    conn: &mut DbConn,
    user: &User,
) -> Result<Vec<(Partnership, Role)>, AppError> {
    if user.is_site_admin {
        all_partnerships(conn)
    } else {
        partnerships_of(conn, &user.id)
    }
}

/// The role a user holds in a partnership, if any.
pub fn role_in(
    conn: &mut DbConn,
    partnership: PartnershipId,
    user_id: &str,
) -> Result<Option<Role>, AppError> {
    let role: Option<String> = with_conn!(conn, |c| memberships::table
        .filter(memberships::partnership_id.eq(partnership.to_string()))
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::role)
        .first(c)
        .optional())?;
    role.map(|r| r.parse()).transpose()
}

/// Adds a user to a partnership; 409 `already_member` if they belong already.
pub fn add_membership(
    conn: &mut DbConn,
    partnership: PartnershipId,
    user_id: &str,
    role: Role,
) -> Result<MembershipId, AppError> {
    let id = MembershipId::new();
    let row = (
        memberships::id.eq(id.to_string()),
        memberships::partnership_id.eq(partnership.to_string()),
        memberships::user_id.eq(user_id),
        memberships::role.eq(role.as_str()),
        memberships::created_at.eq(now()),
    );
    match with_conn!(conn, |c| diesel::insert_into(memberships::table)
        .values(row)
        .execute(c))
    {
        Ok(_) => Ok(id),
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            "already_member",
            "This person is already a member of the partnership.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The members of a partnership, by email.
pub fn members_of(conn: &mut DbConn, partnership: PartnershipId) -> Result<Vec<Member>, AppError> {
    let rows: Vec<(String, String, String, String)> = with_conn!(conn, |c| memberships::table
        .inner_join(users::table)
        .filter(memberships::partnership_id.eq(partnership.to_string()))
        .order(users::email.asc())
        .select((
            memberships::id,
            memberships::user_id,
            users::email,
            memberships::role
        ))
        .load(c))?;
    rows.into_iter()
        .map(|(id, user_id, email, role)| {
            Ok(Member {
                id,
                user_id,
                email,
                role: role.parse()?,
            })
        })
        .collect()
}

/// One membership of a partnership: (membership id, user id, role).
pub fn find_membership(
    conn: &mut DbConn,
    partnership: PartnershipId,
    membership_id: &str,
) -> Result<Option<(String, String, Role)>, AppError> {
    let row: Option<(String, String, String)> = with_conn!(conn, |c| memberships::table
        .filter(memberships::partnership_id.eq(partnership.to_string()))
        .filter(memberships::id.eq(membership_id))
        .select((memberships::id, memberships::user_id, memberships::role))
        .first(c)
        .optional())?;
    row.map(|(id, user, role)| Ok((id, user, role.parse()?)))
        .transpose()
}

/// Changes a member's role or removes them (`None`), refusing with 409 `last_admin` when that
/// would leave the partnership without an admin.
pub fn change_membership(
    conn: &mut DbConn,
    partnership: PartnershipId,
    membership_id: &str,
    new_role: Option<Role>,
) -> Result<(), AppError> {
    conn.write(|conn| {
        let (_, _, current) = find_membership(conn, partnership, membership_id)?
            .ok_or_else(|| AppError::not_found("There is no such member of this partnership."))?;
        if current == Role::Admin && new_role != Some(Role::Admin) {
            let admins: i64 = with_conn!(conn, |c| memberships::table
                .filter(memberships::partnership_id.eq(partnership.to_string()))
                .filter(memberships::role.eq(Role::Admin.as_str()))
                .count()
                .get_result(c))?;
            if admins <= 1 {
                return Err(AppError::conflict(
                    "last_admin",
                    "This is the partnership's only admin. Make someone else an admin first.",
                ));
            }
        }
        match new_role {
            Some(role) => with_conn!(conn, |c| diesel::update(
                memberships::table.find(membership_id)
            )
            .set(memberships::role.eq(role.as_str()))
            .execute(c))?,
            None => with_conn!(conn, |c| diesel::delete(
                memberships::table.find(membership_id)
            )
            .execute(c))?,
        };
        Ok(())
    })
}

/// Sets a user's password hash.
pub fn set_password(conn: &mut DbConn, user_id: &str, password_hash: &str) -> Result<(), AppError> {
    with_conn!(conn, |c| diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(password_hash))
        .execute(c))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalise_email("  Jane.Smith@Example.ORG ").unwrap(),
            "jane.smith@example.org"
        );
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.org",
            "jane@example",
            "a b@c.d",
            "a@b@c.d",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("North Lincs & Partners!"), "north-lincs-partners");
        assert_eq!(slugify("  ---  "), "partnership");
        assert_eq!(slugify("Ærø"), "r");
    }
}

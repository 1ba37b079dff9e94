//! Typed identifiers: newtypes over UUIDs so that a partnership id is never passed as a user id.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered (UUIDv7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A community partnership (council, police, health, voluntary groups).
    PartnershipId
);
typed_id!(
    /// A person who can sign in: a site admin or a partnership member.
    UserId
);
typed_id!(
    /// A person's membership of a partnership, with a role.
    MembershipId
);
typed_id!(
    /// An API token.
    TokenId
);
typed_id!(
    /// A budget round.
    RoundId
);
typed_id!(
    /// An enrolled kiosk.
    KioskId
);
typed_id!(
    /// A stored ballot.
    BallotId
);

//! Authentication and authorisation: password hashing, API tokens, browser sessions with
//! CSRF protection, sign-in rate limiting, and the [`Caller`] extractor that every officer
//! route uses to check who is asking and what they may touch.

pub mod caller;
pub mod csrf;
pub mod login;
pub mod password;
pub mod rate_limit;
pub mod secret;
pub mod session;
pub mod tokens;

pub use caller::Caller;

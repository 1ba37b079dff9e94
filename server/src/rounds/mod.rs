//! Budget rounds: their life cycle, storage, CSV import of projects, and project images.

pub mod csv_import;
pub mod images;
pub mod status;
pub mod store;

pub use status::RoundStatus;
pub use store::{Round, RoundRow};

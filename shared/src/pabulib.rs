//! Placeholder, filled by the pabulib work.

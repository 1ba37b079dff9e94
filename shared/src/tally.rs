//! Placeholder, filled by the tally work.

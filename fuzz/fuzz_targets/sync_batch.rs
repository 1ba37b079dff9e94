//! Any bytes through the decoding of a kiosk's signed batch, both as a request body and as a
//! batch signed with the kiosk's key: never a panic, and an accepted batch decodes the same
//! after signing it again.

#![no_main]

#[path = "../../shared/tests/hostile_input/mod.rs"]
mod hostile_input;

libfuzzer_sys::fuzz_target!(|data: &[u8]| hostile_input::sync_batch(data));

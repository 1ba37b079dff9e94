//! Any bytes through the Pabulib reader: never a panic, and a file that reads survives a
//! write and read unchanged.

#![no_main]

#[path = "../../shared/tests/hostile_input/mod.rs"]
mod hostile_input;

libfuzzer_sys::fuzz_target!(|data: &[u8]| hostile_input::pabulib_parse(data));

//! `youdecide-load`: drives an already-running youdecide-server on 127.0.0.1 with online
//! voters or enrolled kiosks and prints a one-line JSON summary. `youdecide-load --help` lists
//! the scenarios and their flags; `bench/load` runs them all on SQLite and PostgreSQL.

#[path = "../load/mod.rs"]
mod load;

use std::process::ExitCode;

fn main() -> ExitCode {
    match load::run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fail) => {
            eprintln!("youdecide-load: {}", fail.message());
            ExitCode::from(fail.exit_code())
        }
    }
}

//! `youdecide-load`: a load generator for an already-running youdecide-server on 127.0.0.1.
//!
//! Scenarios: `online` (concurrent online voters posting ballots), `kiosks` (enrolled kiosks
//! pushing signed batches, built and signed before the timed phase), `read` (concurrent
//! readers of public pages) and `argon2` (the time of
//! one voter key on this machine, single thread). Each prints a one-line JSON summary on stdout
//! and a readable line on stderr. Bad arguments give one line on stderr and exit status 2;
//! anything else that stops a run gives one line and exit status 1.

pub mod argon;
pub mod args;
pub mod ballots;
pub mod drive;
pub mod http;
pub mod kiosks;
pub mod online;
pub mod read;
pub mod stats;

/// Why a run stopped.
#[derive(Debug)]
pub enum Fail {
    /// Bad arguments or bad input files (exit 2).
    Usage(String),
    /// Anything else: the server refused the set-up, a round cannot take valid ballots… (exit 1).
    Other(String),
}

impl Fail {
    /// The process exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Fail::Usage(_) => 2,
            Fail::Other(_) => 1,
        }
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        match self {
            Fail::Usage(m) | Fail::Other(m) => m,
        }
    }
}

/// Runs the command line (without the program name).
pub fn run(argv: Vec<String>) -> Result<(), Fail> {
    match args::parse(argv)? {
        args::Command::Help => {
            print!("{}", args::USAGE);
            Ok(())
        }
        args::Command::Online(a) => online::run(&a),
        args::Command::Kiosks(a) => kiosks::run(&a),
        args::Command::Read(a) => read::run(&a),
        args::Command::Argon2 { n } => argon::run(n),
    }
}

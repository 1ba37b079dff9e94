//! The kiosk's command line. Exit status 0 on success, 2 for bad arguments, 1 otherwise,
//! always with one plain-English line on stderr.

use crate::store::Store;
use clap::{Parser, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// The youdecide pop-up voting kiosk.
#[derive(Debug, Parser)]
#[command(name = "youdecide-kiosk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the kiosk's state as one JSON object
    Status {
        /// The kiosk's data directory
        #[arg(
            long,
            env = "YOUDECIDE_DATA_DIR",
            value_name = "DIR",
            default_value = "./data"
        )]
        data_dir: PathBuf,
    },
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let rendered = e.render().to_string();
            let line = rendered
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect::<Vec<_>>()
                .join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            eprintln!("youdecide-kiosk: {line} (see --help)");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("youdecide-kiosk: {message}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Status { data_dir } => {
            let mut store = Store::open(&data_dir).map_err(|e| e.to_string())?;
            let kiosk_id = store.setting("kiosk_id").map_err(|e| e.to_string())?;
            let Some(kiosk_id) = kiosk_id else {
                return Err(format!(
                    "this kiosk is not enrolled yet (no enrolment in {})",
                    data_dir.display()
                ));
            };
            let server = store.setting("server").map_err(|e| e.to_string())?;
            let last_sync = store.setting("last_sync_at").map_err(|e| e.to_string())?;
            println!(
                "{}",
                json!({"kiosk_id": kiosk_id, "server": server, "ballots_total": 0,
                       "ballots_unsynced": 0, "last_sync_at": last_sync})
            );
            Ok(())
        }
    }
}

//! The kiosk's command line: `enroll`, `run`, `status`, `sync`. Exit status 0 on success, 2
//! for bad arguments or a refused enrolment code, 1 otherwise, always with one plain-English
//! line on stderr.

use crate::keys;
use crate::server::{self, KioskState};
use crate::store::Store;
use crate::sync::{self, Identity};
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

/// The youdecide pop-up voting kiosk.
#[derive(Debug, Parser)]
#[command(name = "youdecide-kiosk", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DataDir {
    /// The kiosk's data directory
    #[arg(
        long,
        env = "YOUDECIDE_DATA_DIR",
        value_name = "DIR",
        default_value = "./data"
    )]
    data_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Enrol this kiosk with a server using a one-time code from a partnership admin
    Enroll {
        /// The server's address, e.g. https://pb.example.org
        #[arg(long)]
        server: String,
        /// The enrolment code
        #[arg(long)]
        code: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Serve the voting screens and sync in the background
    Run {
        /// Address to listen on
        #[arg(
            long,
            env = "YOUDECIDE_BIND",
            value_name = "ADDR",
            default_value = "127.0.0.1:8090"
        )]
        bind: String,
        /// Seconds without a touch before the screen warns and then clears (5 to 3600)
        #[arg(long, value_name = "SECONDS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(5..=3600))]
        idle_seconds: u32,
        #[command(flatten)]
        data: DataDir,
    },
    /// Print the kiosk's state as one JSON object
    Status {
        #[command(flatten)]
        data: DataDir,
    },
    /// Run one sync pass; exits 0 only when the server holds every ballot
    Sync {
        #[command(flatten)]
        data: DataDir,
    },
    /// Set the attendant's PIN (6 to 12 digits), read from the first line of standard input
    SetPin {
        /// Read the PIN from standard input
        #[arg(long, required = true)]
        pin_stdin: bool,
        #[command(flatten)]
        data: DataDir,
    },
}

enum Failure {
    Usage(String),
    Other(String),
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
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("youdecide-kiosk: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Other(m)) => {
            eprintln!("youdecide-kiosk: {m}");
            ExitCode::from(1)
        }
    }
}

fn open(data: &DataDir) -> Result<Store, Failure> {
    Store::open(&data.data_dir).map_err(|e| Failure::Other(e.to_string()))
}

fn identity(store: &mut Store) -> Result<Option<Identity>, Failure> {
    let get = |s: &mut Store, k: &str| s.setting(k).map_err(|e| Failure::Other(e.to_string()));
    match (get(store, "server")?, get(store, "kiosk_id")?) {
        (Some(server), Some(kiosk_id)) => Ok(Some(Identity { server, kiosk_id })),
        _ => Ok(None),
    }
}

fn not_enrolled(data: &DataDir) -> Failure {
    Failure::Other(format!(
        "this kiosk is not enrolled yet (no enrolment in {}): run youdecide-kiosk enroll",
        data.data_dir.display()
    ))
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Enroll { server, code, data } => enroll(&server, &code, &data),
        Command::Status { data } => {
            let mut store = open(&data)?;
            if identity(&mut store)?.is_none() {
                return Err(not_enrolled(&data));
            }
            let v = server::status(&mut store).map_err(Failure::Other)?;
            println!("{v}");
            Ok(())
        }
        Command::Sync { data } => {
            let mut store = open(&data)?;
            let id = identity(&mut store)?.ok_or_else(|| not_enrolled(&data))?;
            let key = keys::load(&data.data_dir).map_err(Failure::Other)?;
            let store = Mutex::new(store);
            sync::run_once(&store, &key, &id).map_err(|e| Failure::Other(e.to_string()))?;
            let (total, unsynced) = store
                .lock()
                .map_err(|_| Failure::Other("the kiosk store is unavailable".into()))?
                .counts()
                .map_err(|e| Failure::Other(e.to_string()))?;
            if unsynced > 0 {
                return Err(Failure::Other(format!(
                    "{unsynced} of {total} ballots are not yet acknowledged by the server"
                )));
            }
            println!("{}", json!({"synced": true, "ballots_total": total}));
            Ok(())
        }
        Command::SetPin { pin_stdin: _, data } => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::Other(format!("cannot read the PIN from stdin: {e}")))?;
            let mut store = open(&data)?;
            crate::attendant::set_pin(&mut store, line.trim()).map_err(|e| match e {
                crate::attendant::PinError::Weak => Failure::Usage(e.to_string()),
                other => Failure::Other(other.to_string()),
            })?;
            println!("attendant PIN set");
            Ok(())
        }
        Command::Run {
            bind,
            idle_seconds,
            data,
        } => {
            let mut store = open(&data)?;
            let id = identity(&mut store)?;
            let key = match &id {
                Some(_) => Some(keys::load(&data.data_dir).map_err(Failure::Other)?),
                None => None,
            };
            let state = KioskState {
                store: Mutex::new(store),
                identity: id,
                key,
                sync_now: tokio::sync::Notify::new(),
                data_dir: data.data_dir.clone(),
                attendant: Mutex::new(None),
                idle_seconds,
            };
            server::run(&bind, state)
                .map_err(|e| Failure::Other(format!("cannot listen on {bind}: {e}")))
        }
    }
}

fn enroll(server: &str, code: &str, data: &DataDir) -> Result<(), Failure> {
    let server = server.trim_end_matches('/').to_string();
    if !(server.starts_with("http://") || server.starts_with("https://")) {
        return Err(Failure::Usage(format!(
            "--server {server} is not a web address; give one like https://pb.example.org"
        )));
    }
    let mut store = open(data)?;
    if let Some(id) = identity(&mut store)? {
        return Err(Failure::Usage(format!(
            "this kiosk is already enrolled as {} with {}; use another --data-dir to enrol a new one",
            id.kiosk_id, id.server
        )));
    }
    let key = match keys::load(&data.data_dir) {
        Ok(k) => k,
        Err(_) => keys::generate(&data.data_dir).map_err(Failure::Other)?,
    };
    let public_key = hex::encode(key.verifying_key().to_bytes());
    let url = format!("{server}/api/v1/kiosk/enroll");
    let reply: Value = match ureq::post(&url)
        .timeout(std::time::Duration::from_secs(30))
        .send_json(json!({"code": code, "public_key": public_key}))
    {
        Ok(r) => r
            .into_json()
            .map_err(|e| Failure::Other(format!("the server's answer is not understood: {e}")))?,
        Err(ureq::Error::Status(status, r)) => {
            let v: Value = r.into_json().unwrap_or(Value::Null);
            let msg = v["error"]["message"]
                .as_str()
                .unwrap_or("no reason given")
                .to_string();
            return Err(if status == 422 || status == 400 {
                Failure::Usage(format!("the enrolment was refused: {msg}"))
            } else {
                Failure::Other(format!("the enrolment was refused ({status}): {msg}"))
            });
        }
        Err(e) => {
            return Err(Failure::Other(format!(
                "cannot reach the server at {server}: {e}"
            )))
        }
    };
    let kiosk_id = reply["kiosk_id"]
        .as_str()
        .ok_or_else(|| Failure::Other("the server did not give this kiosk an id".into()))?
        .to_string();
    for (k, v) in [
        ("server", server.as_str()),
        ("kiosk_id", kiosk_id.as_str()),
        ("name", reply["name"].as_str().unwrap_or("")),
        (
            "partnership_id",
            reply["partnership_id"].as_str().unwrap_or(""),
        ),
    ] {
        store
            .set_setting(k, v)
            .map_err(|e| Failure::Other(e.to_string()))?;
    }
    let id = Identity {
        server: server.clone(),
        kiosk_id: kiosk_id.clone(),
    };
    let store = Mutex::new(store);
    let rounds = match sync::run_once(&store, &key, &id) {
        Ok(_) => store
            .lock()
            .ok()
            .and_then(|mut s| s.rounds().ok())
            .map_or(0, |r| r.len()),
        Err(e) => {
            eprintln!("youdecide-kiosk: enrolled, but the first sync failed: {e}");
            0
        }
    };
    println!(
        "{}",
        json!({"kiosk_id": kiosk_id, "server": server, "rounds": rounds})
    );
    Ok(())
}

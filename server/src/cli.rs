//! The command line: `serve`, `demo`, `migrate`, `create-admin`, `create-token`,
//! `revoke-token` and `tally`. Exit status 0 on success, 2 for bad arguments or input, 1 for
//! anything else, always with one plain-English line on stderr.

use crate::accounts;
use crate::app;
use crate::auth::{password, tokens};
use crate::config::{DataConfig, ServerConfig, DEFAULT_BIND};
use crate::db::{migrations, Db, DbConn, OpenError};
use crate::error::AppError;
use crate::{demo, logging, tally_cmd};
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, Write};
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::process::ExitCode;
use thiserror::Error;

/// The youdecide participatory budgeting server.
#[derive(Debug, Parser)]
#[command(name = "youdecide-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Database: a postgres:// URL selects PostgreSQL, anything else is a SQLite file path
    /// [default: DATA_DIR/youdecide.db]
    #[arg(long, env = "YOUDECIDE_DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    /// Directory for the SQLite database and uploaded files [default: ./data]
    #[arg(long, env = "YOUDECIDE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

/// Where to listen.
#[derive(Debug, Clone, Args)]
pub struct BindArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "YOUDECIDE_BIND", value_name = "ADDR", default_value = DEFAULT_BIND)]
    bind: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server
    Serve {
        #[command(flatten)]
        bind: BindArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Seed demonstration data into an empty database, print the logins, and run the server
    Demo {
        #[command(flatten)]
        bind: BindArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Apply pending database migrations and exit
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create a site admin (or make an existing account one), reading the password from stdin
    CreateAdmin {
        /// The admin's email address
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create an API token for an account and print it on stdout (shown once)
    CreateToken {
        /// The account's email address
        #[arg(long)]
        email: String,
        /// A label for the token
        #[arg(long, value_name = "LABEL")]
        name: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke an API token by its id
    RevokeToken {
        /// The token's id (from GET /api/v1/tokens)
        #[arg(long)]
        id: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write a counted round's anonymised ballots as Pabulib files, one AREA_KEY.pb per area
    ExportPabulib {
        /// The round's id
        #[arg(long)]
        round: String,
        /// The directory to write into (created if missing)
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Count a Pabulib file with a participatory budgeting rule
    Tally {
        /// The .pb file
        file: PathBuf,
        /// greedy, equal-shares, equal-shares-completed or phragmen
        #[arg(long)]
        rule: String,
        /// json or text
        #[arg(long, default_value = "json")]
        format: String,
    },
}

/// A command's failure: the message for stderr and the exit status.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad arguments or bad input: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else: exit 1.
    #[error("{0}")]
    Failure(String),
}

impl CliError {
    fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Failure(_) => ExitCode::from(1),
        }
    }
}

impl From<OpenError> for CliError {
    fn from(e: OpenError) -> Self {
        CliError::Failure(e.to_string())
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { message, .. }
            | AppError::InvalidFields { message, .. }
            | AppError::BadRequest { message, .. } => CliError::Usage(message),
            AppError::Database(e) => CliError::Failure(format!("database error: {e}")),
            AppError::Unavailable(e) => CliError::Failure(format!("database unavailable: {e}")),
            AppError::Internal(e) => CliError::Failure(e.to_string()),
            other => CliError::Failure(other.public_message()),
        }
    }
}

/// Parses the command line, runs the command, and maps the outcome to an exit status.
pub fn main() -> ExitCode {
    // libpq otherwise starts Kerberos (GSSAPI) machinery that can abort the process as it
    // exits; youdecide never needs GSS encryption unless the operator asks for it.
    if std::env::var_os("PGGSSENCMODE").is_none() {
        std::env::set_var("PGGSSENCMODE", "disable");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("youdecide-server: {e}");
            e.exit_code()
        }
    }
}

/// Prints clap's help or version as usual; turns a usage error into one line and exit 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = e.render().to_string();
            let line = one_line(&rendered);
            eprintln!("youdecide-server: {line} (see --help)");
            ExitCode::from(2)
        }
    }
}

/// The part of clap's message before the usage block, joined into one line.
fn one_line(rendered: &str) -> String {
    let text: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect();
    let joined = text.join(" ");
    joined
        .strip_prefix("error: ")
        .unwrap_or(&joined)
        .to_string()
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve { bind, data } => {
            logging::init("info");
            let (config, db) = prepare_server(bind, data)?;
            run_server(config, db, |_| {})
        }
        Command::Demo { bind, data } => {
            logging::init("info");
            let (config, db) = prepare_server(bind, data)?;
            let logins = {
                let mut conn = db.get()?;
                demo::seed(&mut conn)?
            };
            run_server(config, db, move |url| demo::announce(url, &logins))
        }
        Command::Migrate { data } => {
            logging::init("warn");
            let config = data_config(data)?;
            let mut conn = DbConn::establish(&config.database)?;
            let applied = migrations::run_pending(&mut conn)
                .map_err(|e| CliError::Failure(format!("cannot apply migrations: {e}")))?;
            println!(
                "{} database at {}: {} migration(s) applied, schema up to date",
                config.database.backend_name(),
                config.database,
                applied.len()
            );
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password_stdin: _,
            data,
        } => {
            logging::init("warn");
            let email = accounts::normalise_email(&email)?;
            let pw = read_password_line()?;
            password::validate_new(&pw)?;
            let config = data_config(data)?;
            let db = Db::open(&config.database)?;
            let hash = password::hash(&pw)?;
            let mut conn = db.get()?;
            match accounts::find_user_by_email(&mut conn, &email)? {
                Some(u) => {
                    accounts::promote_to_site_admin(&mut conn, &u.id, &hash)?;
                    println!("{email} is a site admin; the password has been changed");
                }
                None => {
                    accounts::create_user(&mut conn, &email, &hash, true)?;
                    println!("site admin {email} created");
                }
            }
            Ok(())
        }
        Command::CreateToken { email, name, data } => {
            logging::init("warn");
            let email = accounts::normalise_email(&email)?;
            let name = tokens::validate_name(name.as_deref())?;
            let config = data_config(data)?;
            let db = Db::open(&config.database)?;
            let mut conn = db.get()?;
            let user = accounts::find_user_by_email(&mut conn, &email)?.ok_or_else(|| {
                CliError::Usage(format!(
                    "there is no account with the email address {email}"
                ))
            })?;
            let (_, plain) = tokens::create(&mut conn, &user.id, &name)?;
            println!("{plain}");
            Ok(())
        }
        Command::RevokeToken { id, data } => {
            logging::init("warn");
            let config = data_config(data)?;
            let db = Db::open(&config.database)?;
            let mut conn = db.get()?;
            if tokens::find(&mut conn, &id)?.is_none() {
                return Err(CliError::Usage(format!(
                    "there is no API token with the id {id}"
                )));
            }
            tokens::revoke(&mut conn, &id)?;
            println!("token {id} revoked");
            Ok(())
        }
        Command::ExportPabulib { round, out, data } => {
            logging::init("warn");
            let config = data_config(data)?;
            let db = Db::open(&config.database)?;
            let mut conn = db.get()?;
            if crate::rounds::store::find_row(&mut conn, &round)?.is_none() {
                return Err(CliError::Usage(format!(
                    "there is no round with the id {round}"
                )));
            }
            let files = crate::results::store::files(&mut conn, &round)?;
            if files.is_empty() {
                return Err(CliError::Usage(format!(
                    "the round {round} has not been counted yet: count it first"
                )));
            }
            std::fs::create_dir_all(&out)
                .map_err(|e| CliError::Failure(format!("cannot create {}: {e}", out.display())))?;
            for (area, text) in files {
                let path = out.join(format!("{area}.pb"));
                std::fs::write(&path, text).map_err(|e| {
                    CliError::Failure(format!("cannot write {}: {e}", path.display()))
                })?;
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Tally { file, rule, format } => {
            let code = tally_cmd::run(&file, &rule, &format);
            if code == ExitCode::SUCCESS {
                Ok(())
            } else {
                // tally_cmd has already printed its one line.
                std::process::exit(if code == ExitCode::from(2) { 2 } else { 1 })
            }
        }
    }
}

fn read_password_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Failure(format!("cannot read the password from stdin: {e}")))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.is_empty() {
        return Err(CliError::Usage(
            "no password on standard input: send it as one line, e.g. `echo \"$PW\" | youdecide-server create-admin --email … --password-stdin`".into(),
        ));
    }
    Ok(pw)
}

/// Resolves the data settings and makes sure the data directory exists and is writable.
fn data_config(data: DataArgs) -> Result<DataConfig, CliError> {
    let config = DataConfig::new(data.data_dir, data.database_url.as_deref());
    let dir = &config.data_dir;
    let fail = |e: std::io::Error| {
        CliError::Failure(format!(
            "cannot use data directory {}: {}",
            dir.display(),
            plain_io_error(&e)
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(".write-test");
    std::fs::File::create(&probe)
        .and_then(|mut f| f.write_all(b"ok"))
        .map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(config)
}

/// An I/O error's description without the "(os error N)" suffix.
fn plain_io_error(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn prepare_server(bind: BindArgs, data: DataArgs) -> Result<(ServerConfig, Db), CliError> {
    let addr_ok = bind
        .bind
        .to_socket_addrs()
        .map(|mut a| a.next().is_some())
        .unwrap_or(false);
    if !addr_ok {
        return Err(CliError::Usage(format!(
            "--bind {} is not an address to listen on; give HOST:PORT, e.g. 127.0.0.1:8080",
            bind.bind
        )));
    }
    let data = data_config(data)?;
    tracing::info!(database = %data.database, backend = data.database.backend_name(), "opening database");
    let db = Db::open(&data.database)?;
    Ok((
        ServerConfig {
            bind: bind.bind,
            data,
        },
        db,
    ))
}

fn run_server(config: ServerConfig, db: Db, after_bind: impl FnOnce(&str)) -> Result<(), CliError> {
    let bind = config.bind.clone();
    let result = actix_web::rt::System::new().block_on(app::serve(config, db, move |addrs| {
        let url = addrs
            .first()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default();
        println!("youdecide-server listening on {url}");
        after_bind(&url);
        let _ = std::io::stdout().flush();
        tracing::info!(%url, "listening");
    }));
    result.map_err(|e| {
        CliError::Failure(format!("cannot listen on {bind}: {}", plain_io_error(&e)))
    })?;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_become_one_line() {
        let e = Cli::try_parse_from(["youdecide-server", "serve", "--frobnicate"]).unwrap_err();
        let line = one_line(&e.render().to_string());
        assert!(line.contains("--frobnicate"), "{line}");
        assert!(!line.contains('\n'));
        let e = Cli::try_parse_from(["youdecide-server", "create-admin"]).unwrap_err();
        let line = one_line(&e.render().to_string());
        assert!(line.contains("--email"), "{line}");
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

//! The command line, parsed by hand: a subcommand, then `--flag value` (or `--flag=value`)
//! pairs. Every problem is one plain line naming the flag ([`Fail::Usage`], exit status 2).

use super::Fail;
use std::path::PathBuf;

/// `--help`.
pub const USAGE: &str = "\
youdecide-load: load for an already-running youdecide-server (127.0.0.1 only)

USAGE:
  youdecide-load online --url URL --round RID [--clients 32] [--ballots 1000]
                        [--mode self-declared|code] [--codes-file FILE]
  youdecide-load kiosks --url URL --round RID [--kiosks 20] [--ballots-per-kiosk 10000]
                        [--batch 500] (--admin-token TOKEN | --credentials FILE)
                        [--codes-file FILE] [--argon2-keys]
  youdecide-load read --url URL --paths PATH[,PATH...] [--clients 64] [--requests 10000]
  youdecide-load argon2 [--n 50]

online   CLIENTS threads post BALLOTS valid ballots (one each, keep-alive) to
         POST /api/v1/rounds/RID/ballots. Self-declared rounds get a distinct adult name
         and date of birth per ballot; code rounds take one code per ballot from
         --codes-file (one a line, as POST /api/v1/rounds/RID/codes gives them).
kiosks   enrols KIOSKS kiosks in the round's partnership with --admin-token (or takes
         --credentials: lines `KIOSK_ID SEED_HEX` of enrolled kiosks that have sent no
         ballots yet), pulls the round with a signed request as a kiosk does, builds each
         kiosk's hash-chained log and signs its batches, then times one thread per kiosk
         pushing them to POST /api/v1/kiosk/KID/batches. Self-declared voter keys are
         stand-ins of the real shape (the server cannot tell them apart and derives
         nothing for kiosk ballots); --argon2-keys derives real ones (slow). Code rounds
         take KIOSKS x BALLOTS_PER_KIOSK codes from --codes-file.
read     CLIENTS threads GET the PATHS in turn (REQUESTS in all), e.g. a published
         round's results JSON and page; anything but 200 is an error.
argon2   derives N real voter keys (argon2id, one thread) and reports the time per key.

Prints a one-line JSON summary on stdout and a readable line on stderr. Exit status 0
when the run completed (errors are counted in the summary), 2 for bad arguments, 1 when
the run could not be set up.
";

/// Flags shared by the scenarios that talk to a server.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub url: String,
    /// The round's id.
    pub round: String,
}

/// `online`.
#[derive(Debug, Clone)]
pub struct OnlineArgs {
    /// Server and round.
    pub target: Target,
    /// Concurrent voters.
    pub clients: usize,
    /// Ballots in all.
    pub ballots: usize,
    /// `self-declared` or `code`, if given (else the round's mode).
    pub mode: Option<String>,
    /// Voting codes, one a line.
    pub codes_file: Option<PathBuf>,
}

/// `kiosks`.
#[derive(Debug, Clone)]
pub struct KioskArgs {
    /// Server and round.
    pub target: Target,
    /// How many kiosks.
    pub kiosks: usize,
    /// Ballots each kiosk holds.
    pub ballots_per_kiosk: usize,
    /// Ballots per signed batch.
    pub batch: usize,
    /// A partnership admin's token, to create and enrol the kiosks.
    pub admin_token: Option<String>,
    /// Pre-enrolled kiosks: `KIOSK_ID SEED_HEX` lines.
    pub credentials: Option<PathBuf>,
    /// Voting codes for code rounds.
    pub codes_file: Option<PathBuf>,
    /// Derive real argon2id voter keys for self-declared ballots.
    pub argon2_keys: bool,
}

/// `read`.
#[derive(Debug, Clone)]
pub struct ReadArgs {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Paths to GET in turn, each starting with `/`.
    pub paths: Vec<String>,
    /// Concurrent readers.
    pub clients: usize,
    /// Requests in all.
    pub requests: usize,
}

/// What to run.
#[derive(Debug, Clone)]
pub enum Command {
    /// Print [`USAGE`].
    Help,
    /// Online voters.
    Online(OnlineArgs),
    /// Kiosks pushing batches.
    Kiosks(KioskArgs),
    /// Concurrent readers of public pages.
    Read(ReadArgs),
    /// argon2id time per voter key.
    Argon2 {
        /// Keys to derive.
        n: usize,
    },
}

fn usage(msg: impl Into<String>) -> Fail {
    Fail::Usage(format!("{} (see --help)", msg.into()))
}

/// `--flag value` pairs in order, with boolean flags given as `None`.
struct Flags {
    pairs: Vec<(String, Option<String>)>,
}

impl Flags {
    fn parse(args: &[String], allowed: &[&str], booleans: &[&str]) -> Result<Flags, Fail> {
        let mut pairs: Vec<(String, Option<String>)> = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            let Some(body) = a.strip_prefix("--") else {
                return Err(usage(format!("unexpected argument `{a}`")));
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (body.to_string(), None),
            };
            if booleans.contains(&name.as_str()) {
                if inline.is_some() {
                    return Err(usage(format!("--{name} takes no value")));
                }
                pairs.push((name, None));
                i += 1;
                continue;
            }
            if !allowed.contains(&name.as_str()) {
                return Err(usage(format!("unknown flag --{name}")));
            }
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    match args.get(i) {
                        Some(v) if !v.starts_with("--") => v.clone(),
                        _ => return Err(usage(format!("--{name} needs a value"))),
                    }
                }
            };
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(usage(format!("--{name} is given twice")));
            }
            pairs.push((name, Some(value)));
            i += 1;
        }
        Ok(Flags { pairs })
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| n == name)
    }

    fn required(&self, name: &str) -> Result<&str, Fail> {
        self.get(name)
            .ok_or_else(|| usage(format!("--{name} is required")))
    }

    /// A whole number in `min..=max`, or `default` when absent.
    fn number(&self, name: &str, default: usize, min: usize, max: usize) -> Result<usize, Fail> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        let n: usize = raw
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| usage(format!("--{name} must be a whole number, not `{raw}`")))?;
        if n < min || n > max {
            return Err(usage(format!(
                "--{name} must be between {min} and {max}, not {n}"
            )));
        }
        Ok(n)
    }
}

/// Checks that `raw` is `http://127.0.0.1[:PORT][/]` and returns it without the slash.
pub fn check_url(raw: &str) -> Result<String, Fail> {
    let refuse = || {
        Fail::Usage(format!(
            "--url {raw} is refused: only http://127.0.0.1:PORT is allowed as a target"
        ))
    };
    let rest = raw.strip_prefix("http://").ok_or_else(refuse)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '@', '?', '#']) {
        return Err(refuse());
    }
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    if host != "127.0.0.1" {
        return Err(refuse());
    }
    if let Some(p) = port {
        match p.parse::<u16>() {
            Ok(n) if n > 0 => {}
            _ => {
                return Err(Fail::Usage(format!(
                    "--url {raw}: the port must be a number from 1 to 65535"
                )))
            }
        }
    }
    Ok(format!("http://{rest}"))
}

fn check_round(raw: &str) -> Result<String, Fail> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(usage(format!("--round `{raw}` is not a round id")))
    }
}

fn target(flags: &Flags) -> Result<Target, Fail> {
    Ok(Target {
        url: check_url(flags.required("url")?)?,
        round: check_round(flags.required("round")?)?,
    })
}

/// Parses the arguments after the program name.
pub fn parse(argv: Vec<String>) -> Result<Command, Fail> {
    let Some((sub, rest)) = argv.split_first() else {
        return Err(usage("name a scenario: online, kiosks, read or argon2"));
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    match sub.as_str() {
        "--help" | "-h" | "help" => Ok(Command::Help),
        "online" => {
            let f = Flags::parse(
                rest,
                &["url", "round", "clients", "ballots", "mode", "codes-file"],
                &[],
            )?;
            let mode = f.get("mode").map(str::to_string);
            if let Some(m) = &mode {
                if m != "self-declared" && m != "code" {
                    return Err(usage(format!(
                        "--mode must be self-declared or code, not `{m}`"
                    )));
                }
            }
            let codes_file = f.get("codes-file").map(PathBuf::from);
            if mode.as_deref() == Some("code") && codes_file.is_none() {
                return Err(usage("--mode code needs --codes-file"));
            }
            Ok(Command::Online(OnlineArgs {
                target: target(&f)?,
                clients: f.number("clients", 32, 1, 4096)?,
                ballots: f.number("ballots", 1000, 1, 100_000_000)?,
                mode,
                codes_file,
            }))
        }
        "kiosks" => {
            let f = Flags::parse(
                rest,
                &[
                    "url",
                    "round",
                    "kiosks",
                    "ballots-per-kiosk",
                    "batch",
                    "admin-token",
                    "credentials",
                    "codes-file",
                ],
                &["argon2-keys"],
            )?;
            let admin_token = f.get("admin-token").map(str::to_string);
            let credentials = f.get("credentials").map(PathBuf::from);
            if admin_token.is_none() && credentials.is_none() {
                return Err(usage(
                    "kiosks needs --admin-token (to enrol new kiosks) or --credentials FILE",
                ));
            }
            if admin_token.is_some() && credentials.is_some() {
                return Err(usage(
                    "give either --admin-token or --credentials, not both",
                ));
            }
            Ok(Command::Kiosks(KioskArgs {
                target: target(&f)?,
                kiosks: f.number("kiosks", 20, 1, 1000)?,
                ballots_per_kiosk: f.number("ballots-per-kiosk", 10_000, 1, 10_000_000)?,
                batch: f.number("batch", 500, 1, 5000)?,
                admin_token,
                credentials,
                codes_file: f.get("codes-file").map(PathBuf::from),
                argon2_keys: f.has("argon2-keys"),
            }))
        }
        "read" => {
            let f = Flags::parse(rest, &["url", "paths", "clients", "requests"], &[])?;
            let paths: Vec<String> = f
                .required("paths")?
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            if let Some(bad) = paths
                .iter()
                .find(|p| !p.starts_with('/') || p.contains(['@', '#', ' ']) || p.starts_with("//"))
            {
                return Err(usage(format!(
                    "--paths: `{bad}` is not a path on the server"
                )));
            }
            if paths.is_empty() {
                return Err(usage("--paths needs at least one path"));
            }
            Ok(Command::Read(ReadArgs {
                url: check_url(f.required("url")?)?,
                paths,
                clients: f.number("clients", 64, 1, 4096)?,
                requests: f.number("requests", 10_000, 1, 100_000_000)?,
            }))
        }
        "argon2" => {
            let f = Flags::parse(rest, &["n"], &[])?;
            Ok(Command::Argon2 {
                n: f.number("n", 50, 1, 100_000)?,
            })
        }
        other => Err(usage(format!(
            "unknown scenario `{other}`: use online, kiosks, read or argon2"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn only_loopback_is_a_target() {
        assert_eq!(
            check_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "http://localhost:8080",
            "https://127.0.0.1:8080",
            "http://127.0.0.1.example.org:80",
            "http://user@127.0.0.1:80",
            "http://10.0.0.1:80",
            "http://127.0.0.1:80/api",
            "http://127.0.0.1:0",
            "127.0.0.1:8080",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_are_checked() {
        assert!(matches!(
            parse(args(
                "online --url http://127.0.0.1:1 --round r --clients 4 --ballots=10"
            )),
            Ok(Command::Online(OnlineArgs {
                clients: 4,
                ballots: 10,
                ..
            }))
        ));
        for bad in [
            "",
            "nope",
            "online --round r",
            "online --url http://127.0.0.1:1 --round r --clients x",
            "online --url http://127.0.0.1:1 --round r --clients 0",
            "online --url http://127.0.0.1:1 --round r --bogus 1",
            "online --url http://127.0.0.1:1 --round r --mode code",
            "online --url http://127.0.0.1:1 --round r --ballots",
            "kiosks --url http://127.0.0.1:1 --round r",
            "kiosks --url http://127.0.0.1:1 --round r --admin-token t --batch 6000",
            "argon2 --n 0",
        ] {
            let r = parse(args(bad));
            assert!(matches!(r, Err(Fail::Usage(_))), "{bad}: {r:?}");
        }
        assert!(matches!(
            parse(args("argon2")),
            Ok(Command::Argon2 { n: 50 })
        ));
        assert!(matches!(parse(args("kiosks --help")), Ok(Command::Help)));
    }
}

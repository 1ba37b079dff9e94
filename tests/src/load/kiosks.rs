//! The `kiosks` scenario: N kiosks, each with its own ed25519 key, enrolled through the server's
//! kiosk creation and enrolment endpoints as `youdecide-kiosk enroll` does (or taken from a
//! credentials file); each pulls its rounds with a signed request, then builds its log the way
//! the kiosk's store appends (UUIDv7 ids, sequence numbers from 1, each record holding the
//! previous one's hash, tracking codes from the shared code) from ballots checked with the
//! shared validator, and signs its batches with `youdecide_shared::sync::sign`, so the bytes are
//! those a real kiosk sends. All of that happens before the clock starts; the timed phase is
//! one thread per kiosk pushing its batches in order to `POST /api/v1/kiosk/{kid}/batches`.

use super::args::KioskArgs;
use super::ballots::{fetch_open_round, Generator, RoundInfo, Who};
use super::http;
use super::online::{read_codes, run_tag};
use super::stats::Summary;
use super::Fail;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::{Barrier, Mutex};
use std::time::Instant;
use youdecide_shared::ballot::Identity;
use youdecide_shared::codes;
use youdecide_shared::sync::{self, Batch, BatchReply, KioskBallot, RoundsRequest, GENESIS};
use youdecide_shared::voter_key;

/// An enrolled kiosk.
struct Kiosk {
    id: String,
    key: SigningKey,
}

/// A kiosk's signed batches, ready to send: `(request body, ballots in it)`.
struct Prepared {
    kiosk_id: String,
    batches: Vec<(String, usize)>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// A new signing key from the OS's randomness (through UUIDv4s, to need no extra crate).
fn new_key() -> SigningKey {
    let mut h = Sha256::new();
    for _ in 0..3 {
        h.update(uuid::Uuid::new_v4().as_bytes());
    }
    SigningKey::from_bytes(&h.finalize().into())
}

/// Reads `KIOSK_ID SEED_HEX` lines.
fn read_credentials(path: &std::path::Path, need: usize) -> Result<Vec<Kiosk>, Fail> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Fail::Usage(format!("--credentials {name}: cannot read it: {e}")))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let seed: Option<[u8; 32]> = match parts.as_slice() {
            [_, seed] => hex::decode(seed).ok().and_then(|b| b.try_into().ok()),
            _ => None,
        };
        let Some(seed) = seed else {
            return Err(Fail::Usage(format!(
                "--credentials {name}:{}: expected `KIOSK_ID SEED_HEX` (the kiosk's id and the 64 hex digits of its kiosk.key)",
                n + 1
            )));
        };
        out.push(Kiosk {
            id: parts[0].to_string(),
            key: SigningKey::from_bytes(&seed),
        });
    }
    if out.len() < need {
        return Err(Fail::Usage(format!(
            "--credentials {name} holds {} kiosks, but --kiosks asks for {need}",
            out.len()
        )));
    }
    out.truncate(need);
    Ok(out)
}

/// Creates and enrols `n` kiosks in the partnership, as an admin and then as each kiosk.
fn enroll(url: &str, pid: &str, token: &str, n: usize, tag: &str) -> Result<Vec<Kiosk>, Fail> {
    let agent = http::agent();
    let unreachable = |e: String| Fail::Other(format!("cannot reach the server at {url}: {e}"));
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let body = json!({"name": format!("load {tag} {}", k + 1)}).to_string();
        let r = http::send(
            &agent,
            "POST",
            &format!("{url}/api/v1/partnerships/{pid}/kiosks"),
            Some(token),
            Some(&body),
        )
        .map_err(unreachable)?;
        if !r.ok() {
            return Err(Fail::Other(format!(
                "the server refused to create a kiosk: {}",
                r.describe()
            )));
        }
        let code = r.json()["enrollment_code"]
            .as_str()
            .ok_or_else(|| Fail::Other("the new kiosk came without an enrolment code".into()))?
            .to_string();
        let key = new_key();
        let body = json!({"code": code, "public_key": hex::encode(key.verifying_key().to_bytes())})
            .to_string();
        let r = http::send(
            &agent,
            "POST",
            &format!("{url}/api/v1/kiosk/enroll"),
            None,
            Some(&body),
        )
        .map_err(unreachable)?;
        if !r.ok() {
            return Err(Fail::Other(format!(
                "the server refused the enrolment: {}",
                r.describe()
            )));
        }
        let id = r.json()["kiosk_id"]
            .as_str()
            .ok_or_else(|| Fail::Other("the enrolment answer has no kiosk_id".into()))?
            .to_string();
        out.push(Kiosk { id, key });
    }
    Ok(out)
}

/// The kiosk's signed pull of its rounds (as its sync does first); returns the round's copy.
fn pull_round(url: &str, kiosk: &Kiosk, rid: &str) -> Result<Value, Fail> {
    let request = RoundsRequest {
        kiosk_id: kiosk.id.clone(),
        sent_at: now(),
        etag: None,
        pending: 0,
    };
    let body = serde_json::to_string(&sync::sign(&request, &kiosk.key))
        .map_err(|e| Fail::Other(e.to_string()))?;
    let r = http::send(
        &http::agent(),
        "POST",
        &format!("{url}/api/v1/kiosk/{}/rounds", kiosk.id),
        None,
        Some(&body),
    )
    .map_err(|e| Fail::Other(format!("cannot reach the server at {url}: {e}")))?;
    if r.status != 200 {
        return Err(Fail::Other(format!(
            "kiosk {} could not pull its rounds: {}",
            kiosk.id,
            r.describe()
        )));
    }
    r.json()["rounds"]
        .as_array()
        .and_then(|rs| rs.iter().find(|v| v["id"] == rid).cloned())
        .ok_or_else(|| {
            Fail::Other(format!(
                "kiosk {} was not given round {rid}: is the round open and in the kiosk's partnership?",
                kiosk.id
            ))
        })
}

/// The voter key a kiosk would store for `identity`. Self-declared keys are stand-ins of the
/// same shape unless `argon2` is set: the server cannot check them (it never sees names) and
/// derives nothing for kiosk ballots, so its work is the same.
fn person(identity: &Identity, salt: &str, argon2: bool) -> Result<Option<String>, String> {
    match identity {
        Identity::SelfDeclared {
            name,
            date_of_birth,
        } if !argon2 => Ok(Some(format!(
            "v1:{}",
            hex::encode(Sha256::digest(format!(
                "youdecide-load stand-in voter key\u{1f}{salt}\u{1f}{name}\u{1f}{date_of_birth}"
            )))
        ))),
        other => voter_key::derive(other, salt).map_err(|e| e.to_string()),
    }
}

/// Builds kiosk `k`'s log of `per` ballots and signs its batches.
#[allow(clippy::too_many_arguments)]
fn prepare(
    kiosk: &Kiosk,
    k: usize,
    per: usize,
    batch_size: usize,
    generator: &Generator,
    round: &RoundInfo,
    codes: Option<&[String]>,
    argon2: bool,
) -> Result<Prepared, String> {
    let salt = round.salt.clone().unwrap_or_default();
    let mut prev = GENESIS.to_string();
    let mut records = Vec::with_capacity(per);
    for j in 0..per {
        let i = k * per + j;
        let who = match (codes, round.mode()) {
            (Some(c), _) => Who::Code(c[i].clone()),
            (None, "attended") => Who::Attended,
            (None, _) => Who::SelfDeclared,
        };
        let (_, valid) = generator.ballot(i, &who)?;
        let person = person(&valid.identity, &salt, argon2)?;
        let id = uuid::Uuid::now_v7().to_string();
        let nonce = *uuid::Uuid::new_v4().as_bytes();
        let content = serde_json::to_string(&valid.choices).unwrap_or_default();
        let record = KioskBallot {
            tracking_code: codes::tracking_code(&id, &content, &nonce),
            id,
            seq: j as u64 + 1,
            prev_hash: prev,
            round_id: round.id.clone(),
            cast_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            area: valid.area,
            person,
            choices: valid.choices,
            language: valid.language,
            assisted: false,
        };
        prev = record.hash();
        records.push(record);
    }
    let mut batches = Vec::new();
    let mut sent = 0usize;
    for chunk in records.chunks(batch_size) {
        sent += chunk.len();
        let batch = Batch {
            kiosk_id: kiosk.id.clone(),
            sent_at: now(),
            ballots: chunk.to_vec(),
            pending_after: (per - sent) as u64,
        };
        let body =
            serde_json::to_string(&sync::sign(&batch, &kiosk.key)).map_err(|e| e.to_string())?;
        batches.push((body, chunk.len()));
    }
    Ok(Prepared {
        kiosk_id: kiosk.id.clone(),
        batches,
    })
}

/// What one kiosk's pushes gave.
#[derive(Default)]
struct Pushed {
    latencies: Vec<f64>,
    requests: usize,
    stored: usize,
    not_stored: usize,
    errors: usize,
}

/// Pushes a kiosk's batches in order; stops at the first refused batch (every later one would
/// only break the chain).
fn push(url: &str, p: &Prepared, barrier: &Barrier, first_error: &Mutex<Option<String>>) -> Pushed {
    let agent = http::agent();
    let endpoint = format!("{url}/api/v1/kiosk/{}/batches", p.kiosk_id);
    let mut out = Pushed::default();
    let note = |msg: String| {
        if let Ok(mut f) = first_error.lock() {
            f.get_or_insert(msg);
        }
    };
    barrier.wait();
    for (n, (body, count)) in p.batches.iter().enumerate() {
        let t0 = Instant::now();
        let reply = http::send(&agent, "POST", &endpoint, None, Some(body));
        out.latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
        out.requests += 1;
        let reply = match reply {
            Ok(r) if r.ok() => r,
            Ok(r) => {
                out.errors += 1;
                note(format!(
                    "kiosk {} batch {}: {}",
                    p.kiosk_id,
                    n + 1,
                    r.describe()
                ));
                break;
            }
            Err(e) => {
                out.errors += 1;
                note(format!(
                    "kiosk {} batch {}: no answer: {e}",
                    p.kiosk_id,
                    n + 1
                ));
                break;
            }
        };
        let acks = match serde_json::from_str::<BatchReply>(&reply.body) {
            Ok(r) => r.acks,
            Err(e) => {
                out.errors += 1;
                note(format!(
                    "kiosk {} batch {}: the answer is not a batch reply: {e}",
                    p.kiosk_id,
                    n + 1
                ));
                break;
            }
        };
        let stored = acks.iter().filter(|a| a.outcome == "stored").count();
        out.stored += stored;
        out.not_stored += count - stored.min(*count);
        if let Some(a) = acks.iter().find(|a| a.outcome != "stored") {
            note(format!(
                "kiosk {} batch {}: ballot {} {} ({})",
                p.kiosk_id,
                n + 1,
                a.id,
                a.outcome,
                a.reason.as_deref().unwrap_or("no reason")
            ));
        }
    }
    out
}

/// Runs the scenario.
pub fn run(a: &KioskArgs) -> Result<(), Fail> {
    let url = &a.target.url;
    let public = fetch_open_round(url, &a.target.round)?;
    let tag = run_tag();
    let total = a.kiosks * a.ballots_per_kiosk;
    let codes = match public.mode() {
        "code" => {
            let path = a.codes_file.as_ref().ok_or_else(|| {
                Fail::Usage(format!(
                    "round {} takes voting codes: give --codes-file with {total} codes",
                    public.id
                ))
            })?;
            Some(read_codes(path, total)?)
        }
        _ => None,
    };
    let kiosks = match (&a.credentials, &a.admin_token) {
        (Some(path), _) => read_credentials(path, a.kiosks)?,
        (None, Some(token)) => enroll(url, &public.partnership_id, token, a.kiosks, &tag)?,
        (None, None) => return Err(Fail::Usage("give --admin-token or --credentials".into())),
    };
    let mut copy = None;
    for k in &kiosks {
        copy = Some(pull_round(url, k, &public.id)?);
    }
    let round = RoundInfo::from_json(&copy.unwrap_or_default()).map_err(Fail::Other)?;
    let generator = Generator::new(&round, &tag).map_err(Fail::Other)?;

    let build_started = Instant::now();
    let prepared: Vec<Result<Prepared, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = kiosks
            .iter()
            .enumerate()
            .map(|(k, kiosk)| {
                let (generator, round, codes) = (&generator, &round, codes.as_deref());
                s.spawn(move || {
                    prepare(
                        kiosk,
                        k,
                        a.ballots_per_kiosk,
                        a.batch,
                        generator,
                        round,
                        codes,
                        a.argon2_keys,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("building a kiosk's batches failed".into()))
            })
            .collect()
    });
    let prepared: Vec<Prepared> = prepared
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(Fail::Other)?;
    let build_seconds = build_started.elapsed().as_secs_f64();
    eprintln!(
        "youdecide-load: {} kiosks hold {} ballots each in signed batches of {} (built in {:.1} s); pushing",
        kiosks.len(),
        a.ballots_per_kiosk,
        a.batch,
        build_seconds
    );

    let barrier = Barrier::new(prepared.len() + 1);
    let first_error: Mutex<Option<String>> = Mutex::new(None);
    let (seconds, results) = std::thread::scope(|s| {
        let handles: Vec<_> = prepared
            .iter()
            .map(|p| {
                let (barrier, first_error) = (&barrier, &first_error);
                s.spawn(move || push(url, p, barrier, first_error))
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let results: Vec<Pushed> = handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect();
        (started.elapsed().as_secs_f64(), results)
    });
    if let Some(e) = first_error.lock().ok().and_then(|f| f.clone()) {
        eprintln!("youdecide-load: first error: {e}");
    }
    let mut summary = Summary {
        scenario: "kiosks".into(),
        seconds,
        ..Summary::default()
    };
    let mut not_stored = 0;
    for r in results {
        summary.requests += r.requests;
        summary.ballots += r.stored;
        summary.errors += r.errors;
        summary.latencies_ms.extend(r.latencies);
        not_stored += r.not_stored;
    }
    summary.extra = vec![
        ("kiosks".into(), json!(kiosks.len())),
        ("ballots_per_kiosk".into(), json!(a.ballots_per_kiosk)),
        ("batch".into(), json!(a.batch)),
        ("not_stored".into(), json!(not_stored)),
        (
            "build_seconds".into(),
            json!((build_seconds * 100.0).round() / 100.0),
        ),
    ];
    summary.print();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_in_keys_have_the_real_shape() {
        let id = Identity::SelfDeclared {
            name: "load voter 1".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1980, 1, 2).unwrap(),
        };
        let stand_in = person(&id, "salt", false).unwrap().unwrap();
        let real = voter_key::derive(&id, "salt").unwrap().unwrap();
        assert_eq!(stand_in.len(), real.len());
        assert!(stand_in.starts_with("v1:") && real.starts_with("v1:"));
        assert_eq!(person(&id, "salt", true).unwrap().unwrap(), real);
        assert_eq!(person(&Identity::Attended, "s", false).unwrap(), None);
    }
}

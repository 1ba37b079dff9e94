//! Blocking HTTP with ureq: one agent (one keep-alive connection) per thread, no redirects
//! followed (so nothing ever leaves the checked 127.0.0.1 address), and every answer returned
//! with its status and body, whatever the status.

use serde_json::Value;
use std::time::Duration;

/// An answer from the server.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A short description for error lines: status and the server's error code and message.
    pub fn describe(&self) -> String {
        let v = self.json();
        match (v["error"]["code"].as_str(), v["error"]["message"].as_str()) {
            (Some(code), Some(msg)) => format!("{} {code}: {msg}", self.status),
            _ => format!(
                "{} {}",
                self.status,
                self.body.chars().take(300).collect::<String>()
            ),
        }
    }
}

/// A new agent: one connection kept alive, long timeouts (a loaded server can be slow).
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(300))
        .redirects(0)
        .max_idle_connections_per_host(1)
        .build()
}

/// Sends a request with an optional bearer token and JSON body. `Err` only when no HTTP
/// answer came back (connection refused, reset, timed out).
pub fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<Reply, String> {
    let mut req = agent.request(method, url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let result = match body {
        Some(b) => req.set("Content-Type", "application/json").send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => return Err(t.to_string()),
    };
    let status = resp.status();
    let body = resp
        .into_string()
        .map_err(|e| format!("cannot read the answer to {method} {url}: {e}"))?;
    Ok(Reply { status, body })
}

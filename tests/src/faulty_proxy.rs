//! A fault-injecting HTTP proxy on 127.0.0.1 for the reliability tests: it forwards each
//! request to an upstream server and, at random from a seeded generator, drops the connection
//! part-way through the request, drops it after the server has answered but before the client
//! has the whole answer, delays, or sends the request twice to the server on two connections.
//! It logs every answer the server gave, so a test can look for server errors.
//!
//! Each request is forwarded on a fresh upstream connection with `Connection: close`, so an
//! answer ends where the server closes; request bodies must carry a `Content-Length`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the proxy waits on either side before giving up on a connection.
const IO_TIMEOUT: Duration = Duration::from_secs(90);

/// A small xorshift generator: reproducible faults from a seed.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (any value; zero is replaced).
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

/// The chance of each fault, in percent of requests (their sum at most 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    /// Close both sides after forwarding only part of the request.
    pub drop_request: u64,
    /// Forward the whole request, then give the client only part of the answer.
    pub drop_response: u64,
    /// Wait before forwarding (and before answering).
    pub delay: u64,
    /// Send the request to the server twice, at once, on two connections.
    pub duplicate: u64,
}

impl Rates {
    /// No faults.
    pub const NONE: Rates = Rates {
        drop_request: 0,
        drop_response: 0,
        delay: 0,
        duplicate: 0,
    };
}

/// What the proxy did to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded as is.
    None,
    /// Cut while forwarding the request.
    DropRequest,
    /// Cut while answering.
    DropResponse,
    /// Delayed by this many milliseconds.
    Delay(u64),
    /// Sent to the server twice.
    Duplicate,
}

/// Faults injected so far, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests received from clients.
    pub requests: u64,
    /// Forwarded without a fault.
    pub clean: u64,
    /// Dropped mid-request.
    pub dropped_requests: u64,
    /// Dropped mid-response.
    pub dropped_responses: u64,
    /// Delayed.
    pub delayed: u64,
    /// Sent twice.
    pub duplicated: u64,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests: {} dropped mid-request, {} dropped mid-response, {} delayed, {} duplicated, {} clean",
            self.requests,
            self.dropped_requests,
            self.dropped_responses,
            self.delayed,
            self.duplicated,
            self.clean
        )
    }
}

/// One answer the server gave through the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The request line, e.g. `POST /api/v1/kiosk/…/batches HTTP/1.1`.
    pub request: String,
    /// The answer's status line, e.g. `HTTP/1.1 200 OK` (empty when the server sent none).
    pub status_line: String,
    /// The status code (0 when the server sent none).
    pub status: u16,
    /// What the proxy did to the request.
    pub fault: Fault,
}

struct Shared {
    upstream: String,
    rng: Mutex<XorShift>,
    rates: Mutex<Rates>,
    counts: Mutex<Counts>,
    answers: Mutex<Vec<Answer>>,
    stop: AtomicBool,
}

/// A running proxy, stopped when dropped.
pub struct FaultyProxy {
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FaultyProxy {
    /// Starts a proxy to `upstream` (a base URL like `http://127.0.0.1:8080`), faults off.
    pub fn start(upstream: &str, seed: u64) -> FaultyProxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let shared = Arc::new(Shared {
            upstream,
            rng: Mutex::new(XorShift::new(seed)),
            rates: Mutex::new(Rates::NONE),
            counts: Mutex::new(Counts::default()),
            answers: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let sh = shared.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sh.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let sh = sh.clone();
                std::thread::spawn(move || handle(conn, &sh));
            }
        });
        FaultyProxy {
            url,
            shared,
            accept: Some(accept),
        }
    }

    /// Sets the chance of each fault ([`Rates::NONE`] to forward faithfully).
    pub fn set_rates(&self, rates: Rates) {
        assert!(
            rates.drop_request + rates.drop_response + rates.delay + rates.duplicate <= 100,
            "fault rates add up to more than 100%"
        );
        *self.shared.rates.lock().unwrap() = rates;
    }

    /// Faults injected so far.
    pub fn counts(&self) -> Counts {
        *self.shared.counts.lock().unwrap()
    }

    /// Every answer the server gave so far (a duplicated request gives two).
    pub fn answers(&self) -> Vec<Answer> {
        self.shared.answers.lock().unwrap().clone()
    }

    /// The server's answers with a 5xx status.
    pub fn server_errors(&self) -> Vec<Answer> {
        self.answers()
            .into_iter()
            .filter(|a| a.status >= 500)
            .collect()
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Picks what to do to the next request.
fn pick(shared: &Shared) -> Fault {
    let rates = *shared.rates.lock().unwrap();
    let mut rng = shared.rng.lock().unwrap();
    let roll = rng.below(100);
    let mut edge = rates.drop_request;
    if roll < edge {
        return Fault::DropRequest;
    }
    edge += rates.drop_response;
    if roll < edge {
        return Fault::DropResponse;
    }
    edge += rates.delay;
    if roll < edge {
        return Fault::Delay(20 + rng.below(400));
    }
    edge += rates.duplicate;
    if roll < edge {
        return Fault::Duplicate;
    }
    Fault::None
}

fn cut_point(shared: &Shared, len: usize) -> usize {
    shared.rng.lock().unwrap().below(len.max(1) as u64) as usize
}

fn count(shared: &Shared, fault: Fault) {
    let mut c = shared.counts.lock().unwrap();
    c.requests += 1;
    match fault {
        Fault::None => c.clean += 1,
        Fault::DropRequest => c.dropped_requests += 1,
        Fault::DropResponse => c.dropped_responses += 1,
        Fault::Delay(_) => c.delayed += 1,
        Fault::Duplicate => c.duplicated += 1,
    }
}

fn handle(mut client: TcpStream, shared: &Shared) {
    let _ = client.set_read_timeout(Some(IO_TIMEOUT));
    let _ = client.set_write_timeout(Some(IO_TIMEOUT));
    let Some((request_line, request)) = read_request(&mut client) else {
        return;
    };
    let fault = pick(shared);
    count(shared, fault);
    let log = |answer: &[u8]| {
        let status_line = first_line(answer);
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        shared.answers.lock().unwrap().push(Answer {
            request: request_line.clone(),
            status_line,
            status,
            fault,
        });
    };
    match fault {
        Fault::DropRequest => {
            if let Ok(mut up) = connect(shared) {
                let cut = cut_point(shared, request.len());
                let _ = up.write_all(&request[..cut]);
                let _ = up.flush();
                let _ = up.shutdown(Shutdown::Both);
            }
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::DropResponse => {
            let answer = forward(shared, &request);
            log(&answer);
            let cut = cut_point(shared, answer.len());
            let _ = client.write_all(&answer[..cut]);
            let _ = client.flush();
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::Delay(ms) => {
            std::thread::sleep(Duration::from_millis(ms / 2));
            let answer = forward(shared, &request);
            log(&answer);
            std::thread::sleep(Duration::from_millis(ms - ms / 2));
            let _ = client.write_all(&answer);
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::Duplicate => {
            let (first, second) = std::thread::scope(|s| {
                let twin = s.spawn(|| forward(shared, &request));
                let first = forward(shared, &request);
                (first, twin.join().unwrap_or_default())
            });
            log(&first);
            log(&second);
            let _ = client.write_all(&first);
            let _ = client.shutdown(Shutdown::Both);
        }
        Fault::None => {
            let answer = forward(shared, &request);
            log(&answer);
            let _ = client.write_all(&answer);
            let _ = client.shutdown(Shutdown::Both);
        }
    }
}

fn connect(shared: &Shared) -> std::io::Result<TcpStream> {
    let up = TcpStream::connect(&shared.upstream)?;
    up.set_read_timeout(Some(IO_TIMEOUT))?;
    up.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(up)
}

/// Sends the request on a fresh connection and reads the answer to its end (empty when the
/// server cannot be reached or sends nothing).
fn forward(shared: &Shared, request: &[u8]) -> Vec<u8> {
    let mut answer = Vec::new();
    if let Ok(mut up) = connect(shared) {
        if up.write_all(request).is_ok() {
            let _ = up.read_to_end(&mut answer);
        }
    }
    answer
}

fn first_line(bytes: &[u8]) -> String {
    let end = bytes
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(bytes.len().min(200));
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Reads one request (head and `Content-Length` body) and rewrites it to close the upstream
/// connection after the answer; returns its request line and bytes.
fn read_request(client: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_string();
    let mut length = 0usize;
    let mut out = format!("{request_line}\r\n");
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") {
            continue;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    Some((request_line, bytes))
}

#[cfg(test)]
mod tests {
    use super::XorShift;

    #[test]
    fn xorshift_is_reproducible_and_bounded() {
        let mut a = XorShift::new(7);
        let mut b = XorShift::new(7);
        let xs: Vec<u64> = (0..100).map(|_| a.below(10)).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.below(10)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|&x| x < 10));
        assert!(xs.iter().any(|&x| x != xs[0]));
        assert_eq!(XorShift::new(0).below(0), 0);
    }
}

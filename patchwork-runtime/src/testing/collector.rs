//! A local PatchworkMCP collector (feature `test-util`): a real HTTP/1 server
//! on loopback that speaks the wire contract, records what it receives, and
//! can be scripted to fail. Use it to test your own server's feedback tool,
//! or as the local default the quickstart delivers to.
//!
//! - `POST /api/v1/feedback/` → `201 {"id": "...", "status": "received"}`
//! - `POST /api/v1/heartbeat/` → `200 {"status": "ok"}`
//! - a missing or wrong `Authorization: Bearer <key>` → `401`
//! - another path → `404`; another method → `405`
//!
//! The server runs on its own thread with its own tokio runtime, so it works
//! from sync tests, from any async runtime, and under tokio's paused clock
//! (its own timing stays real). It stops when dropped or on
//! [`Collector::shutdown`].
//!
//! ```
//! use patchwork_runtime::{payload_from_args, send_feedback, testing::Collector};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let collector = Collector::start()?;
//! let opts = collector.options("my-server");
//! let payload = payload_from_args(&serde_json::json!({"what_i_needed": "x", "what_i_tried": "y"}), Some(&opts));
//! let message = send_feedback(&payload, Some(&opts)).await;
//! assert!(message.starts_with("Thank you"));
//! assert_eq!(collector.feedback()[0].what_i_needed, "x");
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

use crate::config::Options;
use crate::contract::texts::{FEEDBACK_PATH, HEARTBEAT_PATH};
use crate::feedback::FeedbackPayload;
use crate::patchwork::Builder;

/// Largest request body the collector reads (larger bodies get `413`).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// One request the collector received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The request path, e.g. `/api/v1/feedback/`.
    pub path: String,
    /// Every header, names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, or a JSON string holding the raw text when
    /// it is not JSON.
    pub body: Value,
    /// The status the collector answers (after any delay); `None` for a
    /// request it never answers.
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as a feedback payload, if it is one.
    pub fn feedback(&self) -> Option<FeedbackPayload> {
        serde_json::from_value(self.body.clone()).ok()
    }
}

/// A scripted answer to the next request, before the normal routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scripted {
    Status(u16),
    RateLimited(u64),
    NeverAnswer,
}

#[derive(Debug, Default)]
struct Script {
    /// Runs of scripted answers: (answer, how many more requests get it).
    next: VecDeque<(Scripted, usize)>,
    delay: Duration,
}

impl Script {
    fn take_next(&mut self) -> Option<Scripted> {
        let (answer, remaining) = self.next.front_mut()?;
        let answer = *answer;
        *remaining -= 1;
        if *remaining == 0 {
            self.next.pop_front();
        }
        Some(answer)
    }
}

#[derive(Debug)]
struct State {
    api_key: Option<String>,
    script: Mutex<Script>,
    requests: Mutex<Vec<RecordedRequest>>,
    received: watch::Sender<usize>,
    accepted: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Settings for a [`Collector`] before it starts.
#[derive(Debug, Clone)]
pub struct CollectorBuilder {
    addr: SocketAddr,
    api_key: Option<String>,
}

impl Default for CollectorBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_key: Some(Collector::DEFAULT_API_KEY.to_string()),
        }
    }
}

impl CollectorBuilder {
    /// The address to bind (default `127.0.0.1:0`, a free loopback port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The bearer key requests must carry (default [`Collector::DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Accept requests whatever their `Authorization` header.
    pub fn any_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// Binds and starts serving on a background thread.
    pub fn start(self) -> std::io::Result<Collector> {
        let listener = StdTcpListener::bind(self.addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (received, _) = watch::channel(0);
        let state = Arc::new(State {
            api_key: self.api_key,
            script: Mutex::new(Script::default()),
            requests: Mutex::new(Vec::new()),
            received,
            accepted: AtomicUsize::new(0),
        });
        let (stop, stopped) = oneshot::channel();
        let served = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("patchwork-collector-{}", addr.port()))
            .spawn(move || runtime.block_on(serve(listener, served, stopped)))?;
        Ok(Collector {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running local collector. See the [module docs](self).
pub struct Collector {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collector")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// [`Collector::wait_for_requests`] gave up; holds what had arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitTimeout {
    /// How many requests were wanted.
    pub wanted: usize,
    /// The requests received before the time ran out.
    pub received: Vec<RecordedRequest>,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the collector received {} of {} requests in time",
            self.received.len(),
            self.wanted
        )
    }
}

impl std::error::Error for WaitTimeout {}

impl Collector {
    /// The key a collector from [`Collector::start`] expects.
    pub const DEFAULT_API_KEY: &'static str = "patchwork-test-key";

    /// Starts a collector on `127.0.0.1:0` expecting [`Collector::DEFAULT_API_KEY`].
    pub fn start() -> std::io::Result<Self> {
        Self::builder().start()
    }

    /// A builder for other addresses or keys.
    pub fn builder() -> CollectorBuilder {
        CollectorBuilder::default()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to configure as `PATCHWORKMCP_URL`, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// [`Options`] pointing at this collector, with its key and `server_slug`.
    pub fn options(&self, server_slug: &str) -> Options {
        Options {
            patchwork_url: Some(self.url()),
            api_key: self.state.api_key.clone(),
            server_slug: Some(server_slug.to_string()),
        }
    }

    /// A [`Builder`] pointing at this collector, with its key and `server_slug`: `.install()` it to make
    /// generated feedback tools deliver here, or `.build()` an independent client.
    pub fn patchwork(&self, server_slug: &str) -> Builder {
        let builder = Builder::default().url(self.url()).slug(server_slug);
        match &self.state.api_key {
            Some(key) => builder.api_key(key.clone()),
            None => builder.api_key(Collector::DEFAULT_API_KEY),
        }
    }

    /// Answers the next `count` requests with `status` (any path, before the
    /// key check), e.g. `fail_next(2, 503)`.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.push(count, Scripted::Status(status));
    }

    /// Answers the next `count` requests with `429` and `Retry-After: <secs>`.
    pub fn rate_limit_next(&self, count: usize, retry_after_secs: u64) {
        self.push(count, Scripted::RateLimited(retry_after_secs));
    }

    /// Reads and records the next `count` requests but never answers them
    /// (the connection stays open until the client gives up or shutdown).
    pub fn never_answer_next(&self, count: usize) {
        self.push(count, Scripted::NeverAnswer);
    }

    /// Waits `delay` before every answer from now on (`Duration::ZERO` to stop).
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state.script).delay = delay;
    }

    fn push(&self, count: usize, answer: Scripted) {
        if count > 0 {
            lock(&self.state.script).next.push_back((answer, count));
        }
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The feedback payloads that were accepted (answered 201), in order.
    pub fn feedback(&self) -> Vec<FeedbackPayload> {
        self.requests()
            .iter()
            .filter(|r| r.path == FEEDBACK_PATH && r.status == Some(201))
            .filter_map(RecordedRequest::feedback)
            .collect()
    }

    /// Waits until at least `count` requests have arrived (no polling), or
    /// `timeout` passes. Under tokio's paused clock the timeout advances
    /// virtually: wait only for requests already on their way.
    pub async fn wait_for_requests(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, WaitTimeout> {
        let mut received = self.state.received.subscribe();
        let reached = tokio::time::timeout(timeout, received.wait_for(|n| *n >= count)).await;
        match reached {
            Ok(Ok(_)) => Ok(self.requests()),
            _ => Err(WaitTimeout {
                wanted: count,
                received: self.requests(),
            }),
        }
    }

    /// Stops the server and waits for its thread; open connections are closed.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

async fn serve(listener: StdTcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "collector could not start");
            return;
        }
    };
    // Dropping the set at shutdown aborts every connection, answered or not.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = service_fn(move |request| answer(Arc::clone(&state), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

type Reply = Response<Full<Bytes>>;

async fn answer(state: Arc<State>, request: Request<Incoming>) -> Result<Reply, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
        .map(|collected| collected.to_bytes());
    let (scripted, delay) = {
        let mut script = lock(&state.script);
        (script.take_next(), script.delay)
    };
    let reply = match (&body, scripted) {
        (_, Some(Scripted::NeverAnswer)) => None,
        (_, Some(Scripted::Status(status))) => {
            Some(json_reply(status, json!({"error": "scripted failure"})))
        }
        (_, Some(Scripted::RateLimited(secs))) => {
            let mut reply = json_reply(429, json!({"error": "rate limited"}));
            if let Ok(value) = secs.to_string().parse() {
                reply.headers_mut().insert(RETRY_AFTER, value);
            }
            Some(reply)
        }
        (Err(_), None) => Some(json_reply(413, json!({"error": "body too large"}))),
        (Ok(_), None) => Some(route(&state, &method, &path, authorization.as_deref())),
    };
    let body = match body {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        Err(_) => Value::Null,
    };
    lock(&state.requests).push(RecordedRequest {
        method: method.to_string(),
        path: path.clone(),
        headers,
        body,
        status: reply.as_ref().map(|r| r.status().as_u16()),
    });
    state.received.send_modify(|n| *n += 1);
    tracing::info!(target: "patchwork_runtime::collector", %method, %path, status = ?reply.as_ref().map(|r| r.status().as_u16()), "collector request");
    let Some(reply) = reply else {
        // Scripted silence: hold the connection until the client or shutdown ends it.
        return std::future::pending().await;
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(reply)
}

fn route(state: &State, method: &Method, path: &str, authorization: Option<&str>) -> Reply {
    if path != FEEDBACK_PATH && path != HEARTBEAT_PATH {
        return json_reply(404, json!({"error": "not found"}));
    }
    if method != Method::POST {
        return json_reply(405, json!({"error": "method not allowed"}));
    }
    if let Some(key) = &state.api_key {
        let expected = format!("Bearer {key}");
        if authorization != Some(expected.as_str()) {
            return json_reply(401, json!({"error": "invalid API key"}));
        }
    }
    if path == HEARTBEAT_PATH {
        return json_reply(200, json!({"status": "ok"}));
    }
    let id = state.accepted.fetch_add(1, Ordering::Relaxed) + 1;
    json_reply(201, json!({"id": format!("fb_{id}"), "status": "received"}))
}

fn json_reply(status: u16, body: Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    reply.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    reply
}

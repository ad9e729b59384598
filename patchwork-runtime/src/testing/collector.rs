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

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{oneshot, watch};

use super::server::{Script, Scripted, State, lock, serve};
use crate::config::Options;
use crate::contract::texts::FEEDBACK_PATH;
use crate::feedback::FeedbackPayload;
use crate::patchwork::Builder;

/// One request the collector received.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use patchwork_runtime::testing::Collector;
/// let collector = Collector::start()?;
/// let patchwork = collector.patchwork("weather").no_outbox().build();
/// # let payload = patchwork_runtime::FeedbackPayload {
/// #     what_i_needed: "hourly forecasts".into(),
/// #     what_i_tried: "forecast".into(),
/// #     ..Default::default()
/// # };
/// # patchwork.deliver(&payload).await;
/// let request = &collector.requests()[0];
/// assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/api/v1/feedback/"));
/// assert_eq!(request.status, Some(201));
/// assert_eq!(request.body["server_slug"], "weather");
/// # Ok(()) }
/// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// # let collector = patchwork_runtime::testing::Collector::start()?;
    /// # let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// # patchwork.deliver(&payload).await;
    /// let request = &collector.requests()[0];
    /// assert!(request.header("Idempotency-Key").is_some()); // case-insensitive
    /// assert_eq!(request.header("patchwork-origin"), None); // an agent's report, not a gap signal
    /// # Ok(()) }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as a feedback payload, if it is one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// # let collector = patchwork_runtime::testing::Collector::start()?;
    /// # let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// # patchwork.deliver(&payload).await;
    /// let sent = collector.requests()[0].feedback().expect("a feedback body");
    /// assert_eq!(sent.what_i_needed, "hourly forecasts");
    /// # Ok(()) }
    /// ```
    pub fn feedback(&self) -> Option<FeedbackPayload> {
        serde_json::from_value(self.body.clone()).ok()
    }
}

/// Settings for a [`Collector`] before it starts.
///
/// ```
/// use patchwork_runtime::testing::Collector;
/// let collector = Collector::builder().api_key("team-key").tls().start()?;
/// assert!(collector.url().starts_with("https://127.0.0.1:"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CollectorBuilder {
    addr: SocketAddr,
    api_key: Option<String>,
    tls: bool,
}

impl Default for CollectorBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_key: Some(Collector::DEFAULT_API_KEY.to_string()),
            tls: false,
        }
    }
}

impl CollectorBuilder {
    /// The address to bind (default `127.0.0.1:0`, a free loopback port).
    ///
    /// ```
    /// use patchwork_runtime::testing::Collector;
    /// let collector = Collector::builder().bind(([127, 0, 0, 1], 0).into()).start()?;
    /// assert!(collector.addr().ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The bearer key requests must carry (default [`Collector::DEFAULT_API_KEY`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::testing::Collector;
    /// let collector = Collector::builder().api_key("team-key").start()?;
    /// let patchwork = collector.patchwork("weather").api_key("another key").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(!patchwork.deliver(&payload).await.is_delivered());
    /// assert_eq!(collector.requests()[0].status, Some(401));
    /// # Ok(()) }
    /// ```
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Serve HTTPS with a certificate made at start for `localhost`, `127.0.0.1` and `::1`, signed by an authority
    /// of its own ([`Collector::root_certificate`]).
    ///
    /// ```
    /// use patchwork_runtime::testing::Collector;
    /// let collector = Collector::builder().tls().start()?;
    /// let authority = collector.root_certificate().expect("TLS mode"); // for `Builder::add_root_certificate`
    /// # let _ = authority;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Accept requests whatever their `Authorization` header.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::testing::Collector;
    /// let collector = Collector::builder().any_api_key().start()?;
    /// let patchwork = collector.patchwork("weather").api_key("whatever").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(patchwork.deliver(&payload).await.is_delivered());
    /// # Ok(()) }
    /// ```
    pub fn any_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// Binds and starts serving on a background thread.
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::builder().start()?; // serves on a thread of its own
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start(self) -> std::io::Result<Collector> {
        let listener = StdTcpListener::bind(self.addr)?;
        self.start_with(listener)
    }

    /// Starts serving on `socket`, a bound socket that does not listen (what [`refusing_url`](super::refusing_url)
    /// gives): it begins to listen, so its address goes from refusing connections to serving them without ever being
    /// released (another process could take a released port).
    ///
    /// ```
    /// use patchwork_runtime::testing::{Collector, refusing_url};
    /// let (socket, url) = refusing_url().expect("a refusing address");
    /// // ... feedback sent to `url` now fails to connect and waits in the outbox ...
    /// let collector = Collector::builder().start_on(socket).expect("the service comes up there");
    /// assert_eq!(collector.url(), url);
    /// ```
    pub fn start_on(self, socket: tokio::net::TcpSocket) -> std::io::Result<Collector> {
        // `listen` registers with a runtime's reactor (the caller's, else one made for the moment); the std listener
        // leaves it again at once.
        let listener = match tokio::runtime::Handle::try_current() {
            Ok(_) => socket.listen(1024)?.into_std()?,
            Err(_) => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let _entered = runtime.enter();
                socket.listen(1024)?.into_std()?
            }
        };
        self.start_with(listener)
    }

    fn start_with(self, listener: StdTcpListener) -> std::io::Result<Collector> {
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (received, _) = watch::channel(0);
        let settings = self.clone();
        let state = Arc::new(State {
            api_key: self.api_key,
            script: Mutex::new(Script::default()),
            requests: Mutex::new(Vec::new()),
            received,
            accepted: AtomicUsize::new(0),
        });
        let tls = if self.tls {
            Some(super::tls::Tls::new()?)
        } else {
            None
        };
        let root_certificate = tls.as_ref().map(|tls| tls.root_der.clone());
        let acceptor = tls.map(|tls| tls.acceptor);
        let (stop, stopped) = oneshot::channel();
        let served = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("patchwork-collector-{}", addr.port()))
            .spawn(move || runtime.block_on(serve(listener, served, acceptor, stopped)))?;
        Ok(Collector {
            addr,
            root_certificate,
            state,
            stop: Some(stop),
            thread: Some(thread),
            settings,
        })
    }
}

/// A running local collector. See the [test kit](crate::testing).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use std::time::Duration;
/// use patchwork_runtime::testing::Collector;
/// let collector = Collector::start()?;
/// collector.fail_next(1, 503); // the first attempt fails, the retry is accepted
/// let patchwork = collector.patchwork("weather").no_outbox().build();
/// # let payload = patchwork_runtime::FeedbackPayload {
/// #     what_i_needed: "hourly forecasts".into(),
/// #     what_i_tried: "forecast".into(),
/// #     ..Default::default()
/// # };
/// assert!(patchwork.deliver(&payload).await.is_delivered());
/// let statuses: Vec<_> = collector.requests().iter().map(|r| r.status).collect();
/// assert_eq!(statuses, [Some(503), Some(201)]);
/// # Ok(()) }
/// ```
pub struct Collector {
    addr: SocketAddr,
    /// In TLS mode, the certificate authority's certificate (DER) that clients must trust.
    root_certificate: Option<Vec<u8>>,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    /// Ends with the listener, for a restart on the same port.
    thread: Option<JoinHandle<Option<StdTcpListener>>>,
    /// What it was started with, for a restart.
    settings: CollectorBuilder,
}

impl fmt::Debug for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collector")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// [`Collector::wait_for_requests`] gave up; holds what had arrived.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use std::time::Duration;
/// let collector = patchwork_runtime::testing::Collector::start()?;
/// let err = collector.wait_for_requests(1, Duration::from_millis(50)).await.unwrap_err();
/// assert_eq!((err.wanted, err.received.len()), (1, 0));
/// assert_eq!(err.to_string(), "the collector received 0 of 1 requests in time");
/// # Ok(()) }
/// ```
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
    ///
    /// ```
    /// use patchwork_runtime::testing::Collector;
    /// let collector = Collector::start()?;
    /// let builder = patchwork_runtime::Patchwork::builder().url(collector.url()).api_key(Collector::DEFAULT_API_KEY);
    /// # let _ = builder;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub const DEFAULT_API_KEY: &'static str = "patchwork-test-key";

    /// Starts a collector on `127.0.0.1:0` expecting [`Collector::DEFAULT_API_KEY`].
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::start()?; // 127.0.0.1, a free port
    /// assert!(collector.url().starts_with("http://127.0.0.1:"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start() -> std::io::Result<Self> {
        Self::builder().start()
    }

    /// A builder for other addresses or keys.
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::builder().any_api_key().start()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> CollectorBuilder {
        CollectorBuilder::default()
    }

    /// The bound address.
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// assert_ne!(collector.addr().port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to configure as `PATCHWORKMCP_URL`, e.g. `http://127.0.0.1:41234`.
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// // e.g. for a server started as a child process
    /// let env = [("PATCHWORKMCP_URL", collector.url())];
    /// # let _ = env;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn url(&self) -> String {
        let scheme = if self.root_certificate.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// In TLS mode ([`CollectorBuilder::tls`]), the certificate (DER) of the authority that signed the collector's
    /// certificate: give it to [`Builder::add_root_certificate`](crate::Builder::add_root_certificate).
    ///
    /// ```
    /// use patchwork_runtime::testing::Collector;
    /// assert!(Collector::start()?.root_certificate().is_none()); // plain HTTP
    /// assert!(Collector::builder().tls().start()?.root_certificate().is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn root_certificate(&self) -> Option<&[u8]> {
        self.root_certificate.as_deref()
    }

    /// [`Options`] pointing at this collector, with its key and `server_slug`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let options = collector.options("weather"); // for the reference API and `Replay`
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// let reply = patchwork_runtime::send_feedback(&payload, Some(&options)).await;
    /// assert_eq!(collector.feedback().len(), 1, "{reply}");
    /// # Ok(()) }
    /// ```
    pub fn options(&self, server_slug: &str) -> Options {
        Options {
            patchwork_url: Some(self.url()),
            api_key: self.state.api_key.clone(),
            server_slug: Some(server_slug.to_string()),
        }
    }

    /// A [`Builder`] pointing at this collector, with its key and `server_slug`: `.install()` it to make
    /// generated feedback tools deliver here, or `.build()` an independent client.
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// // generated feedback tools in this process now deliver to the collector
    /// let _guard = collector.patchwork("weather").no_outbox().install();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn patchwork(&self, server_slug: &str) -> Builder {
        let builder = Builder::default().url(self.url()).slug(server_slug);
        match &self.state.api_key {
            Some(key) => builder.api_key(key.clone()),
            None => builder.api_key(Collector::DEFAULT_API_KEY),
        }
    }

    /// Answers the next `count` requests with `status` (any path, before the
    /// key check), e.g. `fail_next(2, 503)`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// collector.fail_next(1, 400); // refused for good: not retried
    /// let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(!patchwork.deliver(&payload).await.is_delivered());
    /// assert_eq!(collector.requests().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn fail_next(&self, count: usize, status: u16) {
        self.push(count, Scripted::Status(status));
    }

    /// Answers the next `count` requests with `429` and `Retry-After: <secs>`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// collector.rate_limit_next(1, 0); // 429 with `Retry-After: 0`: the client waits as told, then retries
    /// let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(patchwork.deliver(&payload).await.is_delivered());
    /// assert_eq!(collector.requests()[0].status, Some(429));
    /// # Ok(()) }
    /// ```
    pub fn rate_limit_next(&self, count: usize, retry_after_secs: u64) {
        self.push(count, Scripted::RateLimited(retry_after_secs));
    }

    /// Reads and records the next `count` requests but never answers them
    /// (the connection stays open until the client gives up or shutdown).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::RetryPolicy;
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// collector.never_answer_next(1); // the first request times out; the retry is answered
    /// let retry = RetryPolicy::reference().with_request_timeout(std::time::Duration::from_millis(200));
    /// let patchwork = collector.patchwork("weather").await_retry(retry).no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(patchwork.deliver(&payload).await.is_delivered());
    /// # Ok(()) }
    /// ```
    pub fn never_answer_next(&self, count: usize) {
        self.push(count, Scripted::NeverAnswer);
    }

    /// Waits `delay` before every answer from now on (`Duration::ZERO` to stop).
    ///
    /// ```
    /// use std::time::Duration;
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// collector.set_delay(Duration::from_secs(3)); // a slow service, e.g. for `Builder::deliver_before_reply`
    /// collector.set_delay(Duration::ZERO); // back to answering at once
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_delay(&self, delay: Duration) {
        lock(&self.state.script).delay = delay;
    }

    fn push(&self, count: usize, answer: Scripted) {
        if count > 0 {
            lock(&self.state.script).next.push_back((answer, count));
        }
    }

    /// Every request received so far, in arrival order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// # let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// # patchwork.deliver(&payload).await;
    /// for request in collector.requests() {
    ///     println!("{} {} -> {:?}", request.method, request.path, request.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The feedback payloads that were accepted (answered 201), in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// # let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// # patchwork.deliver(&payload).await;
    /// let accepted = collector.feedback();
    /// assert_eq!((accepted[0].server_slug.as_str(), accepted[0].what_i_tried.as_str()), ("weather", "forecast"));
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// # let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// # let _ = patchwork.enqueue(&payload).await;
    /// // background delivery: wait for it instead of sleeping
    /// let requests = collector.wait_for_requests(1, Duration::from_secs(10)).await.expect("delivered in time");
    /// # let _ = requests;
    /// # Ok(()) }
    /// ```
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

    /// Waits until at least `count` requests to the feedback endpoint have arrived (heartbeats are not counted),
    /// or `timeout` passes; returns those requests, in arrival order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// patchwork.enqueue(&payload).await; // returns at once; the worker delivers
    /// let sent = collector.wait_for_feedback(1, Duration::from_secs(10)).await.expect("delivered in time");
    /// assert_eq!(sent[0].body["what_i_needed"], "hourly forecasts");
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_feedback(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, WaitTimeout> {
        let feedback_requests = || -> Vec<RecordedRequest> {
            self.requests()
                .into_iter()
                .filter(|r| r.path == FEEDBACK_PATH)
                .collect()
        };
        let mut received = self.state.received.subscribe();
        let reached = tokio::time::timeout(
            timeout,
            received.wait_for(|_| feedback_requests().len() >= count),
        )
        .await;
        match reached {
            Ok(Ok(_)) => Ok(feedback_requests()),
            _ => Err(WaitTimeout {
                wanted: count,
                received: self.requests(),
            }),
        }
    }

    /// Stops the server and waits for its thread; open connections are closed.
    ///
    /// ```
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let url = collector.url();
    /// collector.shutdown(); // `url` refuses connections from now on
    /// # let _ = url;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(mut self) {
        let _ = self.stop_and_join();
    }

    /// Stops this collector (its open connections are closed, what it recorded is dropped) and starts a fresh one
    /// with the same settings on the same listening socket, never released meanwhile: connections made in between
    /// wait in its backlog and are served by the new one. A TLS collector gets a new certificate authority.
    ///
    /// ```
    /// use patchwork_runtime::testing::Collector;
    /// let first = Collector::start().expect("a collector");
    /// let addr = first.addr();
    /// let second = first.restart().expect("the same port, never released");
    /// assert_eq!(second.addr(), addr);
    /// ```
    pub fn restart(mut self) -> std::io::Result<Collector> {
        let settings = self.settings.clone();
        match self.stop_and_join() {
            Some(listener) => settings.start_with(listener),
            None => Err(std::io::Error::other("the collector's listener was lost")),
        }
    }

    fn stop_and_join(&mut self) -> Option<StdTcpListener> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.thread.take()?.join().ok().flatten()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

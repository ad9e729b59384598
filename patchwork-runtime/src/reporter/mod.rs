//! Background delivery: a feedback call returns as soon as the feedback is safely recorded, and a worker
//! delivers it.
//!
//! Modelled on Sentry's transport and the OpenTelemetry OTLP exporter:
//! - [`Reporter::submit`] stores the feedback in the durable [outbox](crate::outbox) (or, when that cannot be
//!   written, writes the unsent line to stderr first) and hands it to the worker; it never waits for the
//!   network;
//! - the worker runs on its **own thread with its own tokio runtime**, whatever the caller runs in (a caller's
//!   runtime may be short-lived, and tasks spawned on it would die with it);
//! - at most `queue_capacity` items are in the worker's hands at once (bounded memory); more stay in the outbox
//!   and are drained when there is room. At most `max_concurrent` requests are in flight;
//! - each item is delivered through the one retry loop with the configured [`RetryPolicy`]; a `Retry-After`
//!   pauses every send, as a rate limit should; an item past its deadline stays in the outbox for a later drain
//!   (or the replay command);
//! - every attempt and replay of one feedback carries the same `Idempotency-Key`;
//! - the outbox is drained at start, when a new service URL is first seen, and every `drain_interval`;
//! - [`Reporter::flush`] waits, up to a deadline, for in-flight deliveries.
//!
//! Identical feedback (same body, session id included) within `flood_window` is recorded and sent once;
//! each attempt sends the count so far in the `Patchwork-Repeat-Count` header.

mod flood;
mod hands;
mod health;
mod outage;
mod pacing;
mod routes;
mod state;
mod submit;
mod worker;

pub(crate) use submit::Submission;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::config::OutboxSetting;
use crate::delivery::{Client, Destination, RetryPolicy};
use crate::outbox::{Outbox, OutboxLimits};
use state::{Shared, Storage};

/// Settings of a [`Reporter`].
#[derive(Debug, Clone)]
pub(crate) struct ReporterConfig {
    /// Where the outbox lives (or `Off`).
    pub(crate) outbox: OutboxSetting,
    /// The outbox's size cap.
    pub(crate) outbox_limits: OutboxLimits,
    /// Most feedback items in the worker's hands at once (the rest wait in the outbox).
    pub(crate) queue_capacity: usize,
    /// Most requests in flight at once.
    pub(crate) max_concurrent: usize,
    /// How each item is attempted; its max backoff is also how long an item given up on rests.
    pub(crate) retry: RetryPolicy,
    /// How often the outbox is drained of what other runs and processes left.
    pub(crate) drain_interval: Duration,
    /// Identical feedback within this window is sent once, with a count.
    pub(crate) flood_window: Duration,
    /// Most distinct feedback fingerprints remembered for flood suppression.
    pub(crate) flood_capacity: usize,
    /// Extra trusted root certificates (DER) for the HTTP client (`Builder::add_root_certificate`).
    pub(crate) roots: Vec<Vec<u8>>,
}

impl Default for ReporterConfig {
    fn default() -> Self {
        Self {
            outbox: OutboxSetting::Default,
            outbox_limits: OutboxLimits::default(),
            queue_capacity: 1024,
            max_concurrent: 4,
            retry: RetryPolicy::background(),
            drain_interval: Duration::from_secs(60),
            flood_window: Duration::from_secs(10 * 60),
            flood_capacity: 4096,
            roots: Vec::new(),
        }
    }
}

/// Counters of a background reporter since it started.
///
/// ```no_run
/// # async fn demo() {
/// let guard = patchwork_runtime::Patchwork::builder().slug("weather").install();
/// // ... later, e.g. in a health endpoint:
/// let stats = guard.patchwork().stats();
/// println!("delivered {}, refused {}, not stored {}", stats.delivered, stats.rejected, stats.not_stored);
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Items the service accepted.
    pub delivered: u64,
    /// Items the service refused for good (moved to the outbox's `rejected/`, unsent line written).
    pub rejected: u64,
    /// Items given up on at their deadline (left in the outbox, or logged when there is none).
    pub deferred: u64,
    /// Calls suppressed as repeats of recent identical feedback.
    pub repeats: u64,
    /// Feedback the outbox could not store (full or unwritable; logged to stderr instead).
    pub not_stored: u64,
}

/// What a flush saw when it returned.
///
/// ```no_run
/// # async fn demo() {
/// let report = patchwork_runtime::flush(std::time::Duration::from_secs(2)).await;
/// if let Some(report) = report.filter(|report| !report.settled()) {
///     eprintln!("{} deliveries still in flight; they stay in the outbox", report.in_flight);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct FlushReport {
    /// Items still in the worker's hands (durable ones stay in the outbox for a later run).
    pub in_flight: usize,
}

impl FlushReport {
    /// Whether every item settled (delivered, refused or given up) before the deadline.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let patchwork = collector.patchwork("weather").no_outbox().build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// # let _ = patchwork.enqueue(&payload).await;
    /// assert!(patchwork.flush(std::time::Duration::from_secs(5)).await.settled());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn settled(&self) -> bool {
        self.in_flight == 0
    }
}

struct Worker {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The background reporter. Cheap to clone (clones share one worker); the worker stops when the last clone
/// is dropped (undelivered items stay in the outbox).
#[derive(Clone)]
pub(crate) struct Reporter {
    shared: Arc<Shared>,
    _worker: Arc<Worker>,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("outbox", &self.shared.outbox().map(|o| o.dir()))
            .field("in_flight", &self.shared.hands.in_flight())
            .finish_non_exhaustive()
    }
}

impl Reporter {
    /// Opens the outbox and starts the worker thread. Never fails: without an outbox (off or unwritable)
    /// feedback is held in memory and logged as needed; without a worker (the thread or HTTP client could not
    /// start) it is stored in the outbox for a later run.
    pub(crate) fn start(config: ReporterConfig) -> Self {
        let wanted = config.outbox.resolve();
        let outbox =
            wanted
                .as_ref()
                .and_then(|dir| match Outbox::open(dir, config.outbox_limits) {
                    Ok(outbox) => Some(Arc::new(outbox)),
                    Err(error) => {
                        tracing::warn!(
                            dir = %dir.display(),
                            %error,
                            "feedback outbox not writable or not trusted; undelivered feedback goes to stderr only"
                        );
                        None
                    }
                });
        let storage = match (wanted, outbox) {
            (_, Some(outbox)) => Storage::Outbox(outbox),
            (Some(_), None) => Storage::Refused,
            (None, None) => Storage::Memory,
        };
        let client = Client::new(config.retry.connect_timeout(), &config.roots).ok();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("patchwork-reporter")
            .build()
            .inspect_err(|error| tracing::error!(%error, "feedback worker not started"))
            .ok();
        let handle = runtime.as_ref().map(|rt| rt.handle().clone());
        let shared = Arc::new(Shared::new(config, storage, client, handle));
        let (stop, stopped) = oneshot::channel();
        // The worker and its tasks (deliveries, the heartbeat) log where the code that started it logs: a scoped
        // subscriber of the caller (a test's capture) is kept for the worker's thread. With none yet, the thread
        // follows the global default, so a subscriber the application installs after building the client still
        // gets the worker's lines (pinning tracing's no-op dispatcher would drop them for good).
        let dispatch = tracing::dispatcher::get_default(|current| {
            (!current.is::<tracing::subscriber::NoSubscriber>()).then(|| current.clone())
        });
        let thread = runtime.and_then(|runtime| {
            let worker_shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("patchwork-reporter".to_string())
                .spawn(move || {
                    let work = || runtime.block_on(worker::run(worker_shared, stopped));
                    match &dispatch {
                        Some(dispatch) => tracing::dispatcher::with_default(dispatch, work),
                        None => work(),
                    }
                })
                .inspect_err(|error| tracing::error!(%error, "feedback worker not started"))
                .ok()
        });
        Self {
            shared,
            _worker: Arc::new(Worker {
                stop: Some(stop),
                thread,
            }),
        }
    }

    /// What a task outside the worker (the heartbeat) calls with each attempt, so its failures count towards the
    /// outage warning like the worker's. It holds the outage watch, not the reporter: a task holding the reporter
    /// would keep the worker alive, and dropping the last handle there would join the worker from its own thread.
    pub(crate) fn outage_observer(&self) -> impl Fn(&crate::delivery::Attempt) + Send + 'static {
        let outage = Arc::clone(&self.shared.health.outage);
        let runtime = self.shared.runtime.clone();
        move |attempt| outage.observe(attempt, runtime.as_ref())
    }

    /// Notes a delivery made outside the worker (await mode, which logs each at debug itself): the first of the
    /// run is logged at info.
    pub(crate) fn note_delivered(&self, attempts: u32) {
        self.shared.health.note_delivered(attempts, true);
    }

    /// Whether undelivered feedback waits in an outbox (else it is held in memory and logged).
    pub(crate) fn has_outbox(&self) -> bool {
        self.shared.outbox().is_some()
    }

    /// The worker's runtime and HTTP client, for other background tasks (the heartbeat).
    pub(crate) fn background(&self) -> Option<(tokio::runtime::Handle, Client)> {
        Some((self.shared.runtime.clone()?, self.shared.client.clone()?))
    }

    /// Lets this reporter deliver outbox items addressed to `destination`'s service URL with its key, and drains
    /// them now when the URL is new. Without a key, or with a refused URL, it does nothing.
    pub(crate) fn register(&self, destination: &Destination) {
        if let Ok(target) = &destination.target
            && self.shared.routes.register(target)
        {
            self.shared.hands.drain_now.notify_one();
        }
    }

    /// The outbox in use, if any.
    #[cfg(test)]
    pub(crate) fn outbox(&self) -> Option<&Outbox> {
        self.shared.outbox().map(|outbox| &**outbox)
    }

    /// Counters since start.
    pub(crate) fn stats(&self) -> Stats {
        self.shared.health.counters.stats()
    }

    /// Waits until every item in the worker's hands has settled, or `timeout` passes. Items not delivered by
    /// then stay in the outbox (memory-only ones are written to stderr as unsent lines).
    pub(crate) async fn flush(&self, timeout: Duration) -> FlushReport {
        let shared = &self.shared;
        if tokio::time::timeout(timeout, shared.hands.settled())
            .await
            .is_err()
        {
            shared.hands.log_unlogged();
        }
        FlushReport {
            in_flight: shared.hands.in_flight(),
        }
    }

    /// [`Reporter::flush`] for code outside an async context (blocks the thread).
    pub(crate) fn flush_blocking(&self, timeout: Duration) -> FlushReport {
        let in_flight = self.shared.hands.wait_settled_blocking(timeout);
        if in_flight > 0 {
            self.shared.hands.log_unlogged();
        }
        FlushReport { in_flight }
    }
}

#[cfg(all(test, feature = "test-util"))]
mod tests;

//! Background delivery: the tool call returns as soon as the feedback is safely recorded, and a
//! worker delivers it.
//!
//! Modelled on Sentry's transport and the OpenTelemetry OTLP exporter:
//! - [`Reporter::submit`] stores the feedback in the durable [outbox](crate::outbox) (or, when
//!   that cannot be written, writes the `PATCHWORKMCP_UNSENT_FEEDBACK` line to stderr first) and
//!   hands it to the worker; it never waits for the network;
//! - the worker runs on its **own thread with its own tokio runtime**, whatever the caller runs
//!   in: a caller's runtime may be a short-lived one (a test's, a `block_on`), and tasks spawned
//!   on it would die with it. So it works inside and outside tokio and never panics for the lack
//!   of a runtime;
//! - at most `queue_capacity` feedback items are in the worker's hands at once (bounded memory);
//!   more stay in the outbox and are drained when there is room. At most `max_concurrent`
//!   requests are in flight;
//! - each item is retried with exponential backoff and jitter; a `Retry-After` (seconds or HTTP
//!   date, capped) pauses every send, as a rate limit should; each item has a deadline, after
//!   which it is left in the outbox for a later drain (or the replay command);
//! - every attempt and replay of one feedback carries the same `Idempotency-Key`;
//! - the outbox is drained at start-up, when a new service URL is first seen, and periodically;
//! - [`Reporter::flush`] waits, up to a deadline, for in-flight deliveries (call it on exit);
//!   whatever is not delivered by then stays in the outbox.
//!
//! Identical feedback (same payload and session) within `flood_window` is recorded and sent
//! once; repeats are counted. Each attempt sends the count so far in the
//! `Patchwork-Repeat-Count` header, so repeats that arrive after the service accepted the
//! feedback (or after this process restarted) are only in [`ReporterStats::repeats`].

mod backoff;
mod flood;
mod worker;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use reqwest::Url;
use tokio::sync::{Notify, Semaphore, oneshot};

use crate::delivery::Deliverer;
use crate::options::{ApiKey, DeliveryConfig, FEEDBACK_PATH, ResolvedOptions, normalized_base_url};
use crate::outbox::{AppendError, IdempotencyKey, Outbox, OutboxItem, OutboxLimits, OutboxSetting};
use crate::payload::FeedbackPayload;
use crate::unsent::log_unsent;

use backoff::Backoff;
use flood::{FloodGuard, Verdict, fingerprint};

/// The request header carrying an item's [`IdempotencyKey`].
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The request header saying how many identical calls one delivered feedback stands for
/// (sent only when more than one).
pub const REPEAT_COUNT_HEADER: &str = "Patchwork-Repeat-Count";

/// Settings of a [`Reporter`]. `Default` reads nothing from the environment;
/// [`ReporterConfig::from_env`] takes the outbox location from `PATCHWORKMCP_OUTBOX`.
#[derive(Debug, Clone)]
pub struct ReporterConfig {
    /// Where the outbox lives (or `Off`).
    pub outbox: OutboxSetting,
    /// The outbox's size cap.
    pub outbox_limits: OutboxLimits,
    /// Most feedback items in the worker's hands at once (the rest wait in the outbox).
    pub queue_capacity: usize,
    /// Most requests in flight at once.
    pub max_concurrent: usize,
    /// Timeouts of one attempt; its initial backoff starts the retry schedule.
    pub delivery: DeliveryConfig,
    /// The backoff between attempts never grows past this; an item given up on at its
    /// deadline also rests this long before this process drains it again.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured (longer ones are cut to this).
    pub max_retry_after: Duration,
    /// How long one item is retried before it is left in the outbox for a later drain.
    pub item_deadline: Duration,
    /// How often the outbox is drained of what other runs and processes left.
    pub drain_interval: Duration,
    /// Identical feedback within this window is sent once, with a count.
    pub flood_window: Duration,
    /// Most distinct feedback fingerprints remembered for flood suppression.
    pub flood_capacity: usize,
}

impl Default for ReporterConfig {
    fn default() -> Self {
        Self {
            outbox: OutboxSetting::Default,
            outbox_limits: OutboxLimits::default(),
            queue_capacity: 1024,
            max_concurrent: 4,
            delivery: DeliveryConfig::default(),
            max_backoff: Duration::from_secs(300),
            max_retry_after: Duration::from_secs(600),
            item_deadline: Duration::from_secs(15 * 60),
            drain_interval: Duration::from_secs(60),
            flood_window: Duration::from_secs(10 * 60),
            flood_capacity: 4096,
        }
    }
}

impl ReporterConfig {
    /// The defaults, with the outbox location from `PATCHWORKMCP_OUTBOX`.
    pub fn from_env() -> Self {
        Self {
            outbox: OutboxSetting::from_env(),
            ..Self::default()
        }
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            initial: self.delivery.backoff(0),
            max: self.max_backoff,
            max_retry_after: self.max_retry_after,
        }
    }
}

/// What [`Reporter::submit`] did with one feedback. [`Submitted::message`] is the reply for the
/// agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Recorded and being delivered in the background. `durable`: it is in the outbox, so it
    /// survives a crash or exit and is delivered by this or a later run. Otherwise (outbox off
    /// or unwritable) it is held in memory, and in the stderr log when the outbox failed.
    Recorded {
        /// The key sent with every attempt.
        key: IdempotencyKey,
        /// Whether it is in the outbox.
        durable: bool,
    },
    /// The same feedback was recorded moments ago; this call only raised its count.
    Repeat {
        /// How many identical calls there have been in the window, this one included.
        count: u64,
    },
    /// Not recorded for delivery (no API key, a refused URL, no room): the unsent line was
    /// written to stderr.
    Kept {
        /// A short token such as `missing_api_key`.
        reason: String,
    },
}

impl Submitted {
    /// The short reply for the agent. It never asks the agent to retry.
    pub fn message(&self) -> String {
        match self {
            Self::Recorded { durable: true, .. } => "Thank you. Your feedback has been saved \
                 and is queued for delivery to this server's developers."
                .to_string(),
            Self::Recorded { durable: false, .. } => "Thank you. Your feedback has been \
                 received and is being delivered to this server's developers."
                .to_string(),
            Self::Repeat { count } => format!(
                "Thank you. This feedback was already recorded ({count} identical reports \
                 recently); no need to send it again."
            ),
            Self::Kept { reason } if reason == "missing_api_key" => {
                "Feedback was not sent because this server has no PatchworkMCP API key \
                 configured; it was kept in the server's log. No need to retry."
                    .to_string()
            }
            Self::Kept { reason } => format!(
                "Feedback could not be queued for delivery ({reason}); it was kept in the \
                 server's log for later delivery. No need to retry."
            ),
        }
    }
}

/// Counters since the reporter started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReporterStats {
    /// Items the service accepted.
    pub delivered: u64,
    /// Items the service refused for good (moved to `rejected/`, unsent line written).
    pub rejected: u64,
    /// Items given up on at their deadline (left in the outbox or logged).
    pub deferred: u64,
    /// Calls suppressed as repeats of recent identical feedback.
    pub repeats: u64,
    /// Feedback the outbox could not store (full or unwritable; logged to stderr instead).
    pub not_stored: u64,
}

#[derive(Debug, Default)]
struct Counters {
    delivered: AtomicU64,
    rejected: AtomicU64,
    deferred: AtomicU64,
    repeats: AtomicU64,
    not_stored: AtomicU64,
}

/// What [`Reporter::flush`] saw when it returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushReport {
    /// Items still in the worker's hands (durable ones stay in the outbox).
    pub in_flight: usize,
}

impl FlushReport {
    /// Whether every item settled (delivered, rejected or given up) before the deadline.
    pub fn settled(&self) -> bool {
        self.in_flight == 0
    }
}

/// Where to send items recorded for one base URL, and with which key.
#[derive(Clone)]
pub(crate) struct Route {
    endpoint: Url,
    api_key: ApiKey,
}

/// An item in the worker's hands. `unlogged` holds the payload of an item that exists only in
/// memory, so a flush deadline can still write its unsent line.
#[derive(Debug, Default)]
struct ActiveEntry {
    unlogged: Option<FeedbackPayload>,
}

/// State shared by submitters, the worker and its tasks.
pub(crate) struct Shared {
    config: ReporterConfig,
    backoff: Backoff,
    outbox: Option<Arc<Outbox>>,
    /// An outbox was configured but could not be opened: feedback is logged as it arrives.
    outbox_failed: bool,
    deliverer: Option<Arc<Deliverer>>,
    runtime: Option<tokio::runtime::Handle>,
    routes: Mutex<HashMap<String, Route>>,
    flood: Mutex<FloodGuard>,
    active: Mutex<HashMap<IdempotencyKey, ActiveEntry>>,
    settled: Condvar,
    settled_async: Notify,
    drain_now: Notify,
    overflowed: AtomicBool,
    paused_until: Mutex<Option<tokio::time::Instant>>,
    /// Items this process gave up on at their deadline, and when it may drain them again (so an
    /// outage does not keep them cycling; another process may still take them).
    resting: Mutex<HashMap<IdempotencyKey, tokio::time::Instant>>,
    permits: Semaphore,
    counters: Counters,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Registers where items for `base_url` go (keyed by the normalised base URL); true if it
    /// was not known (worth a drain).
    fn register_route(&self, base_url: &str, route: Route) -> bool {
        lock(&self.routes)
            .insert(normalized_base_url(base_url).to_string(), route)
            .is_none()
    }

    fn route_for(&self, base_url: &str) -> Option<Route> {
        lock(&self.routes)
            .get(normalized_base_url(base_url))
            .cloned()
    }

    /// Takes `key` into the worker's hands if there is room and nobody in this process has it.
    fn try_activate(&self, key: &IdempotencyKey, unlogged: Option<FeedbackPayload>) -> bool {
        if self.runtime.is_none() || self.deliverer.is_none() {
            return false;
        }
        let mut active = lock(&self.active);
        if active.len() >= self.config.queue_capacity.max(1) || active.contains_key(key) {
            return false;
        }
        active.insert(key.clone(), ActiveEntry { unlogged });
        true
    }

    fn deactivate(&self, key: &IdempotencyKey) {
        let remaining = {
            let mut active = lock(&self.active);
            active.remove(key);
            active.len()
        };
        if remaining <= self.config.queue_capacity / 2
            && self.overflowed.swap(false, Ordering::AcqRel)
        {
            self.drain_now.notify_one();
        }
        if remaining == 0 {
            self.settled.notify_all();
            self.settled_async.notify_waiters();
        }
    }

    /// Marks a memory-only item's unsent line as written; false if it already was.
    fn take_unlogged(&self, key: &IdempotencyKey) -> Option<FeedbackPayload> {
        lock(&self.active)
            .get_mut(key)
            .and_then(|entry| entry.unlogged.take())
    }

    fn in_flight(&self) -> usize {
        lock(&self.active).len()
    }

    /// At a flush deadline: writes the unsent line of every memory-only item still in flight.
    fn log_unlogged(&self) {
        let unlogged: Vec<FeedbackPayload> = lock(&self.active)
            .values_mut()
            .filter_map(|entry| entry.unlogged.take())
            .collect();
        for payload in unlogged {
            log_unsent("not_delivered_before_exit", &payload);
        }
    }
}

/// Removes an item from the worker's hands when the task holding it ends (or is dropped).
pub(crate) struct ActiveGuard {
    shared: Arc<Shared>,
    key: IdempotencyKey,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.shared.deactivate(&self.key);
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

/// The background reporter. Cheap to clone (clones share one worker); the worker stops when
/// the last clone is dropped (undelivered items stay in the outbox). Most servers use the
/// process-wide [`global`] one.
#[derive(Clone)]
pub struct Reporter {
    shared: Arc<Shared>,
    _worker: Arc<Worker>,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("outbox", &self.shared.outbox.as_ref().map(|o| o.dir()))
            .field("in_flight", &self.shared.in_flight())
            .finish_non_exhaustive()
    }
}

impl Reporter {
    /// Opens the outbox and starts the worker thread. Never fails: without an outbox (off or
    /// unwritable) feedback is held in memory and logged as needed; without a worker (the
    /// thread or HTTP client could not start) it is stored in the outbox for a later run.
    /// Items for the environment's service URL (`PATCHWORKMCP_URL`, with
    /// `PATCHWORKMCP_API_KEY`) that earlier runs left are drained at once.
    pub fn start(config: ReporterConfig) -> Self {
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
                            "feedback outbox not writable; undelivered feedback goes to stderr only"
                        );
                        None
                    }
                });
        let outbox_failed = wanted.is_some() && outbox.is_none();
        let deliverer = Deliverer::new(config.delivery.clone())
            .inspect_err(|error| tracing::error!(%error, "feedback delivery disabled"))
            .ok()
            .map(Arc::new);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("patchwork-reporter")
            .build()
            .inspect_err(|error| tracing::error!(%error, "feedback worker not started"))
            .ok();
        let shared = Arc::new(Shared {
            backoff: config.backoff(),
            flood: Mutex::new(FloodGuard::new(config.flood_window, config.flood_capacity)),
            permits: Semaphore::new(config.max_concurrent.max(1)),
            config,
            outbox,
            outbox_failed,
            deliverer,
            runtime: runtime.as_ref().map(|rt| rt.handle().clone()),
            routes: Mutex::new(HashMap::new()),
            active: Mutex::new(HashMap::new()),
            settled: Condvar::new(),
            settled_async: Notify::new(),
            drain_now: Notify::new(),
            overflowed: AtomicBool::new(false),
            paused_until: Mutex::new(None),
            resting: Mutex::new(HashMap::new()),
            counters: Counters::default(),
        });
        let env = ResolvedOptions::resolve(None);
        if let (Some(api_key), Ok(endpoint)) = (env.api_key.clone(), env.endpoint(FEEDBACK_PATH)) {
            shared.register_route(&env.base_url, Route { endpoint, api_key });
        }
        let (stop, stopped) = oneshot::channel();
        let thread = runtime.and_then(|runtime| {
            let worker_shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("patchwork-reporter".to_string())
                .spawn(move || runtime.block_on(worker::run(worker_shared, stopped)))
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

    /// The worker's runtime and HTTP deliverer, for other background tasks (the heartbeat).
    pub(crate) fn background(&self) -> Option<(tokio::runtime::Handle, Arc<Deliverer>)> {
        Some((
            self.shared.runtime.clone()?,
            Arc::clone(self.shared.deliverer.as_ref()?),
        ))
    }

    /// Lets this reporter deliver outbox items addressed to `resolved`'s service URL, with its
    /// key, and drains them now. Done automatically on every submit and, at start, for the
    /// environment's URL; call it at start-up when the URL or key come from elsewhere (an
    /// attribute, code) so items an earlier run left are sent before the first new feedback.
    /// Without a key, or with a refused URL, it does nothing.
    pub fn register(&self, resolved: &ResolvedOptions) {
        let (Some(api_key), Ok(endpoint)) =
            (resolved.api_key.clone(), resolved.endpoint(FEEDBACK_PATH))
        else {
            return;
        };
        self.shared
            .register_route(&resolved.base_url, Route { endpoint, api_key });
        self.shared.drain_now.notify_one();
    }

    /// The outbox in use, if any.
    pub fn outbox(&self) -> Option<&Outbox> {
        self.shared.outbox.as_deref()
    }

    /// Counters since start.
    pub fn stats(&self) -> ReporterStats {
        let c = &self.shared.counters;
        ReporterStats {
            delivered: c.delivered.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            deferred: c.deferred.load(Ordering::Relaxed),
            repeats: c.repeats.load(Ordering::Relaxed),
            not_stored: c.not_stored.load(Ordering::Relaxed),
        }
    }

    /// Items in the worker's hands right now.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight()
    }

    /// Records `payload` for background delivery to the service `resolved` names and returns
    /// without waiting for the network. The outbox write (and its fsync) runs on tokio's
    /// blocking pool when called inside a runtime. Never panics.
    pub async fn submit(&self, payload: &FeedbackPayload, resolved: &ResolvedOptions) -> Submitted {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.submit_blocking(payload, resolved);
        }
        let (this, owned, resolved_owned) = (self.clone(), payload.clone(), resolved.clone());
        match tokio::task::spawn_blocking(move || this.submit_blocking(&owned, &resolved_owned))
            .await
        {
            Ok(submitted) => submitted,
            Err(error) => {
                tracing::error!(%error, "recording feedback failed; logging it instead");
                let mut capped = payload.clone();
                capped.apply_caps();
                log_unsent("submit_failed", &capped);
                Submitted::Kept {
                    reason: "submit_failed".to_string(),
                }
            }
        }
    }

    /// [`Reporter::submit`] for code outside an async context (it blocks on the outbox write).
    pub fn submit_blocking(
        &self,
        payload: &FeedbackPayload,
        resolved: &ResolvedOptions,
    ) -> Submitted {
        let mut payload = payload.clone();
        payload.apply_caps();
        let kept = |reason: &str, payload: &FeedbackPayload| {
            log_unsent(reason, payload);
            Submitted::Kept {
                reason: reason.to_string(),
            }
        };
        let Some(api_key) = resolved.api_key.clone() else {
            tracing::warn!(
                "no PatchworkMCP API key configured (PATCHWORKMCP_API_KEY); not sending"
            );
            return kept("missing_api_key", &payload);
        };
        let endpoint = match resolved.endpoint(FEEDBACK_PATH) {
            Ok(endpoint) => endpoint,
            Err(error) => {
                tracing::error!(%error, "not sending feedback");
                return kept(error.reason(), &payload);
            }
        };
        let shared = &self.shared;
        if shared.register_route(&resolved.base_url, Route { endpoint, api_key }) {
            shared.drain_now.notify_one();
        }
        let line = payload.to_json_line();
        let print = fingerprint(&line);
        let now = tokio::time::Instant::now();
        let count = match lock(&shared.flood).check(print, now) {
            Verdict::Repeat { count } => {
                shared.counters.repeats.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    count,
                    "identical feedback repeated; counted, not sent again"
                );
                return Submitted::Repeat { count };
            }
            Verdict::New { count } => count,
        };
        let body = match serde_json::to_value(&payload) {
            Ok(body) => body,
            Err(_) => return kept("serialize_failed", &payload),
        };
        let mut item = OutboxItem::new(normalized_base_url(&resolved.base_url), body);

        let stored = match &shared.outbox {
            Some(outbox) => outbox.append(&item).map(|()| true),
            None if shared.outbox_failed => Err(AppendError::Io(std::io::Error::other(
                "the outbox directory could not be opened",
            ))),
            None => Ok(false),
        };
        let (durable, logged) = match stored {
            Ok(durable) => (durable, false),
            Err(error) => {
                shared.counters.not_stored.fetch_add(1, Ordering::Relaxed);
                let reason = match &error {
                    AppendError::Full { .. } => "outbox_full",
                    AppendError::Io(_) => "outbox_unavailable",
                };
                tracing::warn!(
                    %error,
                    what_i_needed = %payload.what_i_needed,
                    "feedback not stored in the outbox; written to stderr as an unsent line"
                );
                log_unsent(reason, &payload);
                (false, true)
            }
        };
        if !durable {
            // A memory-only item's key comes from its content, so replaying its logged line
            // later sends the same key and the service can tell it is a repeat.
            item.key = IdempotencyKey::from_content(line.as_bytes());
        }
        let unlogged = (!durable && !logged).then(|| payload.clone());
        if shared.try_activate(&item.key, unlogged) {
            let guard = ActiveGuard {
                shared: Arc::clone(shared),
                key: item.key.clone(),
            };
            let job = worker::Job {
                item: item.clone(),
                durable,
                count: Some(count),
            };
            if let Some(runtime) = &shared.runtime {
                runtime.spawn(worker::deliver(Arc::clone(shared), job, guard));
            }
            return Submitted::Recorded {
                key: item.key,
                durable,
            };
        }
        if durable {
            // No room in the worker's hands: it waits in the outbox for the next drain.
            shared.overflowed.store(true, Ordering::Release);
            return Submitted::Recorded {
                key: item.key,
                durable,
            };
        }
        lock(&shared.flood).forget(print);
        if logged {
            Submitted::Kept {
                reason: "outbox_unavailable".to_string(),
            }
        } else if shared.runtime.is_none() || shared.deliverer.is_none() {
            kept("worker_unavailable", &payload)
        } else {
            kept("queue_full", &payload)
        }
    }

    /// Waits until every item in the worker's hands has settled, or `timeout` passes. Call it
    /// before exit: items not delivered by then stay in the outbox (memory-only ones are
    /// written to stderr as unsent lines).
    pub async fn flush(&self, timeout: Duration) -> FlushReport {
        let shared = &self.shared;
        let waited = tokio::time::timeout(timeout, async {
            loop {
                let settled = shared.settled_async.notified();
                tokio::pin!(settled);
                settled.as_mut().enable();
                if shared.in_flight() == 0 {
                    return;
                }
                settled.await;
            }
        })
        .await;
        if waited.is_err() {
            shared.log_unlogged();
        }
        FlushReport {
            in_flight: shared.in_flight(),
        }
    }

    /// [`Reporter::flush`] for code outside an async context (blocks the thread).
    pub fn flush_blocking(&self, timeout: Duration) -> FlushReport {
        let shared = &self.shared;
        let start = std::time::Instant::now();
        let mut active = lock(&shared.active);
        while !active.is_empty() {
            // Measured from the start, not as an `Instant` deadline: `start + Duration::MAX` panics.
            let left = timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            active = shared
                .settled
                .wait_timeout(active, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let in_flight = active.len();
        drop(active);
        if in_flight > 0 {
            shared.log_unlogged();
        }
        FlushReport { in_flight }
    }
}

static GLOBAL: OnceLock<Reporter> = OnceLock::new();

/// The process-wide reporter, started on first use with [`ReporterConfig::from_env`].
/// Generated feedback tools submit through it.
pub fn global() -> &'static Reporter {
    GLOBAL.get_or_init(|| Reporter::start(ReporterConfig::from_env()))
}

/// Starts the process-wide reporter with `config`. Call it before the first feedback call;
/// if the global reporter already runs, it is returned unchanged as the error.
pub fn init_global(config: ReporterConfig) -> Result<&'static Reporter, &'static Reporter> {
    let mut fresh = false;
    let reporter = GLOBAL.get_or_init(|| {
        fresh = true;
        Reporter::start(config)
    });
    if fresh { Ok(reporter) } else { Err(reporter) }
}

/// Flushes the process-wide reporter, if it was started (see [`Reporter::flush`]). Call it on
/// exit, e.g. `patchwork_runtime::reporter::flush(Duration::from_secs(2)).await`.
pub async fn flush(timeout: Duration) -> Option<FlushReport> {
    match GLOBAL.get() {
        Some(reporter) => Some(reporter.flush(timeout).await),
        None => None,
    }
}

#[cfg(all(test, feature = "test-util"))]
mod tests;

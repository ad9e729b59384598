//! [`Patchwork`]: a configured client of the service, and [`Builder`], the one run-time configuration entry.
//!
//! Its settings win over the attribute's keys, which win over the environment. [`Builder::install`] makes it
//! the process-wide client that generated feedback tools use and returns a [`Guard`] that flushes on drop;
//! [`Builder::build`] makes an independent one (tests, several services in one process).

mod builder;
mod ceiling;
mod destinations;
mod heartbeat;
mod self_check;
mod signals;

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use builder::Builder;
pub use heartbeat::{HeartbeatHandle, start_heartbeat};
pub(crate) use self_check::check_once;

use crate::config::wording::WordingChoice;
use crate::config::{Layer, Mode, process_env, resolve};
use crate::delivery::{Client, Destination, Outcome, Reason, RetryPolicy, deliver_now};
use crate::feedback::redact::{Filled, Redaction};
use crate::feedback::{FeedbackPayload, Prepared};
use crate::reporter::{FlushReport, Reporter, Stats, Submission};

/// A configured client of PatchworkMCP: validated payloads go to the service, awaited or through the
/// background worker and its durable outbox. Cheap to clone.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use patchwork_runtime::Patchwork;
/// # let collector = patchwork_runtime::testing::Collector::start()?;
/// let patchwork = Patchwork::builder()
///     .url(collector.url()) // https://patchworkmcp.com by default
///     .api_key(patchwork_runtime::testing::Collector::DEFAULT_API_KEY)
///     .slug("weather")
///     .no_outbox()
///     .build(); // an independent client, for code that sends feedback itself
/// let payload = patchwork_runtime::FeedbackPayload {
///     what_i_needed: "hourly forecasts".into(),
///     what_i_tried: "forecast".into(),
///     ..Default::default()
/// };
/// assert!(patchwork.deliver(&payload).await.is_delivered());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Patchwork {
    inner: Arc<Inner>,
}

struct Inner {
    layer: Layer,
    /// The settings of the `#[patchwork_feedback]` block the builder came from, under `layer`.
    attribute: Layer,
    heartbeat: Mutex<Option<HeartbeatHandle>>,
    /// `Builder::redaction`: wins over the attribute's function and the standard rules.
    redaction: Option<Redaction>,
    ceilings: ceiling::Ceilings,
    wording: WordingChoice,
    /// Extra trusted root certificates (DER) for the awaiting client.
    roots: Vec<Vec<u8>>,
    reporter: Reporter,
    client: OnceLock<Result<Client, Reason>>,
    await_retry: RetryPolicy,
    flush_timeout: Duration,
    /// `Builder::deliver_before_reply`: how long background delivery may hold the reply.
    before_reply: Option<Duration>,
    mode: Mode,
    /// Gap signals: settings and the open window.
    signals: signals::Signals,
    /// The settings and feedback target for each attribute layer, resolved once.
    destinations: destinations::Destinations,
}

impl Inner {
    /// Where reports of the calling tool's `attribute` go: this client's settings, then the attribute's, then the
    /// builder's attribute, then the environment; resolved on the first call with this attribute, when a live
    /// client also lets its worker deliver what waits in the outbox for that service and key.
    fn destination(&self, attribute: &Layer) -> Arc<Destination> {
        self.destinations.get(
            attribute,
            || {
                Destination::new(resolve(
                    &[&self.layer, attribute, &self.attribute],
                    &process_env,
                ))
            },
            |destination| {
                if self.mode == Mode::Live {
                    self.reporter.register(destination);
                }
            },
        )
    }

    fn stop_heartbeat(&self) {
        let handle = crate::sync::lock(&self.heartbeat).take();
        if let Some(handle) = handle {
            handle.stop_now();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop_heartbeat();
    }
}

impl fmt::Debug for Patchwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patchwork")
            .field("layer", &self.inner.layer)
            .field("mode", &self.inner.mode)
            .field("reporter", &self.inner.reporter)
            .finish_non_exhaustive()
    }
}

static GLOBAL: OnceLock<Patchwork> = OnceLock::new();

impl Patchwork {
    /// Starts a [`Builder`].
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder().slug("weather").install();
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Starts draining what earlier runs left for this client's service and key, and the heartbeat when
    /// `tool_names` are given (both only in [`Mode::Live`]).
    fn new(inner: Inner, tool_names: Option<Vec<String>>) -> Self {
        let patchwork = Patchwork {
            inner: Arc::new(inner),
        };
        if patchwork.inner.mode == Mode::Live {
            let destination = patchwork.inner.destination(&Layer::default());
            let settings = &destination.settings;
            if let Some(tool_names) = tool_names {
                let handle = heartbeat::start_on(
                    &patchwork.inner.reporter,
                    settings,
                    tool_names,
                    heartbeat::HEARTBEAT_INTERVAL,
                )
                .inspect_err(|reason| {
                    if settings.api_key.is_some() && settings.slug.is_some() {
                        tracing::warn!(%reason, "PatchworkMCP heartbeat not started");
                    } else {
                        // `report_configuration` says once what is missing.
                        tracing::debug!(%reason, "PatchworkMCP heartbeat not started");
                    }
                })
                .ok();
                *crate::sync::lock(&patchwork.inner.heartbeat) = handle;
            } else if let (Some(_), Some(slug), Ok(_)) =
                (&settings.api_key, &settings.slug, &settings.url)
            {
                self_check::not_checked_at_start(slug);
            }
        }
        patchwork
    }

    /// The mode this client runs in.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use patchwork_runtime::{Mode, Patchwork};
    /// let patchwork = Patchwork::builder().mode(Mode::Off).build();
    /// assert_eq!(patchwork.mode(), Mode::Off);
    /// # }
    /// ```
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.inner.mode
    }

    /// What the mode does instead of delivering, if anything: `Off` replies that feedback is off; `DryRun`
    /// logs the checked payload at info and replies so.
    fn instead_of_delivery(&self, prepared: &Prepared) -> Option<Outcome> {
        match self.inner.mode {
            Mode::Live => self.over_a_ceiling(prepared),
            Mode::Off => Some(Outcome::Disabled),
            Mode::DryRun => {
                tracing::info!(payload = %prepared.body, "dry run: feedback checked, not sent");
                Some(Outcome::DryRun)
            }
        }
    }

    /// `Some(Limited)` when this report would pass a ceiling: per session per hour (the transport session the
    /// server knows, or the process over stdio; an agent's own `session_id` is not trusted for this), one caller's
    /// share of the process ceiling a minute, or the process ceiling a minute. The first hit of each is logged at
    /// warn, later ones at debug.
    fn over_a_ceiling(&self, prepared: &Prepared) -> Option<Outcome> {
        let ceilings = &self.inner.ceilings;
        let hit = ceilings
            .admit(&prepared.caller, std::time::Instant::now())
            .err()?;
        if ceilings.first(hit) {
            let (which, limit) = match hit {
                ceiling::Hit::Session => ("per session an hour", ceilings.per_session()),
                ceiling::Hit::Share => ("for one client a minute", ceilings.share()),
                ceiling::Hit::Process => ("for the whole process a minute", ceilings.per_process()),
            };
            tracing::warn!(
                ceiling = which,
                limit,
                "a PatchworkMCP feedback ceiling was reached: reports past it are not recorded (logged once; \
                 Builder::report_limits changes the ceilings)"
            );
        } else {
            tracing::debug!(?hit, "feedback ceiling reached; report not recorded");
        }
        Some(Outcome::Limited)
    }

    /// The process-wide client: the one installed, else one configured from the environment alone, started
    /// on first use.
    pub(crate) fn global() -> &'static Patchwork {
        GLOBAL.get_or_init(|| Builder::default().build())
    }

    /// The process-wide client, if one was installed or started.
    pub(crate) fn running() -> Option<&'static Patchwork> {
        GLOBAL.get()
    }

    /// The mode generated tools run in: the process-wide client's, else the one `PATCHWORKMCP_MODE` selects
    /// (what that client will run in once started).
    pub(crate) fn global_mode() -> Mode {
        match Self::running() {
            Some(patchwork) => patchwork.mode(),
            None => crate::config::mode(None, &process_env),
        }
    }

    /// Sends `payload` now and waits for the service's answer, retrying with the await policy (default: the
    /// reference schedule, at worst about 16.5 s). What is not delivered is written to stderr as a replayable
    /// unsent line. The slug comes from configuration when one is set, else from the payload.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let patchwork = collector.patchwork("weather").no_outbox().build();
    /// let payload = patchwork_runtime::FeedbackPayload {
    ///     what_i_needed: "hourly forecasts".into(),
    ///     what_i_tried: "forecast".into(),
    ///     ..Default::default()
    /// };
    /// let outcome = patchwork.deliver(&payload).await; // waits for the service's answer
    /// assert!(outcome.is_delivered(), "{}", outcome.message());
    /// assert_eq!(collector.feedback()[0].what_i_needed, "hourly forecasts");
    /// # Ok(()) }
    /// ```
    pub async fn deliver(&self, payload: &FeedbackPayload) -> Outcome {
        let Some((destination, prepared)) = self.prepare(payload) else {
            return Outcome::Withheld;
        };
        self.deliver_prepared(&prepared, &destination).await
    }

    /// Records `payload` in the durable outbox and returns at once; the background worker delivers it with
    /// retries, in this run or a later one. With [`Builder::deliver_before_reply`] it first waits, up to that
    /// budget, for the delivery. The slug comes from configuration when one is set, else from the payload.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use patchwork_runtime::Outcome;
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let outbox = tempfile::tempdir()?;
    /// let patchwork = collector.patchwork("weather").outbox_dir(outbox.path()).build();
    /// let payload = patchwork_runtime::FeedbackPayload {
    ///     what_i_needed: "hourly forecasts".into(),
    ///     what_i_tried: "forecast".into(),
    ///     ..Default::default()
    /// };
    /// assert_eq!(patchwork.enqueue(&payload).await, Outcome::Queued); // on disk; the worker delivers it
    /// collector.wait_for_feedback(1, Duration::from_secs(10)).await.expect("delivered");
    /// # Ok(()) }
    /// ```
    pub async fn enqueue(&self, payload: &FeedbackPayload) -> Outcome {
        let Some((destination, prepared)) = self.prepare(payload) else {
            return Outcome::Withheld;
        };
        self.submit(&prepared, &destination).await.outcome
    }

    /// An application's `payload` for this client's destination: the slug from configuration when one is set, else
    /// the payload's own, else `unknown`; then screened with this client's rules, capped and serialised once (`None`
    /// when the report hook withheld it). The application wrote every field, so none is kept from the rules.
    fn prepare(&self, payload: &FeedbackPayload) -> Option<(Arc<Destination>, Prepared)> {
        let destination = self.inner.destination(&Layer::default());
        let settings = &destination.settings;
        let mut payload = payload.clone();
        if settings.slug.is_some() || payload.server_slug.trim().is_empty() {
            payload.server_slug = settings.slug_or_default().to_string();
        }
        let prepared = Prepared::screened(
            payload,
            &self.redaction(None, &destination),
            Filled::default(),
        )?;
        Some((destination, prepared))
    }

    /// Reports the gap signals counted so far, then waits up to `timeout` for the background worker's in-flight
    /// deliveries. What is not delivered by then stays in the outbox for a later run.
    ///
    /// ```no_run
    /// # async fn demo(patchwork: patchwork_runtime::Patchwork) {
    /// // before the process exits (the install guard does this on drop)
    /// let report = patchwork.flush(std::time::Duration::from_secs(2)).await;
    /// println!("{} still in flight; they stay in the outbox", report.in_flight);
    /// # }
    /// ```
    pub async fn flush(&self, timeout: Duration) -> FlushReport {
        let this = self.clone();
        // Storing fsyncs files: off the runtime's worker threads.
        let _ = tokio::task::spawn_blocking(move || this.close_signal_window()).await;
        self.inner.reporter.flush(timeout).await
    }

    /// The background worker's counters since start.
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
    /// patchwork.enqueue(&payload).await;
    /// assert!(patchwork.flush(std::time::Duration::from_secs(5)).await.settled());
    /// assert_eq!(patchwork.stats().delivered, 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.inner.reporter.stats()
    }

    /// Where a call of a generated tool's reports go: this client's settings, then the attribute's `layer`
    /// (resolved once per client and attribute).
    pub(crate) fn destination_for(&self, attribute: &Layer) -> Arc<Destination> {
        self.inner.destination(attribute)
    }

    pub(crate) async fn deliver_prepared(
        &self,
        prepared: &Prepared,
        destination: &Destination,
    ) -> Outcome {
        if let Some(outcome) = self.instead_of_delivery(prepared) {
            return outcome;
        }
        let client = self
            .inner
            .client
            .get_or_init(|| {
                Client::new(self.inner.await_retry.connect_timeout(), &self.inner.roots)
            })
            .as_ref()
            .map_err(Clone::clone);
        let outcome = deliver_now(prepared, destination, client, &self.inner.await_retry).await;
        if let Outcome::Delivered { attempts, .. } = &outcome {
            self.inner.reporter.note_delivered(*attempts);
        }
        outcome
    }

    pub(crate) async fn submit(
        &self,
        prepared: &Prepared,
        destination: &Arc<Destination>,
    ) -> Submission {
        if let Some(outcome) = self.instead_of_delivery(prepared) {
            return Submission { outcome, key: None };
        }
        match self.inner.before_reply {
            Some(budget) => {
                self.inner
                    .reporter
                    .submit_within(prepared, destination, budget)
                    .await
            }
            None => self.inner.reporter.submit(prepared, destination).await,
        }
    }

    pub(crate) fn reporter(&self) -> &Reporter {
        &self.inner.reporter
    }

    /// The texts this client chose for agents to read (each unset part is the attribute's).
    pub(crate) fn wording(&self) -> &WordingChoice {
        &self.inner.wording
    }

    /// The redaction rules for a payload sent to `destination`: the builder's, else those the attribute's
    /// `redaction` function makes from the standard set, else the standard set; with the destination's API key
    /// redacted first in every case. Made once per destination and function, not per call.
    pub(crate) fn redaction(
        &self,
        attribute: Option<fn(Redaction) -> Redaction>,
        destination: &Destination,
    ) -> Redaction {
        destination.rules(attribute.map(|make| make as usize), |settings| {
            let rules = match (&self.inner.redaction, attribute) {
                (Some(rules), _) => rules.clone(),
                (None, Some(make)) => attribute_redaction(make),
                (None, None) => Redaction::standard(),
            };
            settings.redacting_key(rules)
        })
    }
}

/// The rules an attribute's `redaction` function makes, built once per function.
fn attribute_redaction(make: fn(Redaction) -> Redaction) -> Redaction {
    static BUILT: Mutex<Vec<(usize, Redaction)>> = Mutex::new(Vec::new());
    let key = make as usize;
    let lock = || crate::sync::lock(&BUILT);
    if let Some((_, rules)) = lock().iter().find(|(k, _)| *k == key) {
        return rules.clone();
    }
    // The user's function runs outside the lock; if it panics, the standard rules serve instead of failing the
    // tool call.
    let rules = std::panic::catch_unwind(|| make(Redaction::standard())).unwrap_or_else(|_| {
        tracing::error!("the attribute's redaction function panicked; using the standard rules");
        Redaction::standard()
    });
    lock().push((key, rules.clone()));
    rules
}

/// Keeps the installed client; dropping it flushes the background worker (bounded by the builder's flush
/// timeout), so feedback recorded just before exit is delivered or safely left in the outbox.
///
/// ```no_run
/// let guard = patchwork_runtime::Patchwork::builder().slug("weather").install();
/// // ... serve until the client leaves ...
/// drop(guard); // waits up to the flush timeout (1 s) for in-flight deliveries; the rest stay in the outbox
/// ```
#[must_use = "dropping the guard at once flushes at once; keep it until the server exits"]
pub struct Guard {
    patchwork: Patchwork,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("patchwork", &self.patchwork)
            .finish()
    }
}

impl Guard {
    /// The installed client.
    ///
    /// ```no_run
    /// let guard = patchwork_runtime::Patchwork::builder().slug("weather").install();
    /// println!("mode {:?}, {:?}", guard.patchwork().mode(), guard.patchwork().stats());
    /// ```
    #[must_use]
    pub fn patchwork(&self) -> &Patchwork {
        &self.patchwork
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.patchwork.inner.stop_heartbeat();
        self.patchwork.close_signal_window();
        let report = self
            .patchwork
            .inner
            .reporter
            .flush_blocking(self.patchwork.inner.flush_timeout);
        if !report.settled() {
            tracing::info!(
                in_flight = report.in_flight,
                "exiting with feedback not yet delivered; it stays in the outbox"
            );
        }
    }
}

//! [`Patchwork`]: a configured client of the service, and [`Builder`], the one run-time configuration entry.
//!
//! Its settings win over the attribute's keys, which win over the environment. [`Builder::install`] makes it
//! the process-wide client that generated feedback tools use and returns a [`Guard`] that flushes on drop;
//! [`Builder::build`] makes an independent one (tests, several services in one process).

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::config::{Layer, OutboxSetting, Settings, process_env, resolve};
use crate::delivery::{Client, Outcome, Reason, RetryPolicy, deliver_now};
use crate::feedback::{FeedbackPayload, Prepared};
use crate::outbox::OutboxLimits;
use crate::reporter::{FlushReport, Reporter, ReporterConfig, Stats, Submission};

/// Builds a [`Patchwork`]: the service's URL, key and slug, where the outbox lives, and how deliveries are
/// retried. Unset values fall back to the attribute's keys, then the environment, then the defaults.
///
/// ```no_run
/// # fn main() {
/// let _guard = patchwork_runtime::Patchwork::builder()
///     .slug("weather")
///     .outbox_dir("/var/lib/weather/patchwork-outbox")
///     .install(); // generated tools now use this; flushes when `_guard` drops
/// # }
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Builder {
    layer: Layer,
    outbox: Option<OutboxSetting>,
    reporter: ReporterConfig,
    await_retry: Option<RetryPolicy>,
    flush_timeout: Option<Duration>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("layer", &self.layer)
            .field("outbox", &self.outbox)
            .field("retry", &self.reporter.retry)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// The service's base URL (default: `PATCHWORKMCP_URL`, else `https://patchworkmcp.com`).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.layer.url = Some(url.into());
        self
    }

    /// The team API key (default: the variable the attribute's `api_key_env` names, else
    /// `PATCHWORKMCP_API_KEY`). Never logged or shown by `Debug`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.layer.api_key = Some(key.into());
        self
    }

    /// The server's slug on PatchworkMCP (default: the attribute's `slug`, else `PATCHWORKMCP_SERVER_SLUG`).
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.layer.slug = Some(slug.into());
        self
    }

    /// Keeps the durable outbox in `dir` (default: `PATCHWORKMCP_OUTBOX`, else the per-user state directory).
    pub fn outbox_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.outbox = Some(OutboxSetting::Dir(dir.into()));
        self
    }

    /// Keeps no outbox: feedback is held in memory while it is delivered, and written to stderr as an
    /// unsent line when it cannot be.
    pub fn no_outbox(mut self) -> Self {
        self.outbox = Some(OutboxSetting::Off);
        self
    }

    /// Caps the outbox at `max_items` items and `max_bytes` bytes (default 10,000 and 32 MiB).
    pub fn outbox_limits(mut self, max_items: u64, max_bytes: u64) -> Self {
        self.reporter.outbox_limits = OutboxLimits {
            max_items,
            max_bytes,
        };
        self
    }

    /// How the background worker retries (default [`RetryPolicy::background`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.reporter.retry = policy;
        self
    }

    /// How awaited deliveries retry (`delivery = "await"`, [`Patchwork::deliver`]; default
    /// [`RetryPolicy::reference`]).
    pub fn await_retry(mut self, policy: RetryPolicy) -> Self {
        self.await_retry = Some(policy);
        self
    }

    /// How often the background worker looks for items other runs and processes left (default 60 s).
    pub fn drain_interval(mut self, interval: Duration) -> Self {
        self.reporter.drain_interval = interval;
        self
    }

    /// Most items in the background worker's hands at once; the rest wait in the outbox (default 1,024).
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.reporter.queue_capacity = capacity;
        self
    }

    /// How long the [`Guard`] waits for in-flight deliveries when it drops (default 2 s).
    pub fn flush_timeout(mut self, timeout: Duration) -> Self {
        self.flush_timeout = Some(timeout);
        self
    }

    /// An independent client with its own background worker. Items earlier runs left in its outbox for its
    /// service are drained at once.
    pub fn build(self) -> Patchwork {
        let outbox = crate::config::outbox_location(self.outbox.as_ref(), &process_env);
        let reporter = Reporter::start(ReporterConfig {
            outbox,
            ..self.reporter
        });
        let inner = Inner {
            reporter,
            client: OnceLock::new(),
            await_retry: self.await_retry.unwrap_or_else(RetryPolicy::reference),
            flush_timeout: self.flush_timeout.unwrap_or(Duration::from_secs(2)),
            layer: self.layer,
        };
        inner.reporter.register(&inner.settings(&Layer::default()));
        Patchwork {
            inner: Arc::new(inner),
        }
    }

    /// Builds the client and makes it the process-wide one that generated feedback tools (and the heartbeat)
    /// use. Call it once at start-up, before serving; keep the guard until the server exits: dropping it
    /// flushes. A second install keeps the first client (and logs a warning).
    pub fn install(self) -> Guard {
        let fresh = self.build();
        let mut installed_now = false;
        let patchwork = GLOBAL.get_or_init(|| {
            installed_now = true;
            fresh
        });
        if !installed_now {
            tracing::warn!("a Patchwork client was already installed; this one is not used");
        }
        Guard {
            patchwork: patchwork.clone(),
        }
    }
}

/// A configured client of PatchworkMCP: validated payloads go to the service, awaited or through the
/// background worker and its durable outbox. Cheap to clone.
#[derive(Clone)]
pub struct Patchwork {
    inner: Arc<Inner>,
}

struct Inner {
    layer: Layer,
    reporter: Reporter,
    client: OnceLock<Result<Client, Reason>>,
    await_retry: RetryPolicy,
    flush_timeout: Duration,
}

impl Inner {
    fn settings(&self, attribute: &Layer) -> Settings {
        resolve(&[&self.layer, attribute], &process_env)
    }
}

impl fmt::Debug for Patchwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patchwork")
            .field("layer", &self.inner.layer)
            .field("reporter", &self.inner.reporter)
            .finish_non_exhaustive()
    }
}

static GLOBAL: OnceLock<Patchwork> = OnceLock::new();

impl Patchwork {
    /// Starts a [`Builder`].
    pub fn builder() -> Builder {
        Builder::default()
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

    /// Sends `payload` now and waits for the service's answer, retrying with the await policy (default: the
    /// reference schedule, at worst about 16.5 s). What is not delivered is written to stderr as a replayable
    /// unsent line. The slug comes from configuration when one is set, else from the payload.
    pub async fn deliver(&self, payload: &FeedbackPayload) -> Outcome {
        let settings = self.inner.settings(&Layer::default());
        self.deliver_prepared(&prepare(payload, &settings), &settings)
            .await
    }

    /// Records `payload` in the durable outbox and returns at once; the background worker delivers it with
    /// retries, in this run or a later one. The slug comes from configuration when one is set, else from the
    /// payload.
    pub async fn enqueue(&self, payload: &FeedbackPayload) -> Outcome {
        let settings = self.inner.settings(&Layer::default());
        self.submit(&prepare(payload, &settings), &settings)
            .await
            .outcome
    }

    /// Waits up to `timeout` for the background worker's in-flight deliveries. What is not delivered by then
    /// stays in the outbox for a later run.
    pub async fn flush(&self, timeout: Duration) -> FlushReport {
        self.inner.reporter.flush(timeout).await
    }

    /// The background worker's counters since start.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.inner.reporter.stats()
    }

    /// The settings for a call of a generated tool: this client's, then the attribute's `layer`.
    pub(crate) fn settings_for(&self, attribute: &Layer) -> Settings {
        let settings = self.inner.settings(attribute);
        self.inner.reporter.register(&settings);
        settings
    }

    pub(crate) async fn deliver_prepared(
        &self,
        prepared: &Prepared,
        settings: &Settings,
    ) -> Outcome {
        let client = self
            .inner
            .client
            .get_or_init(|| Client::new(self.inner.await_retry.connect_timeout()))
            .as_ref()
            .map_err(Clone::clone);
        deliver_now(prepared, settings, client, &self.inner.await_retry).await
    }

    pub(crate) async fn submit(&self, prepared: &Prepared, settings: &Settings) -> Submission {
        self.inner.reporter.submit(prepared, settings).await
    }

    pub(crate) fn reporter(&self) -> &Reporter {
        &self.inner.reporter
    }
}

/// The slug from configuration when one is set, else the payload's own, else `unknown`; then capped and
/// serialised once.
fn prepare(payload: &FeedbackPayload, settings: &Settings) -> Prepared {
    let mut payload = payload.clone();
    if settings.slug.is_some() || payload.server_slug.trim().is_empty() {
        payload.server_slug = settings.slug_or_default().to_string();
    }
    Prepared::new(payload)
}

/// Keeps the installed client; dropping it flushes the background worker (bounded by the builder's flush
/// timeout), so feedback recorded just before exit is delivered or safely left in the outbox.
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
    #[must_use]
    pub fn patchwork(&self) -> &Patchwork {
        &self.patchwork
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
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

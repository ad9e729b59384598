//! [`Builder`]: the one run-time configuration entry.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::{GLOBAL, Guard, Inner, Patchwork};
use crate::config::signals::{SignalChoice, signal_settings};
use crate::config::wording::{Wording, WordingChoice};
use crate::config::{Layer, Mode, OutboxSetting, process_env};
use crate::delivery::RetryPolicy;
use crate::feedback::redact::Redaction;
use crate::outbox::OutboxLimits;
use crate::reporter::{Reporter, ReporterConfig};

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
    mode: Option<Mode>,
    reporter: ReporterConfig,
    await_retry: Option<RetryPolicy>,
    flush_timeout: Option<Duration>,
    /// The settings of the `#[patchwork_feedback]` block this builder came from (`patchwork_builder()`).
    attribute: Layer,
    heartbeat: Option<Vec<String>>,
    redaction: Option<Redaction>,
    limits: Option<(u32, u32)>,
    wording: WordingChoice,
    signals: SignalChoice,
    before_reply: Option<Duration>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("layer", &self.layer)
            .field("outbox", &self.outbox)
            .field("mode", &self.mode)
            .field("retry", &self.reporter.retry)
            .field("attribute", &self.attribute)
            .field("heartbeat", &self.heartbeat)
            .field("before_reply", &self.before_reply)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// The service's base URL (default: `PATCHWORKMCP_URL`, else `https://patchworkmcp.com`).
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .url("https://patchwork.internal.example") // a self-hosted service
    ///     .install();
    /// ```
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.layer.url = Some(url.into());
        self
    }

    /// The team API key (default: the variable the attribute's `api_key_env` names, else
    /// `PATCHWORKMCP_API_KEY`). Never logged or shown by `Debug`.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .api_key(std::env::var("WEATHER_PATCHWORK_KEY").unwrap_or_default()) // not PATCHWORKMCP_API_KEY
    ///     .install();
    /// ```
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.layer.api_key = Some(key.into());
        self
    }

    /// The server's slug on PatchworkMCP (default: the attribute's `slug`, else `PATCHWORKMCP_SERVER_SLUG`).
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .slug("weather")
    ///     .install();
    /// ```
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.layer.slug = Some(slug.into());
        self
    }

    /// The mode (default: `PATCHWORKMCP_MODE`, else [`Mode::Live`]). In your server's own tests, `DryRun` or
    /// `Off` keep a developer's key in the environment from sending anything.
    ///
    /// ```no_run
    /// use patchwork_runtime::Mode;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .mode(Mode::DryRun) // in this server's own tests: checked and logged, never sent
    ///     .install();
    /// ```
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Keeps the durable outbox in `dir` (default: `PATCHWORKMCP_OUTBOX`, else the per-user state directory).
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .outbox_dir("/var/lib/weather/patchwork-outbox") // a volume that outlives the container
    ///     .install();
    /// ```
    pub fn outbox_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.outbox = Some(OutboxSetting::Dir(dir.into()));
        self
    }

    /// Keeps no outbox: feedback is held in memory while it is delivered, and written to stderr as an
    /// unsent line when it cannot be.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .no_outbox() // a read-only host: undelivered feedback goes to stderr as a replayable line
    ///     .install();
    /// ```
    pub fn no_outbox(mut self) -> Self {
        self.outbox = Some(OutboxSetting::Off);
        self
    }

    /// Caps the outbox at `max_items` items and `max_bytes` bytes (default 10,000 and 32 MiB).
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .outbox_limits(1_000, 4 * 1024 * 1024) // 1,000 items, 4 MiB
    ///     .install();
    /// ```
    pub fn outbox_limits(mut self, max_items: u64, max_bytes: u64) -> Self {
        self.reporter.outbox_limits = OutboxLimits {
            max_items,
            max_bytes,
        };
        self
    }

    /// How the background worker retries (default [`RetryPolicy::background`]).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .retry(RetryPolicy::background().with_deadline(Duration::from_secs(300)))
    ///     .install();
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.reporter.retry = policy;
        self
    }

    /// How awaited deliveries retry (`delivery = "await"`, [`Patchwork::deliver`]; default
    /// [`RetryPolicy::reference`]).
    ///
    /// ```no_run
    /// use patchwork_runtime::RetryPolicy;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .await_retry(RetryPolicy::reference().with_max_attempts(1)) // `delivery = "await"`: one try
    ///     .install();
    /// ```
    pub fn await_retry(mut self, policy: RetryPolicy) -> Self {
        self.await_retry = Some(policy);
        self
    }

    /// For hosts that freeze or end the process once the reply is sent (serverless HTTP): background delivery
    /// (the default `delivery = "background"`, and [`Patchwork::enqueue`]) still writes the feedback to the outbox
    /// first, then holds the reply up to `budget` while the worker delivers it, with its retries. Delivered in
    /// time, the agent reads that the feedback was recorded; refused, that it was kept; otherwise that it was
    /// saved and queued, and it waits in the outbox for the worker (while the process runs), a later start's
    /// drain or `patchwork-replay`. The call returns within about `budget` (plus the outbox write) whatever the
    /// service does. `delivery = "await"` is not changed by this.
    ///
    /// ```no_run
    /// # fn main() {
    /// use std::time::Duration;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .slug("weather")
    ///     .outbox_dir("/tmp/patchwork-outbox") // a disk the next invocation sees
    ///     .deliver_before_reply(Duration::from_secs(2))
    ///     .install();
    /// # }
    /// ```
    pub fn deliver_before_reply(mut self, budget: Duration) -> Self {
        self.before_reply = Some(budget);
        self
    }

    /// How often the background worker looks for items other runs and processes left (default 60 s).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .drain_interval(Duration::from_secs(300))
    ///     .install();
    /// ```
    pub fn drain_interval(mut self, interval: Duration) -> Self {
        self.reporter.drain_interval = interval;
        self
    }

    /// Most items in the background worker's hands at once; the rest wait in the outbox (default 1,024).
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .queue_capacity(64)
    ///     .install();
    /// ```
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.reporter.queue_capacity = capacity;
        self
    }

    /// How long the [`Guard`] waits for in-flight deliveries when it drops (default 1 s, inside the grace
    /// period MCP clients give a server before they signal it; what is not delivered stays in the outbox).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .flush_timeout(Duration::from_secs(5)) // within `docker stop`'s 10 s
    ///     .install();
    /// ```
    pub fn flush_timeout(mut self, timeout: Duration) -> Self {
        self.flush_timeout = Some(timeout);
        self
    }

    /// An independent client with its own background worker. Items earlier runs left in its outbox for its
    /// service and key are drained at once. In `DryRun` and `Off` modes no outbox is opened and nothing is
    /// drained.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let collector = patchwork_runtime::testing::Collector::start()?;
    /// let patchwork = collector.patchwork("weather").no_outbox().build(); // not the process-wide client
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(patchwork.deliver(&payload).await.is_delivered());
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> Patchwork {
        let mode = crate::config::mode(self.mode, &process_env);
        let outbox = match mode {
            Mode::Live => crate::config::outbox_location(self.outbox.as_ref(), &process_env),
            Mode::DryRun | Mode::Off => OutboxSetting::Off,
        };
        let roots = self.reporter.roots.clone();
        let reporter = Reporter::start(ReporterConfig {
            outbox,
            ..self.reporter
        });
        Patchwork::new(
            Inner {
                reporter,
                client: OnceLock::new(),
                await_retry: self.await_retry.unwrap_or_else(RetryPolicy::reference),
                flush_timeout: self.flush_timeout.unwrap_or(Duration::from_secs(1)),
                before_reply: self.before_reply,
                layer: self.layer,
                attribute: self.attribute,
                heartbeat: Mutex::new(None),
                redaction: self.redaction,
                wording: self.wording,
                roots,
                ceilings: {
                    let (per_session, per_process) = self.limits.unwrap_or((
                        super::ceiling::DEFAULT_PER_SESSION,
                        super::ceiling::DEFAULT_PER_PROCESS,
                    ));
                    super::ceiling::Ceilings::new(per_session, per_process)
                },
                mode,
                signals: super::signals::Signals::new(signal_settings(self.signals, &process_env)),
                destinations: super::destinations::Destinations::default(),
            },
            self.heartbeat,
        )
    }

    /// Sends the heartbeat (this server's tool list, at start and every minute, so the service knows the server
    /// is alive and what it offers) while the client lives. Pass the server's real tool list, the feedback tool
    /// included: for rmcp, the names in `Self::tool_router().list_all()`. It needs a key and a slug; without
    /// them it says so once, at warn, instead of sending. Only in [`Mode::Live`].
    ///
    /// ```no_run
    /// # fn main() {
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .slug("weather")
    ///     .heartbeat(["forecast", "feedback"])
    ///     .install();
    /// # }
    /// ```
    pub fn heartbeat<I>(mut self, tool_names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.heartbeat = Some(tool_names.into_iter().map(Into::into).collect());
        self
    }

    /// The redaction rules applied to what agents write before it is stored, logged or sent (default:
    /// [`Redaction::standard`]). Wins over the attribute's `redaction` function. `Redaction::none()` turns
    /// redaction off.
    ///
    /// ```no_run
    /// use patchwork_runtime::{Patchwork, Redaction};
    /// let tickets = |text: &str| text.match_indices("TCK-").map(|(at, _)| at..at + 9).collect();
    /// let rules = Redaction::standard().with_rule("ticket", tickets).expect("a valid kind");
    /// let _guard = Patchwork::builder().redaction(rules).install();
    /// ```
    pub fn redaction(mut self, rules: Redaction) -> Self {
        self.redaction = Some(rules);
        self
    }

    /// The wording preset of the tool's description and of the directive in the server's instructions (default:
    /// the attribute's `wording`, else [`Wording::Reference`]). Agents see it in `tools/list` and in the generated
    /// `patchwork_instructions()`.
    ///
    /// ```no_run
    /// use patchwork_runtime::Wording;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .wording(Wording::Directory)
    ///     .install();
    /// ```
    pub fn wording(mut self, wording: Wording) -> Self {
        self.wording.preset = Some(wording);
        self
    }

    /// Replaces the tool's description: say when agents should call it and what to put in it.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .tool_description("Report a forecast or city this server could not give you.")
    ///     .install();
    /// ```
    pub fn tool_description(mut self, text: impl Into<String>) -> Self {
        self.wording.description = Some(text.into());
        self
    }

    /// Replaces the directive appended to the server's instructions (by `patchwork_instructions()`). It must name
    /// the tool; one that does not is ignored with a warning.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .directive("When a forecast is missing, call the `feedback` tool before you answer.")
    ///     .install();
    /// ```
    pub fn directive(mut self, text: impl Into<String>) -> Self {
        self.wording.directive = Some(text.into());
        self
    }

    /// Trusts one more root certificate (DER) for the service's TLS, beside the platform's roots: for a
    /// PatchworkMCP behind a private certificate authority, or a TLS test service. Verification stays on.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::testing::Collector;
    /// let collector = Collector::builder().tls().start()?; // HTTPS, signed by an authority of its own
    /// let patchwork = patchwork_runtime::Patchwork::builder()
    ///     .url(collector.url())
    ///     .api_key(Collector::DEFAULT_API_KEY)
    ///     .slug("weather")
    ///     .add_root_certificate(collector.root_certificate().expect("TLS mode"))
    ///     .no_outbox()
    ///     .build();
    /// # let payload = patchwork_runtime::FeedbackPayload {
    /// #     what_i_needed: "hourly forecasts".into(),
    /// #     what_i_tried: "forecast".into(),
    /// #     ..Default::default()
    /// # };
    /// assert!(patchwork.deliver(&payload).await.is_delivered());
    /// # Ok(()) }
    /// ```
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.reporter.roots.push(der.into());
        self
    }

    /// Ceilings on recorded reports: at most `per_session_per_hour` from one session (the transport session the
    /// server knows; over stdio, the process) in an hour, and `per_process_per_minute` from all callers in a minute,
    /// of which one caller (a session, else a client `name/version`, else all callers nothing is known about) takes
    /// at most a quarter, rounded up (defaults 20 and 120, so 30). A report past a ceiling gets a short non-error
    /// reply saying nothing more is needed; the first hit of each ceiling is logged once at warn.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .report_limits(5, 60) // 5 reports per session an hour, 60 a minute in all
    ///     .install();
    /// ```
    pub fn report_limits(mut self, per_session_per_hour: u32, per_process_per_minute: u32) -> Self {
        self.limits = Some((per_session_per_hour, per_process_per_minute));
        self
    }

    /// Whether gap signals (what a server wrapped with `patchwork_runtime::rmcp::observe` sees fail: unknown tools,
    /// refused arguments, tool errors, resources and prompts not found) are reported to PatchworkMCP, aggregated per
    /// window (default: `PATCHWORKMCP_SIGNALS`, else on). They are written as `tracing` events either way.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder().signals(false).install();
    /// ```
    pub fn signals(mut self, deliver: bool) -> Self {
        self.signals.deliver = Some(deliver);
        self
    }

    /// How long gap signals are counted before one report per kind and target goes out (default:
    /// `PATCHWORKMCP_SIGNALS_WINDOW` seconds, else 60 s; between 1 s and 1 h). Counts still open when the server
    /// exits are reported when the [`Guard`] drops.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .signal_window(Duration::from_secs(300)) // one report per kind and target every five minutes
    ///     .install();
    /// ```
    pub fn signal_window(mut self, window: Duration) -> Self {
        self.signals.window = Some(window);
        self
    }

    /// Sends a failing tool's error text (redacted, at most 500 bytes) with its `tool_error` signal. Off by
    /// default: the text may quote what the user or the agent asked for.
    ///
    /// ```no_run
    /// let _guard = patchwork_runtime::Patchwork::builder().signal_error_text(true).install();
    /// ```
    pub fn signal_error_text(mut self, include: bool) -> Self {
        self.signals.error_text = include;
        self
    }

    /// Puts the attribute's settings under this builder's (what `patchwork_builder()` does).
    pub(crate) fn attribute(mut self, layer: Layer) -> Self {
        self.attribute = layer;
        self
    }

    /// Builds the client and makes it the process-wide one that generated feedback tools (and the heartbeat)
    /// use. Call it once at start-up, before serving; keep the guard until the server exits: dropping it
    /// flushes. A second install keeps the first client (and logs a warning).
    ///
    /// ```no_run
    /// // at start-up, before serving; generated tools then use this client
    /// let _guard = patchwork_runtime::Patchwork::builder()
    ///     .slug("weather")
    ///     .heartbeat(["forecast", "feedback"])
    ///     .install();
    /// // ... serve; `_guard` flushes when it drops, as `main` returns ...
    /// ```
    pub fn install(self) -> Guard {
        let mut installed_now = false;
        let patchwork = GLOBAL.get_or_init(|| {
            installed_now = true;
            self.build()
        });
        if installed_now {
            patchwork.report_configuration();
        } else {
            tracing::warn!(
                "a Patchwork client was already installed (or started by an earlier feedback call); \
                 this builder's settings are not used"
            );
        }
        Guard {
            patchwork: patchwork.clone(),
        }
    }
}

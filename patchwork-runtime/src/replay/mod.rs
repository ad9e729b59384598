//! Replay: re-sends what the outbox holds and `PATCHWORKMCP_UNSENT_FEEDBACK` lines taken from any
//! log, skipping what was already delivered. The `patchwork-replay` command is a thin wrapper.
//!
//! Each feedback is sent with its idempotency key: an outbox item's own key, or for a logged line
//! a key derived from its payload (the same one the reporter used when it logged the line), so
//! replaying twice, or replaying what the reporter also delivered, repeats a key the service can
//! recognise. Keys delivered before (the outbox's ledger) are skipped.
//!
//! A logged payload (an unsent line, or an outbox item line) is prepared as a tool call prepares it (the
//! standard redaction, the caps, the closed enums) before it is sent, and input lines are read with a bound
//! (`lines.rs`). Outbox items go through the outbox's one item lifecycle, as in background delivery.

mod check;
mod lines;
mod status;

pub use check::CheckReport;
pub use status::OutboxStatus;

use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;
use std::path::PathBuf;

use crate::config::{
    Layer, Options, OutboxSetting, Settings, outbox_location, process_env, resolve,
};
use crate::delivery::{
    Client, Finished, IdempotencyKey, Reason, Request, RetryPolicy, Target, with_retries,
};
use crate::feedback::Origin;
use crate::feedback::redact::{self, Redaction};
use crate::outbox::{Claim, Drainer, Outbox, OutboxItem, OutboxLimits, Settlement, Taken};
use lines::{parse_line, read_line};

/// What a replay did.
///
/// ```
/// let report = patchwork_runtime::ReplayReport::default();
/// assert_eq!(
///     report.to_string(),
///     "delivered 0, already delivered 0, failed 0, refused 0, unreadable 0, for another owner 0"
/// );
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayReport {
    /// Sent and accepted now.
    pub delivered: u64,
    /// Skipped: delivered before (or twice in the input).
    pub already_delivered: u64,
    /// Not accepted (the service was unreachable or kept failing); outbox items stay.
    pub failed: u64,
    /// Refused for good by the service (outbox items move to `rejected/`).
    pub refused: u64,
    /// Lines that looked like feedback but did not parse (e.g. a torn last line).
    pub unreadable: u64,
    /// Outbox items of another service URL or accepted under another key, left for their owner.
    pub other_owner: u64,
}

impl fmt::Display for ReplayReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "delivered {}, already delivered {}, failed {}, refused {}, unreadable {}, for another owner {}",
            self.delivered,
            self.already_delivered,
            self.failed,
            self.refused,
            self.unreadable,
            self.other_owner
        )
    }
}

/// Re-sends what the outbox holds and the unsent lines of any logs, skipping what was already delivered.
/// The `patchwork-replay` command is this with its arguments.
///
/// ```no_run
/// # async fn demo() -> Result<(), patchwork_runtime::Reason> {
/// let log = std::io::BufReader::new(std::fs::File::open("server.log").expect("log"));
/// let report = patchwork_runtime::Replay::new().input(log).run().await?;
/// println!("{report}");
/// # Ok(()) }
/// ```
#[must_use]
pub struct Replay {
    outbox: Option<OutboxSetting>,
    inputs: Vec<Box<dyn BufRead>>,
    options: Options,
    /// The server's tool names, for [`Replay::check`]'s question to the service.
    tool_names: Option<Vec<String>>,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("outbox", &self.outbox)
            .field("inputs", &self.inputs.len())
            .field("options", &self.options)
            .field("tool_names", &self.tool_names)
            .finish()
    }
}

impl Default for Replay {
    fn default() -> Self {
        Self::new()
    }
}

impl Replay {
    /// A replay of the outbox the environment names (`PATCHWORKMCP_OUTBOX`, else the per-user default, if it
    /// exists) to the service the environment names.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), patchwork_runtime::Reason> {
    /// // the outbox and the service the environment names
    /// let report = patchwork_runtime::Replay::new().run().await?;
    /// # Ok(()) }
    /// ```
    pub fn new() -> Self {
        Self {
            outbox: None,
            inputs: Vec::new(),
            tool_names: None,
            options: Options::default(),
        }
    }

    /// Replays the outbox in `dir`, which must exist.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), patchwork_runtime::Reason> {
    /// let report = patchwork_runtime::Replay::new().outbox_dir("/var/lib/weather/patchwork-outbox").run().await?;
    /// # Ok(()) }
    /// ```
    pub fn outbox_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.outbox = Some(OutboxSetting::Dir(dir.into()));
        self
    }

    /// Replays no outbox (only the inputs; no ledger of delivered keys).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), patchwork_runtime::Reason> {
    /// let log = std::io::BufReader::new(std::fs::File::open("server.log").expect("the log"));
    /// let report = patchwork_runtime::Replay::new().no_outbox().input(log).run().await?;
    /// # Ok(()) }
    /// ```
    pub fn no_outbox(mut self) -> Self {
        self.outbox = Some(OutboxSetting::Off);
        self
    }

    /// Also replays the unsent lines (and outbox item lines) found in `input`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::{Replay, testing::Collector};
    /// let collector = Collector::start()?;
    /// let payload = patchwork_runtime::FeedbackPayload {
    ///     what_i_needed: "hourly forecasts".into(),
    ///     what_i_tried: "forecast".into(),
    ///     ..Default::default()
    /// };
    /// // a line a server wrote to stderr when it could not deliver
    /// let log = format!("PATCHWORKMCP_UNSENT_FEEDBACK reason=status_503 payload={}", serde_json::to_string(&payload)?);
    /// let report = Replay::new()
    ///     .no_outbox()
    ///     .options(collector.options("weather"))
    ///     .input(std::io::Cursor::new(log))
    ///     .run()
    ///     .await
    ///     .expect("a key and a URL");
    /// assert_eq!(report.delivered, 1);
    /// # Ok(()) }
    /// ```
    pub fn input(mut self, input: impl BufRead + 'static) -> Self {
        self.inputs.push(Box::new(input));
        self
    }

    /// The server's tool names (the feedback tool included), for [`Replay::check`]: it asks the service with a
    /// heartbeat, and a heartbeat tells the service which tools the server has, so without them it does not ask.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let report = patchwork_runtime::Replay::new().tool_names(["forecast", "feedback"]).check(false).await;
    /// # }
    /// ```
    pub fn tool_names<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.tool_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The service, key and slug to send to (over the environment).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), patchwork_runtime::Reason> {
    /// let options = patchwork_runtime::Options {
    ///     api_key: Some("the other team's key".into()), // replays the items accepted under that key
    ///     ..Default::default()
    /// };
    /// let report = patchwork_runtime::Replay::new().options(options).run().await?;
    /// # Ok(()) }
    /// ```
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Runs the replay. `Err` when nothing can be sent at all (no API key, a refused URL) or the outbox
    /// given with [`Replay::outbox_dir`] cannot be opened.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// match patchwork_runtime::Replay::new().run().await {
    ///     Ok(report) if report.failed == 0 => println!("{report}"),
    ///     Ok(report) => eprintln!("some feedback still waits: {report}"),
    ///     Err(reason) => eprintln!("nothing could be sent: {reason}"),
    /// }
    /// # }
    /// ```
    pub async fn run(self) -> Result<ReplayReport, Reason> {
        let explicit = matches!(self.outbox, Some(OutboxSetting::Dir(_)));
        let outbox = match outbox_location(self.outbox.as_ref(), &process_env).resolve() {
            Some(dir) if explicit && !dir.is_dir() => {
                tracing::error!(dir = %dir.display(), "the outbox directory does not exist");
                return Err(Reason::OutboxUnavailable);
            }
            Some(dir) if dir.is_dir() => match Outbox::open(&dir, OutboxLimits::default()) {
                Ok(outbox) => Some(outbox),
                Err(error) => {
                    tracing::error!(dir = %dir.display(), %error, "cannot open the outbox");
                    return Err(Reason::OutboxUnavailable);
                }
            },
            _ => None,
        };
        let settings = resolve(&[&Layer::from(&self.options)], &process_env);
        replay(outbox.as_ref(), self.inputs, &settings).await
    }
}

/// Replays the outbox (if given) and then every line of `inputs` to the service `settings` names.
pub(crate) async fn replay(
    outbox: Option<&Outbox>,
    inputs: Vec<Box<dyn BufRead>>,
    settings: &Settings,
) -> Result<ReplayReport, Reason> {
    let target = Target::feedback(settings)?;
    let policy = RetryPolicy::reference();
    let client = Client::new(policy.connect_timeout(), &[])?;
    let mut done: HashSet<IdempotencyKey> = outbox.map(Outbox::delivered_keys).unwrap_or_default();
    let mut report = ReplayReport::default();
    // What a tool call applies: the standard rules, the replaying key redacted first.
    let redaction = settings.redacting_key(Redaction::standard());

    let send = |key: IdempotencyKey, body: String, origin: Origin| {
        let (client, target, policy) = (&client, &target, &policy);
        async move {
            let redactions = redact::counts(&body);
            let request = Request {
                target,
                body: &body,
                idempotency_key: Some(key.as_str()),
                repeat_count: 1,
                // Not carried by the unsent line, so not sent on replay.
                tools_dropped: 0,
                origin,
                redactions: &redactions,
            };
            with_retries(policy, None, || async {
                Some((client.attempt(request, policy.request_timeout()).await, ()))
            })
            .await
        }
    };

    if let Some(outbox) = outbox {
        let pending = outbox.pending().map_err(|_| Reason::OutboxUnavailable)?;
        for entry in pending {
            let owner = |item: &OutboxItem| {
                item.owned_by(&target.base, &target.key_id, Drainer::Replay)
                    .then_some(())
            };
            let claimed = match outbox.take(&entry, owner) {
                Ok(Taken::Mine(claimed, ())) => claimed,
                Ok(Taken::Others) => {
                    report.other_owner += 1;
                    continue;
                }
                Ok(Taken::Skipped(Claim::Corrupt)) => {
                    report.unreadable += 1;
                    continue;
                }
                Ok(Taken::Skipped(_)) | Err(_) => continue,
            };
            let key = claimed.item.key.clone();
            let how = if done.contains(&key) {
                report.already_delivered += 1;
                Settlement::Delivered
            } else {
                let body = claimed.item.payload.get().to_string();
                match send(key.clone(), body, claimed.item.origin).await {
                    Finished::Accepted { .. } => {
                        report.delivered += 1;
                        done.insert(key.clone());
                        Settlement::Delivered
                    }
                    Finished::Refused { .. } => {
                        report.refused += 1;
                        Settlement::Refused
                    }
                    Finished::GaveUp { .. } | Finished::Abandoned => {
                        report.failed += 1;
                        Settlement::NotYet
                    }
                }
            };
            let _ = outbox.settle(&key, Some(claimed.lock), how);
        }
    }

    for mut input in inputs {
        let mut raw = Vec::new();
        loop {
            let whole = match read_line(&mut input, &mut raw) {
                Ok(Some(whole)) => whole,
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "could not read on; the rest of this input is skipped");
                    report.unreadable += 1;
                    break;
                }
            };
            // Logs hold lines that are not UTF-8 (binary noise, other encodings): such a line is passed over,
            // never the lines after it.
            let line = String::from_utf8_lossy(&raw);
            let Some((key, body, origin)) = parse_line(
                line.trim_end_matches(['\n', '\r']),
                whole,
                &redaction,
                &mut report,
            ) else {
                continue;
            };
            if !done.insert(key.clone()) {
                report.already_delivered += 1;
                continue;
            }
            match send(key.clone(), body, origin).await {
                Finished::Accepted { .. } => {
                    report.delivered += 1;
                    if let Some(outbox) = outbox {
                        let _ = outbox.settle(&key, None, Settlement::Delivered);
                    }
                }
                Finished::Refused { .. } => report.refused += 1,
                Finished::GaveUp { .. } | Finished::Abandoned => {
                    report.failed += 1;
                    done.remove(&key);
                }
            }
        }
    }
    Ok(report)
}

#[cfg(all(test, feature = "test-util"))]
mod tests;

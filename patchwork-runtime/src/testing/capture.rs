//! Seeing the unsent lines a test's code writes, without reading the process's stderr.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use crate::delivery::unsent::observe;
use crate::feedback::FeedbackPayload;
use crate::feedback::unsent::parse_unsent_line;

/// One parsed unsent-feedback line.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use patchwork_runtime::testing::{Collector, capture_unsent};
/// let capture = capture_unsent();
/// let collector = Collector::start()?;
/// // a key the service refuses: the feedback is written to stderr as a replayable line
/// let patchwork = collector.patchwork("weather").api_key("a revoked key").no_outbox().build();
/// let payload = patchwork_runtime::FeedbackPayload {
///     what_i_needed: "unsent example record".into(), // unique to this test: captures see other tests' lines
///     what_i_tried: "forecast".into(),
///     ..Default::default()
/// };
/// patchwork.deliver(&payload).await;
///
/// let record = &capture.records_for("unsent example record")[0];
/// assert_eq!(record.reason, "status_401");
/// assert_eq!(record.payload.server_slug, "weather");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnsentRecord {
    /// Why it was not delivered (e.g. `status_503`, `missing_api_key`).
    pub reason: String,
    /// The feedback itself.
    pub payload: FeedbackPayload,
}

type Lines = Mutex<Vec<String>>;

static CAPTURES: Mutex<Vec<Weak<Lines>>> = Mutex::new(Vec::new());

/// Sees every unsent line written while it is alive (they still go to stderr too). Captures are
/// process-wide: tests running in parallel see each other's lines, so filter on something unique to your
/// test.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use patchwork_runtime::testing::{Collector, capture_unsent};
/// let capture = capture_unsent();
/// let collector = Collector::start()?;
/// // a key the service refuses: the feedback is written to stderr as a replayable line
/// let patchwork = collector.patchwork("weather").api_key("a revoked key").no_outbox().build();
/// let payload = patchwork_runtime::FeedbackPayload {
///     what_i_needed: "unsent example capture".into(), // unique to this test: captures see other tests' lines
///     what_i_tried: "forecast".into(),
///     ..Default::default()
/// };
/// patchwork.deliver(&payload).await;
///
/// assert_eq!(capture.records_for("unsent example capture").len(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct UnsentCapture {
    lines: Arc<Lines>,
}

/// Starts capturing unsent-feedback lines.
///
/// ```
/// let capture = patchwork_runtime::testing::capture_unsent();
/// assert!(capture.records().is_empty());
/// ```
#[must_use]
pub fn capture_unsent() -> UnsentCapture {
    observe(record);
    let lines = Arc::new(Mutex::new(Vec::new()));
    let mut captures = CAPTURES.lock().unwrap_or_else(PoisonError::into_inner);
    captures.retain(|weak| weak.strong_count() > 0);
    captures.push(Arc::downgrade(&lines));
    UnsentCapture { lines }
}

impl UnsentCapture {
    /// The raw lines captured so far.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::testing::{Collector, capture_unsent};
    /// let capture = capture_unsent();
    /// let collector = Collector::start()?;
    /// // a key the service refuses: the feedback is written to stderr as a replayable line
    /// let patchwork = collector.patchwork("weather").api_key("a revoked key").no_outbox().build();
    /// let payload = patchwork_runtime::FeedbackPayload {
    ///     what_i_needed: "unsent example lines".into(), // unique to this test: captures see other tests' lines
    ///     what_i_tried: "forecast".into(),
    ///     ..Default::default()
    /// };
    /// patchwork.deliver(&payload).await;
    ///
    /// let line = capture.lines().into_iter().find(|l| l.contains("unsent example lines")).expect("the line");
    /// assert!(line.starts_with("PATCHWORKMCP_UNSENT_FEEDBACK reason=status_401 payload={"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The captured lines, parsed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::testing::{Collector, capture_unsent};
    /// let capture = capture_unsent();
    /// let collector = Collector::start()?;
    /// // a key the service refuses: the feedback is written to stderr as a replayable line
    /// let patchwork = collector.patchwork("weather").api_key("a revoked key").no_outbox().build();
    /// let payload = patchwork_runtime::FeedbackPayload {
    ///     what_i_needed: "unsent example records".into(), // unique to this test: captures see other tests' lines
    ///     what_i_tried: "forecast".into(),
    ///     ..Default::default()
    /// };
    /// patchwork.deliver(&payload).await;
    ///
    /// assert!(capture.records().iter().any(|r| r.payload.what_i_needed == "unsent example records"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn records(&self) -> Vec<UnsentRecord> {
        self.lines()
            .iter()
            .filter_map(|line| {
                parse_unsent_line(line).map(|parsed| UnsentRecord {
                    reason: parsed.reason.to_string(),
                    payload: parsed.payload,
                })
            })
            .collect()
    }

    /// The captured records whose `what_i_needed` is `marker` (how a test finds its own among parallel
    /// tests' lines).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use patchwork_runtime::testing::{Collector, capture_unsent};
    /// let capture = capture_unsent();
    /// let collector = Collector::start()?;
    /// // a key the service refuses: the feedback is written to stderr as a replayable line
    /// let patchwork = collector.patchwork("weather").api_key("a revoked key").no_outbox().build();
    /// let payload = patchwork_runtime::FeedbackPayload {
    ///     what_i_needed: "unsent example records_for".into(), // unique to this test: captures see other tests' lines
    ///     what_i_tried: "forecast".into(),
    ///     ..Default::default()
    /// };
    /// patchwork.deliver(&payload).await;
    ///
    /// let mine = capture.records_for("unsent example records_for");
    /// assert_eq!(mine.len(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn records_for(&self, marker: &str) -> Vec<UnsentRecord> {
        self.records()
            .into_iter()
            .filter(|record| record.payload.what_i_needed == marker)
            .collect()
    }
}

fn record(line: &str) {
    let captures = CAPTURES.lock().unwrap_or_else(PoisonError::into_inner);
    for lines in captures.iter().filter_map(Weak::upgrade) {
        lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(line.to_string());
    }
}

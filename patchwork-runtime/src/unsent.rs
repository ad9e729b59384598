//! The `PATCHWORKMCP_UNSENT_FEEDBACK` line: feedback that could not be
//! delivered, written as one stderr line that log stores keep and a later
//! replay can parse back.
//!
//! Format: `PATCHWORKMCP_UNSENT_FEEDBACK reason=<reason> payload=<one-line JSON>`.
//! The reason is a single token; the payload never holds the API key.

use std::io::Write;

use crate::payload::FeedbackPayload;

/// The prefix that makes unsent feedback greppable in any log store.
pub const UNSENT_PREFIX: &str = "PATCHWORKMCP_UNSENT_FEEDBACK";

/// One parsed unsent-feedback line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentRecord {
    /// Why delivery failed (e.g. `status_503`, `missing_api_key`).
    pub reason: String,
    /// The feedback itself.
    pub payload: FeedbackPayload,
}

/// Formats the unsent line for `payload` (without a trailing newline). The
/// reason is reduced to one token (`[A-Za-z0-9_.:/-]`, others become `_`).
pub fn unsent_line(reason: &str, payload: &FeedbackPayload) -> String {
    format!(
        "{UNSENT_PREFIX} reason={} payload={}",
        reason_token(reason),
        payload.to_json_line()
    )
}

/// Parses an unsent line, also when a log store put a timestamp or other
/// prefix before it. `None` if the line holds no valid record.
///
/// ```
/// use patchwork_runtime::{FeedbackPayload, parse_unsent_line, unsent_line};
/// let payload = FeedbackPayload { what_i_needed: "a map tool".into(), ..Default::default() };
/// let line = format!("2025-01-01T00:00:00Z {}", unsent_line("status_503", &payload));
/// let record = parse_unsent_line(&line).unwrap();
/// assert_eq!(record.reason, "status_503");
/// assert_eq!(record.payload, payload);
/// ```
pub fn parse_unsent_line(line: &str) -> Option<UnsentRecord> {
    let start = line.find(UNSENT_PREFIX)?;
    let rest = line[start + UNSENT_PREFIX.len()..].strip_prefix(" reason=")?;
    let (reason, json) = rest.split_once(" payload=")?;
    let payload = serde_json::from_str(json.trim_end()).ok()?;
    Some(UnsentRecord {
        reason: reason.to_string(),
        payload,
    })
}

/// Writes the unsent line for `payload` to stderr (exactly one line) and
/// reports it through `tracing`. Never panics, even if stderr is closed.
pub fn log_unsent(reason: &str, payload: &FeedbackPayload) {
    let line = unsent_line(reason, payload);
    tracing::warn!(
        target: "patchwork_runtime::unsent",
        reason = %reason_token(reason),
        "feedback kept as unsent; replay it from the {UNSENT_PREFIX} stderr line"
    );
    let mut stderr = std::io::stderr().lock();
    // A failed write to stderr has nowhere better to go.
    let _ = writeln!(stderr, "{line}");
    let _ = stderr.flush();
    #[cfg(feature = "test-util")]
    capture::record(&line);
}

fn reason_token(reason: &str) -> String {
    let token: String = reason
        .chars()
        .take(200)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.:/-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if token.is_empty() {
        "unknown".to_string()
    } else {
        token
    }
}

#[cfg(feature = "test-util")]
pub use capture::{UnsentCapture, capture_unsent};

#[cfg(feature = "test-util")]
mod capture {
    use std::sync::{Arc, Mutex, PoisonError, Weak};

    use super::{UnsentRecord, parse_unsent_line};

    type Lines = Mutex<Vec<String>>;

    static CAPTURES: Mutex<Vec<Weak<Lines>>> = Mutex::new(Vec::new());

    /// Sees every unsent line written while it is alive (they still go to
    /// stderr too). Captures are process-wide: tests running in parallel see
    /// each other's lines, so filter on something unique to your test.
    #[derive(Debug)]
    pub struct UnsentCapture {
        lines: Arc<Lines>,
    }

    /// Starts capturing unsent-feedback lines (feature `test-util`).
    pub fn capture_unsent() -> UnsentCapture {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut captures = CAPTURES.lock().unwrap_or_else(PoisonError::into_inner);
        captures.retain(|weak| weak.strong_count() > 0);
        captures.push(Arc::downgrade(&lines));
        UnsentCapture { lines }
    }

    impl UnsentCapture {
        /// The raw lines captured so far.
        pub fn lines(&self) -> Vec<String> {
            self.lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        }

        /// The captured lines, parsed.
        pub fn records(&self) -> Vec<UnsentRecord> {
            self.lines()
                .iter()
                .filter_map(|line| parse_unsent_line(line))
                .collect()
        }
    }

    pub(super) fn record(line: &str) {
        let captures = CAPTURES.lock().unwrap_or_else(PoisonError::into_inner);
        for lines in captures.iter().filter_map(Weak::upgrade) {
            lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_become_one_token_and_lines_parse_back() {
        let payload = FeedbackPayload {
            what_i_needed: "line one\nline two payload= reason=".into(),
            ..FeedbackPayload::default()
        };
        let line = unsent_line("unreachable: connection refused payload=x", &payload);
        assert_eq!(line.lines().count(), 1);
        let record = parse_unsent_line(&line).unwrap();
        assert_eq!(record.reason, "unreachable:_connection_refused_payload_x");
        assert_eq!(record.payload, payload);
    }

    #[test]
    fn other_lines_do_not_parse() {
        assert_eq!(parse_unsent_line("hello"), None);
        assert_eq!(
            parse_unsent_line("PATCHWORKMCP_UNSENT_FEEDBACK reason=x payload={"),
            None
        );
    }
}

//! What happened to one feedback ([`Outcome`]), why it was not delivered ([`Reason`]), and the one table of
//! the texts the agent reads about it ([`Outcome::message`]).

use std::fmt;

/// Why a feedback was not delivered (or not queued). [`Reason::token`] is the short form logged in the
/// unsent line's `reason=`.
///
/// ```
/// use patchwork_runtime::{Outcome, Reason};
/// # let outcome = Outcome::Kept { reason: Reason::Status(503) };
/// if let Outcome::Kept { reason } = &outcome {
///     eprintln!("kept ({reason}); retryable: {}", reason.is_retryable());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// No API key is configured.
    MissingApiKey,
    /// The configured service URL is refused by the URL policy; `token` says how (e.g. `insecure_url`).
    InvalidUrl {
        /// A short token such as `insecure_url` or `not_a_base_url`.
        token: &'static str,
    },
    /// The service answered with this HTTP status: 429 and 5xx are retried, other statuses are final.
    Status(u16),
    /// The service did not answer within the request timeout.
    Timeout,
    /// No connection could be made.
    Connect,
    /// The service's TLS certificate was not trusted (an unknown authority, a wrong host name, expired): nothing was
    /// sent. Retried like a connection failure (a clock or a certificate may be fixed), but said apart, since it is
    /// the operator's to fix (`Builder::add_root_certificate` for a private authority).
    Certificate,
    /// The connection failed during the request.
    Transport,
    /// The request could not be built.
    InvalidRequest,
    /// The HTTP client could not start (its TLS backend failed).
    ClientUnavailable,
    /// The outbox is at its size cap.
    OutboxFull,
    /// The outbox could not be written (a read-only disk, permissions).
    OutboxUnavailable,
    /// The background worker is at its capacity and there is no outbox to wait in.
    QueueFull,
    /// The background worker could not start.
    WorkerUnavailable,
    /// The process exited before it was delivered.
    NotDeliveredBeforeExit,
}

impl Reason {
    /// The short token logged in the unsent line's `reason=` (e.g. `status_503`, `missing_api_key`).
    ///
    /// ```
    /// use patchwork_runtime::Reason;
    /// assert_eq!(Reason::Status(503).token(), "status_503");
    /// assert_eq!(Reason::MissingApiKey.token(), "missing_api_key");
    /// ```
    #[must_use]
    pub fn token(&self) -> String {
        match self {
            Self::MissingApiKey => "missing_api_key".into(),
            Self::InvalidUrl { token } => (*token).into(),
            Self::Status(status) => format!("status_{status}"),
            Self::Timeout => "unreachable:timeout".into(),
            Self::Connect => "unreachable:connect".into(),
            Self::Certificate => "unreachable:certificate".into(),
            Self::Transport => "unreachable:transport".into(),
            Self::InvalidRequest => "request_invalid".into(),
            Self::ClientUnavailable => "client_init_failed".into(),
            Self::OutboxFull => "outbox_full".into(),
            Self::OutboxUnavailable => "outbox_unavailable".into(),
            Self::QueueFull => "queue_full".into(),
            Self::WorkerUnavailable => "worker_unavailable".into(),
            Self::NotDeliveredBeforeExit => "not_delivered_before_exit".into(),
        }
    }

    /// Whether trying again later may succeed (429, 5xx, timeouts and connection failures).
    ///
    /// ```
    /// use patchwork_runtime::Reason;
    /// assert!(Reason::Status(429).is_retryable() && Reason::Timeout.is_retryable());
    /// assert!(!Reason::Status(401).is_retryable()); // a refused key stays refused
    /// ```
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status(status) => *status == 429 || (500..600).contains(status),
            Self::Timeout | Self::Connect | Self::Certificate | Self::Transport => true,
            _ => false,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.token())
    }
}

impl std::error::Error for Reason {}

/// What happened to one feedback. [`Outcome::message`] is the reply for the agent.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use patchwork_runtime::Outcome;
/// let collector = patchwork_runtime::testing::Collector::start()?;
/// let patchwork = collector.patchwork("weather").no_outbox().build();
/// let payload = patchwork_runtime::FeedbackPayload {
///     what_i_needed: "hourly forecasts".into(),
///     what_i_tried: "forecast".into(),
///     ..Default::default()
/// };
/// match patchwork.deliver(&payload).await {
///     Outcome::Delivered { attempts, .. } => assert_eq!(attempts, 1),
///     other => panic!("not delivered: {}", other.message()),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub enum Outcome {
    /// The service accepted it.
    Delivered {
        /// How many attempts it took.
        attempts: u32,
        /// The feedback's id on the service, when its answer had one.
        id: Option<String>,
    },
    /// Saved in the durable outbox; the background worker delivers it (this run or a later one).
    Queued,
    /// Handed to the background worker without a durable copy (no outbox): it is sent while the process runs.
    Sending,
    /// The same feedback was recorded moments ago; this call only raised its count.
    Repeat {
        /// How many identical calls there have been recently, this one included.
        count: u64,
    },
    /// Dry-run mode: the feedback was validated and logged; nothing was stored or sent.
    DryRun,
    /// Feedback is turned off on this server: nothing was stored or sent.
    Disabled,
    /// The server's report hook withheld it: nothing was stored or sent.
    Withheld,
    /// A ceiling was reached (reports per session an hour, one caller's share or the whole process a minute):
    /// this report was not recorded.
    Limited,
    /// Neither delivered nor queued: the feedback was written to stderr as a replayable unsent line.
    Kept {
        /// Why.
        reason: Reason,
    },
}

impl Outcome {
    /// Whether the service has accepted the feedback (only [`Outcome::Delivered`]).
    ///
    /// ```
    /// use patchwork_runtime::Outcome;
    /// assert!(Outcome::Delivered { attempts: 1, id: None }.is_delivered());
    /// assert!(!Outcome::Queued.is_delivered()); // safe in the outbox, not yet accepted
    /// ```
    #[must_use]
    pub fn is_delivered(&self) -> bool {
        matches!(self, Self::Delivered { .. })
    }

    /// The short reply for the agent. It never promises more than happened and never asks the agent to retry.
    ///
    /// ```
    /// use patchwork_runtime::{Outcome, Reason};
    /// assert!(Outcome::Queued.message().contains("queued for delivery"));
    /// let kept = Outcome::Kept { reason: Reason::MissingApiKey };
    /// assert!(kept.message().contains("no PatchworkMCP API key"));
    /// ```
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Delivered { .. } => "Thank you. Your feedback has been recorded and will be used to improve \
                 this server's capabilities."
                .to_string(),
            Self::Queued => "Thank you. Your feedback has been saved and is queued for delivery to this \
                 server's developers."
                .to_string(),
            Self::Sending => "Thank you. Your feedback has been received and will be sent to this server's \
                 developers while the server keeps running."
                .to_string(),
            Self::Repeat { count } => format!(
                "Thank you. This feedback was already recorded ({count} identical reports recently); no need \
                 to send it again."
            ),
            Self::DryRun => "Thank you. This server runs its feedback tool in dry-run mode: your feedback was \
                 checked and logged, but not sent. No need to retry."
                .to_string(),
            Self::Disabled => "Feedback is turned off on this server; nothing was recorded. No need to retry."
                .to_string(),
            Self::Withheld => "Thank you. This server's privacy settings withheld this report, so it was not \
                 recorded; nothing more is needed."
                .to_string(),
            Self::Limited => "Thank you. This server has received as many feedback reports as it takes for now, so \
                 this one was not recorded; nothing more is needed."
                .to_string(),
            Self::Kept { reason: Reason::MissingApiKey } => "Feedback was not sent because this server has no \
                 PatchworkMCP API key configured; it was kept in the server's log. No need to retry."
                .to_string(),
            Self::Kept { reason } => format!(
                "Feedback could not be delivered right now ({reason}); it was kept in the server's log for later \
                 delivery. No need to retry."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_says_what_happened_and_never_asks_for_a_retry() {
        let cases = [
            (
                Outcome::Delivered {
                    attempts: 1,
                    id: None,
                },
                "has been recorded",
            ),
            (Outcome::Queued, "saved and is queued"),
            (Outcome::Sending, "while the server keeps running"),
            (Outcome::Repeat { count: 3 }, "3 identical reports"),
            (Outcome::Withheld, "was not recorded"),
            (Outcome::Limited, "was not recorded"),
            (
                Outcome::Kept {
                    reason: Reason::MissingApiKey,
                },
                "no PatchworkMCP API key",
            ),
            (
                Outcome::Kept {
                    reason: Reason::Status(503),
                },
                "(status_503)",
            ),
        ];
        for (outcome, needle) in cases {
            let text = outcome.message();
            assert!(text.contains(needle), "{text}");
            assert!(!text.to_lowercase().contains("please retry"), "{text}");
        }
    }

    #[test]
    fn retryable_reasons_are_the_contract_ones() {
        for status in [429, 500, 502, 503, 504] {
            assert!(Reason::Status(status).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 413] {
            assert!(!Reason::Status(status).is_retryable(), "{status}");
        }
        assert!(Reason::Timeout.is_retryable() && Reason::Connect.is_retryable());
        assert!(!Reason::MissingApiKey.is_retryable());
    }
}

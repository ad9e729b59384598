//! The self-check users see: whether PatchworkMCP accepts the key and the slug. Told once at start, in one line,
//! from the heartbeat's first answer, and by `patchwork-replay check` (one heartbeat of its own). The key is
//! never told, only whether it was accepted.

use serde_json::json;

use super::Patchwork;
use crate::config::{Layer, Mode, Settings};
use crate::contract::texts::HEARTBEAT_PATH;
use crate::delivery::{Attempt, Client, Reason, Request, RetryPolicy, Target};
use crate::feedback::Origin;

/// What the service answered about the key and the slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Acceptance {
    /// A 2xx: both are good.
    Accepted,
    /// 401 or 403: the key is refused.
    KeyRefused(u16),
    /// 404: the slug is not one the service knows.
    SlugUnknown,
    /// Another final answer.
    Refused(Reason),
    /// No answer that says (unreachable, a timeout, 429 or 5xx).
    Unanswered(Reason),
}

impl Acceptance {
    /// What one heartbeat attempt says.
    pub(crate) fn of(attempt: &Attempt) -> Self {
        match attempt {
            Attempt::Accepted { .. } => Self::Accepted,
            Attempt::Refused(Reason::Status(status @ (401 | 403))) => Self::KeyRefused(*status),
            Attempt::Refused(Reason::Status(404)) => Self::SlugUnknown,
            Attempt::Refused(reason) => Self::Refused(reason.clone()),
            Attempt::Retryable { reason, .. } => Self::Unanswered(reason.clone()),
        }
    }

    /// Whether the service accepted both.
    pub(crate) fn is_accepted(&self) -> bool {
        *self == Self::Accepted
    }

    /// What the answer means, in plain words.
    pub(crate) fn describe(&self, slug: &str) -> String {
        match self {
            Self::Accepted => format!("PatchworkMCP accepted the key and slug `{slug}`"),
            Self::KeyRefused(status) => format!(
                "PatchworkMCP refused the API key (HTTP {status}; check PATCHWORKMCP_API_KEY or Builder::api_key)"
            ),
            Self::SlugUnknown => format!(
                "PatchworkMCP does not know the slug `{slug}` (HTTP 404; check the attribute's `slug`, Builder::slug \
                 or PATCHWORKMCP_SERVER_SLUG, and that the URL is PatchworkMCP's)"
            ),
            Self::Refused(reason) => {
                format!("PatchworkMCP refused the check of the key and slug `{slug}` ({reason})")
            }
            Self::Unanswered(reason) => format!(
                "PatchworkMCP could not be reached to check the key and slug `{slug}` ({reason})"
            ),
        }
    }

    /// The line at start: info when accepted, else a warning saying what happens to feedback meanwhile (`outbox`:
    /// whether undelivered feedback waits in an outbox).
    pub(crate) fn log_at_start(&self, slug: &str, outbox: bool) {
        let said = self.describe(slug);
        match self {
            Self::Accepted => tracing::info!("{said}"),
            Self::KeyRefused(_) | Self::SlugUnknown | Self::Refused(_) => tracing::warn!(
                "{said}: feedback is refused until this is fixed; each report is kept as an unsent line in the log{}",
                if outbox {
                    " and in the outbox's rejected/"
                } else {
                    ""
                }
            ),
            Self::Unanswered(_) => tracing::warn!(
                "{said}: feedback is kept {} and delivered when the service answers",
                if outbox {
                    "in the outbox"
                } else {
                    "in memory while the server runs (an unsent line in the log if it cannot be delivered)"
                }
            ),
        }
    }
}

/// The line at start when no heartbeat runs. No request of our own: a heartbeat carries the tool list, and an
/// empty one would tell the service the server has no tools.
pub(super) fn not_checked_at_start(slug: &str) {
    tracing::info!(
        "PatchworkMCP key and slug `{slug}` not checked at start: no heartbeat was asked for (Builder::heartbeat \
         checks them with the server's tool list; `patchwork-replay check` checks them now); the first delivered \
         report is logged"
    );
}

impl Patchwork {
    /// Says once, at warn, what keeps feedback from being delivered (no key, no slug, a refused URL), and at
    /// info which mode and service are in use. Never the key.
    pub(super) fn report_configuration(&self) {
        let destination = self.inner.destination(&Layer::default());
        let settings = &destination.settings;
        match self.inner.mode {
            Mode::Off => tracing::info!("PatchworkMCP feedback is off: nothing is stored or sent"),
            Mode::DryRun => tracing::info!(
                "PatchworkMCP feedback runs dry: feedback is checked and logged, not sent"
            ),
            Mode::Live => {
                if settings.api_key.is_none() {
                    tracing::warn!(
                        "no PatchworkMCP API key (PATCHWORKMCP_API_KEY): feedback is kept in the log, not sent"
                    );
                }
                if settings.slug.is_none() {
                    tracing::warn!(
                        "no PatchworkMCP server slug (attribute `slug`, Builder::slug or PATCHWORKMCP_SERVER_SLUG): \
                         feedback is filed under `unknown` (a slug the agent writes is not used), and no heartbeat \
                         is sent"
                    );
                }
                match &settings.url {
                    Ok(url) => tracing::info!(%url, "PatchworkMCP feedback goes to this service"),
                    Err(error) => {
                        tracing::warn!(%error, "the PatchworkMCP URL is refused: feedback is kept in the log, not sent")
                    }
                }
            }
        }
    }
}

/// The heartbeat's body: the slug and the server's tool list.
pub(crate) fn heartbeat_body(slug: &str, tool_names: &[String]) -> String {
    json!({
        "server_slug": slug,
        "tool_count": tool_names.len(),
        "tool_names": tool_names,
    })
    .to_string()
}

/// A heartbeat request: no idempotency key (each beat is new), nothing repeated or dropped.
pub(crate) fn heartbeat_request<'a>(target: &'a Target, body: &'a str) -> Request<'a> {
    Request {
        target,
        body,
        idempotency_key: None,
        repeat_count: 1,
        tools_dropped: 0,
        origin: Origin::Report,
        redactions: "",
    }
}

/// One heartbeat for `slug` with the server's `tool_names`, and what its answer says: a single request, bounded by the
/// reference request timeout, no retries. `Err` when nothing can be sent (no key, a refused URL).
pub(crate) async fn check_once(
    client: &Client,
    settings: &Settings,
    slug: &str,
    tool_names: &[String],
) -> Result<Acceptance, Reason> {
    let target = Target::at(settings, HEARTBEAT_PATH)?;
    let body = heartbeat_body(slug, tool_names);
    let attempt = client
        .attempt(
            heartbeat_request(&target, &body),
            RetryPolicy::reference().request_timeout(),
        )
        .await;
    Ok(Acceptance::of(&attempt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_is_told_in_plain_words_and_the_line_says_where_feedback_goes() {
        let cases = [
            (
                Attempt::Accepted { id: None },
                "accepted the key and slug `s`",
                " INFO ",
            ),
            (
                Attempt::Refused(Reason::Status(401)),
                "refused the API key (HTTP 401",
                " WARN ",
            ),
            (
                Attempt::Refused(Reason::Status(403)),
                "refused the API key (HTTP 403",
                " WARN ",
            ),
            (
                Attempt::Refused(Reason::Status(404)),
                "does not know the slug `s`",
                " WARN ",
            ),
            (
                Attempt::Refused(Reason::Status(400)),
                "(status_400)",
                " WARN ",
            ),
            (
                Attempt::Retryable {
                    reason: Reason::Connect,
                    retry_after: None,
                },
                "could not be reached to check the key and slug `s` (unreachable:connect)",
                " WARN ",
            ),
        ];
        for (attempt, needle, level) in cases {
            let acceptance = Acceptance::of(&attempt);
            let ((), lines) = crate::test_logs::logged(|| acceptance.log_at_start("s", true));
            assert_eq!(lines.len(), 1, "exactly one line: {lines:?}");
            assert!(
                lines[0].contains(needle) && lines[0].contains(level),
                "{lines:?}"
            );
            assert_eq!(acceptance.is_accepted(), level == " INFO ");
        }
        let unanswered = Acceptance::Unanswered(Reason::Timeout);
        let ((), with) = crate::test_logs::logged(|| unanswered.log_at_start("s", true));
        let ((), without) = crate::test_logs::logged(|| unanswered.log_at_start("s", false));
        assert!(with[0].contains("kept in the outbox"), "{with:?}");
        assert!(without[0].contains("kept in memory"), "{without:?}");
    }

    #[cfg(feature = "test-util")]
    mod at_start {
        use std::time::Duration;

        use crate::FeedbackPayload;
        use crate::test_logs::capture;
        use crate::testing::{Collector, refusing_url};

        const WAIT: Duration = Duration::from_secs(60);

        /// The lines about the key and the slug.
        fn about_the_key(lines: &[String]) -> Vec<&String> {
            lines
                .iter()
                .filter(|line| line.contains("slug `") || line.contains("API key"))
                .collect()
        }

        #[test]
        fn one_line_at_start_tells_the_first_heartbeat_answer() {
            let collector = Collector::start().expect("collector");
            let (_refusing, refusing) = refusing_url().expect("a refusing address");
            let dir = tempfile::tempdir().expect("tempdir");
            let cases: [(&dyn Fn() -> crate::Builder, &str, &str); 4] = [
                (
                    &|| collector.patchwork("start").no_outbox(),
                    "PatchworkMCP accepted the key and slug `start`",
                    " INFO ",
                ),
                (
                    &|| {
                        collector
                            .patchwork("start")
                            .no_outbox()
                            .api_key("wrong-key")
                    },
                    "PatchworkMCP refused the API key (HTTP 401",
                    " WARN ",
                ),
                (
                    &|| {
                        collector.fail_next(1, 404);
                        collector.patchwork("start").no_outbox()
                    },
                    "PatchworkMCP does not know the slug `start` (HTTP 404",
                    " WARN ",
                ),
                (
                    &|| {
                        collector
                            .patchwork("start")
                            .url(refusing.clone())
                            .outbox_dir(dir.path())
                    },
                    "(unreachable:connect): feedback is kept in the outbox and delivered when the service answers",
                    " WARN ",
                ),
            ];
            for (builder, needle, level) in cases {
                let (logs, guard) = capture(tracing::Level::INFO);
                let patchwork = builder().heartbeat(["search", "feedback"]).build();
                let line = logs.wait_for(needle, WAIT).expect("the line at start");
                assert!(line.contains(level), "{line}");
                drop(patchwork);
                drop(guard);
                let lines = logs.lines();
                assert_eq!(
                    about_the_key(&lines).len(),
                    1,
                    "exactly one line: {lines:#?}"
                );
                assert!(
                    !lines
                        .iter()
                        .any(|l| l.contains(Collector::DEFAULT_API_KEY) || l.contains("wrong-key"))
                );
            }
        }

        #[test]
        fn without_a_heartbeat_the_line_says_nothing_was_checked_and_nothing_is_sent() {
            let collector = Collector::start().expect("collector");
            let (logs, guard) = capture(tracing::Level::INFO);
            let patchwork = collector.patchwork("quiet").no_outbox().build();
            drop(guard);
            let lines = logs.lines();
            let about = about_the_key(&lines);
            assert_eq!(about.len(), 1, "{lines:#?}");
            assert!(
                about[0].contains("key and slug `quiet` not checked at start"),
                "{about:?}"
            );
            drop(patchwork);
            assert!(collector.requests().is_empty());
        }

        #[test]
        fn the_first_delivered_report_is_logged_at_info_and_later_ones_are_not() {
            let collector = Collector::start().expect("collector");
            let dir = tempfile::tempdir().expect("tempdir");
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let first = "accepted the first feedback report of this run";
            let payload = |what: &str| FeedbackPayload {
                what_i_needed: what.into(),
                what_i_tried: "t".into(),
                ..FeedbackPayload::default()
            };
            for awaited in [false, true] {
                let (logs, guard) = capture(tracing::Level::INFO);
                let patchwork = collector.patchwork("first").outbox_dir(dir.path()).build();
                runtime.block_on(async {
                    for n in 0..3 {
                        let report = payload(&format!("report {n} {awaited}"));
                        if awaited {
                            assert!(patchwork.deliver(&report).await.is_delivered());
                        } else {
                            let _ = patchwork.enqueue(&report).await;
                        }
                    }
                    assert!(patchwork.flush(WAIT).await.settled());
                });
                drop(patchwork);
                drop(guard);
                let lines = logs.lines();
                let told: Vec<_> = lines.iter().filter(|line| line.contains(first)).collect();
                assert_eq!(told.len(), 1, "awaited {awaited}: {lines:#?}");
                assert!(told[0].contains(" INFO "), "{told:?}");
            }
            assert_eq!(collector.feedback().len(), 6);
        }
    }
}

//! Replay: re-sends what the outbox holds and `PATCHWORKMCP_UNSENT_FEEDBACK` lines taken from any
//! log, skipping what was already delivered. The `patchwork-replay` command is a thin wrapper.
//!
//! Each feedback is sent with its idempotency key: an outbox item's own key, or for a logged line
//! a key derived from its payload (the same one the reporter used when it logged the line), so
//! replaying twice, or replaying what the reporter also delivered, repeats a key the service can
//! recognise. Keys delivered before (the outbox's ledger) are skipped.

use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;

use crate::delivery::{Deliverer, DeliveryOutcome};
use crate::options::{DeliveryConfig, FEEDBACK_PATH, ResolvedOptions, normalized_base_url};
use crate::outbox::{Claim, IdempotencyKey, Outbox, OutboxItem};
use crate::reporter::IDEMPOTENCY_KEY_HEADER;
use crate::unsent::{UNSENT_PREFIX, parse_unsent_line};

/// What a replay did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
    /// Outbox items addressed to another service URL, left alone.
    pub other_service: u64,
}

impl fmt::Display for ReplayReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "delivered {}, already delivered {}, failed {}, refused {}, unreadable {}, for another service {}",
            self.delivered,
            self.already_delivered,
            self.failed,
            self.refused,
            self.unreadable,
            self.other_service
        )
    }
}

/// Replays the outbox (if given) and then every line of `inputs` to the service `resolved`
/// names. `Err` only when nothing can be sent at all (no API key, a refused URL).
pub async fn replay(
    outbox: Option<&Outbox>,
    inputs: Vec<Box<dyn BufRead>>,
    resolved: &ResolvedOptions,
) -> Result<ReplayReport, String> {
    let api_key = resolved
        .api_key
        .clone()
        .ok_or("no API key: set PATCHWORKMCP_API_KEY")?;
    let endpoint = resolved
        .endpoint(FEEDBACK_PATH)
        .map_err(|error| error.to_string())?;
    let deliverer = Deliverer::new(DeliveryConfig::default()).map_err(|error| error.to_string())?;
    let base = normalized_base_url(&resolved.base_url);
    let mut done: HashSet<IdempotencyKey> = outbox.map(Outbox::delivered_keys).unwrap_or_default();
    let mut report = ReplayReport::default();

    let send = |key: IdempotencyKey, body: String| {
        let (deliverer, endpoint, api_key) = (&deliverer, &endpoint, &api_key);
        async move {
            let headers = [(IDEMPOTENCY_KEY_HEADER, key.as_str())];
            deliverer
                .deliver_with_headers(endpoint, api_key, &body, &headers)
                .await
        }
    };

    if let Some(outbox) = outbox {
        let pending = outbox.pending().map_err(|error| error.to_string())?;
        for entry in pending {
            let claimed = match outbox.try_claim(&entry) {
                Ok(Claim::Claimed(claimed)) => claimed,
                Ok(Claim::Corrupt) => {
                    report.unreadable += 1;
                    continue;
                }
                Ok(Claim::Busy | Claim::Gone) | Err(_) => continue,
            };
            let item = claimed.item().clone();
            if normalized_base_url(&item.url) != base {
                report.other_service += 1;
                continue;
            }
            if done.contains(&item.key) {
                report.already_delivered += 1;
                let _ = outbox.complete(claimed);
                continue;
            }
            match send(item.key.clone(), item.payload.to_string()).await {
                DeliveryOutcome::Delivered { .. } => {
                    report.delivered += 1;
                    let _ = outbox.complete(claimed);
                    done.insert(item.key);
                }
                DeliveryOutcome::Failed {
                    retryable: false, ..
                } => {
                    report.refused += 1;
                    let _ = outbox.reject(claimed);
                }
                DeliveryOutcome::Failed {
                    retryable: true, ..
                } => report.failed += 1,
            }
        }
    }

    for mut input in inputs {
        let mut raw = Vec::new();
        loop {
            raw.clear();
            match input.read_until(b'\n', &mut raw) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "could not read on; the rest of this input is skipped");
                    report.unreadable += 1;
                    break;
                }
            }
            // Logs hold lines that are not UTF-8 (binary noise, other encodings): such a line is
            // passed over, never the lines after it.
            let line = String::from_utf8_lossy(&raw);
            let Some((key, body)) = parse_line(line.trim_end_matches(['\n', '\r']), &mut report)
            else {
                continue;
            };
            if !done.insert(key.clone()) {
                report.already_delivered += 1;
                continue;
            }
            match send(key.clone(), body).await {
                DeliveryOutcome::Delivered { .. } => {
                    report.delivered += 1;
                    if let Some(outbox) = outbox {
                        outbox.record_delivered(&key);
                    }
                }
                DeliveryOutcome::Failed {
                    retryable: false, ..
                } => report.refused += 1,
                DeliveryOutcome::Failed {
                    retryable: true, ..
                } => {
                    report.failed += 1;
                    done.remove(&key);
                }
            }
        }
    }
    Ok(report)
}

/// A feedback's key and body from one input line: an unsent line (anywhere in a log line) or an
/// outbox item line. Other lines are not feedback and are passed over.
fn parse_line(line: &str, report: &mut ReplayReport) -> Option<(IdempotencyKey, String)> {
    if line.contains(UNSENT_PREFIX) {
        let Some(record) = parse_unsent_line(line) else {
            tracing::warn!("skipped an unsent-feedback line that does not parse (torn?)");
            report.unreadable += 1;
            return None;
        };
        let body = record.payload.to_json_line();
        return Some((IdempotencyKey::from_content(body.as_bytes()), body));
    }
    if line.trim_start().starts_with("{\"key\"") {
        let Ok(item) = serde_json::from_str::<OutboxItem>(line) else {
            tracing::warn!("skipped an outbox line that does not parse (torn?)");
            report.unreadable += 1;
            return None;
        };
        return Some((item.key, item.payload.to_string()));
    }
    None
}

#[cfg(all(test, feature = "test-util"))]
mod tests {
    use super::*;
    use crate::collector::Collector;
    use crate::outbox::OutboxLimits;
    use crate::payload::FeedbackPayload;
    use crate::unsent::unsent_line;

    fn payload(what: &str) -> FeedbackPayload {
        FeedbackPayload {
            server_slug: "replay".into(),
            what_i_needed: what.into(),
            what_i_tried: "x".into(),
            ..Default::default()
        }
    }

    fn input(text: String) -> Vec<Box<dyn BufRead>> {
        vec![Box::new(std::io::Cursor::new(text.into_bytes()))]
    }

    #[tokio::test]
    async fn replays_outbox_and_log_lines_once_and_skips_them_the_second_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let collector = Collector::start().expect("collector");
        let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
        for n in 0..2 {
            let body = serde_json::to_value(payload(&format!("boxed {n}"))).expect("json");
            outbox
                .append(&OutboxItem::new(collector.url(), body))
                .expect("append");
        }
        let foreign = OutboxItem::new("https://elsewhere.example", serde_json::json!({}));
        outbox.append(&foreign).expect("append");
        let logged = unsent_line("status_503", &payload("logged"));
        let torn = &logged[..logged.len() - 10];
        let log =
            format!("2026-01-01 server started\n2026-01-01 {logged}\n{logged}\nnoise\n{torn}");
        let resolved = ResolvedOptions::resolve(Some(&collector.options("replay")));

        let first = replay(Some(&outbox), input(log.clone()), &resolved)
            .await
            .expect("replay");
        assert_eq!(
            first,
            ReplayReport {
                delivered: 3,
                already_delivered: 1,
                unreadable: 1,
                other_service: 1,
                ..Default::default()
            },
            "{first}"
        );
        assert_eq!(collector.feedback().len(), 3);
        let keys: HashSet<_> = collector
            .requests()
            .iter()
            .filter_map(|r| r.header(IDEMPOTENCY_KEY_HEADER).map(str::to_string))
            .collect();
        assert_eq!(keys.len(), 3);

        let second = replay(Some(&outbox), input(log), &resolved)
            .await
            .expect("replay");
        assert_eq!(second.delivered, 0, "{second}");
        assert_eq!(second.already_delivered, 2);
        assert_eq!(collector.feedback().len(), 3);
    }

    #[tokio::test]
    async fn a_refused_item_is_rejected_and_one_that_keeps_failing_counts_as_failed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let collector = Collector::start().expect("collector");
        let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
        let body = serde_json::to_value(payload("refused")).expect("json");
        outbox
            .append(&OutboxItem::new(collector.url(), body))
            .expect("append");
        let resolved = ResolvedOptions::resolve(Some(&collector.options("replay")));

        collector.fail_next(1, 400);
        let refused = replay(Some(&outbox), Vec::new(), &resolved)
            .await
            .expect("replay");
        assert_eq!(
            refused,
            ReplayReport {
                refused: 1,
                ..Default::default()
            },
            "{refused}"
        );
        assert!(
            outbox.pending().expect("pending").is_empty(),
            "moved to rejected/"
        );
        assert_eq!(collector.requests().len(), 1, "a refusal is not retried");

        collector.fail_next(3, 503);
        let logged = unsent_line("status_503", &payload("still failing"));
        let failed = replay(None, input(logged), &resolved)
            .await
            .expect("replay");
        assert_eq!(
            failed,
            ReplayReport {
                failed: 1,
                ..Default::default()
            },
            "{failed}"
        );
        assert_eq!(collector.requests().len(), 4, "one attempt and two retries");
    }

    #[tokio::test]
    async fn a_line_that_is_not_utf8_does_not_hide_the_lines_after_it() {
        let collector = Collector::start().expect("collector");
        let mut log = b"2026-01-01 binary noise \xff\xfe\n".to_vec();
        log.extend_from_slice(unsent_line("status_503", &payload("after the noise")).as_bytes());
        log.extend_from_slice(b"\r\n");
        let inputs: Vec<Box<dyn BufRead>> = vec![Box::new(std::io::Cursor::new(log))];
        let resolved = ResolvedOptions::resolve(Some(&collector.options("replay")));
        let report = replay(None, inputs, &resolved).await.expect("replay");
        assert_eq!(report.delivered, 1, "{report}");
        assert_eq!(collector.feedback()[0].what_i_needed, "after the noise");
    }

    #[tokio::test]
    async fn without_a_key_replay_refuses_to_start() {
        let mut resolved = ResolvedOptions::resolve(None);
        resolved.api_key = None;
        let error = replay(None, Vec::new(), &resolved)
            .await
            .expect_err("no key");
        assert!(error.contains("PATCHWORKMCP_API_KEY"));
    }
}

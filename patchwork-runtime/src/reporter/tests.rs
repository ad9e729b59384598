//! Reporter behaviour against the local collector over real loopback HTTP. Waits are on events
//! (collector arrivals, flush) with wide bounds; retry schedules are shortened so storms end fast.

use super::*;
use crate::config::{Layer, Options, resolve};
use crate::delivery::{Destination, IDEMPOTENCY_KEY_HEADER, IdempotencyKey, Outcome, Reason};
use crate::feedback::{FeedbackPayload, Prepared};
use crate::outbox::OutboxItem;
use crate::testing::{Collector, capture_unsent};
use std::path::Path;
use std::time::Instant as StdInstant;

const WAIT: Duration = Duration::from_secs(60);
const REPEAT_COUNT_HEADER: &str = "Patchwork-Repeat-Count";

fn fast_retry() -> RetryPolicy {
    RetryPolicy::background()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(50))
}

fn fast_config(outbox: OutboxSetting) -> ReporterConfig {
    ReporterConfig {
        outbox,
        retry: fast_retry(),
        ..ReporterConfig::default()
    }
}

fn prepared(what: &str) -> Prepared {
    Prepared::new(
        payload(what),
        &crate::feedback::redact::Redaction::standard(),
        crate::feedback::redact::Filled::default(),
    )
}

fn in_dir(dir: &Path) -> OutboxSetting {
    OutboxSetting::Dir(dir.to_path_buf())
}

fn payload(what: &str) -> FeedbackPayload {
    FeedbackPayload {
        server_slug: "reporter-test".into(),
        what_i_needed: what.into(),
        what_i_tried: "everything".into(),
        ..Default::default()
    }
}

fn settings_of(options: &Options) -> Arc<Destination> {
    Arc::new(Destination::new(resolve(&[&Layer::from(options)], &|_| {
        None
    })))
}

fn resolved(collector: &Collector) -> Arc<Destination> {
    settings_of(&collector.options("reporter-test"))
}

fn resolved_at(url: &str) -> Arc<Destination> {
    settings_of(&Options {
        patchwork_url: Some(url.to_string()),
        api_key: Some(Collector::DEFAULT_API_KEY.to_string()),
        server_slug: Some("reporter-test".to_string()),
    })
}

/// A submission that recorded an item: its outcome and key.
fn recorded(submission: Submission) -> (Outcome, IdempotencyKey) {
    match submission {
        Submission {
            outcome,
            key: Some(key),
        } => (outcome, key),
        other => panic!("not recorded: {other:?}"),
    }
}

fn keys_received(collector: &Collector) -> Vec<String> {
    collector
        .requests()
        .iter()
        .filter(|r| r.status == Some(201))
        .filter_map(|r| r.header(IDEMPOTENCY_KEY_HEADER).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn submit_returns_recorded_and_the_worker_delivers_with_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let reporter = Reporter::start(fast_config(in_dir(dir.path())));

    let submitted = reporter
        .submit(&prepared("a calendar tool"), &resolved(&collector))
        .await;
    let (outcome, key) = recorded(submitted);
    assert_eq!(outcome, Outcome::Queued);
    let key = &key;

    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(keys_received(&collector), vec![key.to_string()]);
    assert_eq!(collector.feedback()[0].what_i_needed, "a calendar tool");
    let outbox = reporter.outbox().expect("outbox");
    assert!(outbox.pending().expect("list").is_empty());
    assert!(outbox.delivered_keys().contains(key));
    assert_eq!(reporter.stats().delivered, 1);
}

#[tokio::test]
async fn a_503_storm_is_retried_with_one_key_until_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.fail_next(5, 503);
    let reporter = Reporter::start(fast_config(in_dir(dir.path())));
    let submitted = reporter
        .submit(&prepared("storm"), &resolved(&collector))
        .await;
    let (_, key) = recorded(submitted);
    assert!(reporter.flush(WAIT).await.settled());
    let requests = collector.requests();
    assert_eq!(requests.len(), 6, "five 503s, then the accepted one");
    for request in &requests {
        assert_eq!(request.header(IDEMPOTENCY_KEY_HEADER), Some(key.as_str()));
    }
    assert_eq!(collector.feedback().len(), 1);
    assert!(
        reporter
            .outbox()
            .expect("outbox")
            .pending()
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn retry_after_is_honoured_before_the_next_attempt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.rate_limit_next(1, 1);
    let reporter = Reporter::start(fast_config(in_dir(dir.path())));
    let started = StdInstant::now();
    reporter
        .submit(&prepared("rate limited"), &resolved(&collector))
        .await;
    assert!(reporter.flush(WAIT).await.settled());
    // Our own backoff is at most 50 ms here; only the Retry-After explains a 1 s wait.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(collector.requests().len(), 2);
    assert_eq!(collector.feedback().len(), 1);
}

#[tokio::test]
async fn a_final_refusal_moves_the_item_to_rejected_and_logs_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.fail_next(1, 400);
    let capture = capture_unsent();
    let reporter = Reporter::start(fast_config(in_dir(dir.path())));
    reporter
        .submit(&prepared("refused-4f1c"), &resolved(&collector))
        .await;
    assert!(reporter.flush(WAIT).await.settled());

    assert_eq!(collector.requests().len(), 1, "a 400 is not retried");
    assert_eq!(reporter.stats().rejected, 1);
    assert!(
        reporter
            .outbox()
            .expect("outbox")
            .pending()
            .expect("list")
            .is_empty()
    );
    let rejected = std::fs::read_dir(dir.path().join("rejected"))
        .expect("rejected/")
        .count();
    assert_eq!(rejected, 1);
    let logged: Vec<_> = capture
        .records()
        .into_iter()
        .filter(|r| r.payload.what_i_needed == "refused-4f1c")
        .collect();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].reason, "status_400");
}

#[tokio::test]
async fn past_its_deadline_an_item_stays_in_the_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reporter = Reporter::start(ReporterConfig {
        retry: fast_retry().with_deadline(Duration::from_millis(300)),
        ..fast_config(in_dir(dir.path()))
    });
    let (_socket, url) = crate::testing::refusing_url().expect("a refusing address");
    let submitted = reporter
        .submit(&prepared("unreachable"), &resolved_at(&url))
        .await;
    let (outcome, key) = recorded(submitted);
    assert_eq!(outcome, Outcome::Queued);
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(reporter.stats().deferred, 1);
    let pending = reporter.outbox().expect("outbox").pending().expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].key, key);
}

/// A reporter on the outbox in `dir`, and the key of one new feedback it recorded for `collector` (which makes
/// it drain what waits there for that service).
async fn start_and_submit_one(dir: &Path, collector: &Collector) -> (Reporter, IdempotencyKey) {
    let reporter = Reporter::start(fast_config(in_dir(dir)));
    let (_, key) = recorded(
        reporter
            .submit(&prepared("new"), &resolved(collector))
            .await,
    );
    (reporter, key)
}

#[tokio::test]
async fn items_an_earlier_run_left_are_drained_when_their_url_is_seen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let earlier = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    let owner = resolved(&collector).target.clone().expect("target");
    let mut left = Vec::new();
    for n in 0..3 {
        let body = payload(&format!("left {n}")).to_json_line();
        let item = OutboxItem::new(&owner.base, &owner.key_id, "reporter-test", &body);
        earlier.append(&item).expect("append");
        left.push(item.key.to_string());
    }
    // An item for another service stays untouched.
    let foreign = OutboxItem::new("https://elsewhere.example", "", "other", "{}");
    earlier.append(&foreign).expect("append");

    let (reporter, key) = start_and_submit_one(dir.path(), &collector).await;
    collector
        .wait_for_requests(4, WAIT)
        .await
        .expect("all four arrive");
    assert!(reporter.flush(WAIT).await.settled());
    let mut received = keys_received(&collector);
    received.sort();
    left.push(key.to_string());
    left.sort();
    assert_eq!(received, left);
    let pending = earlier.pending().expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].key, foreign.key);
}

#[tokio::test]
async fn an_item_without_a_key_fingerprint_is_left_for_replay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let earlier = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    // Written by a version before fingerprints: it proves no key, so this process does not send it as its own.
    let body = payload("legacy").to_json_line();
    let legacy = OutboxItem::new(collector.url(), "", "reporter-test", &body);
    earlier.append(&legacy).expect("append");

    let (reporter, key) = start_and_submit_one(dir.path(), &collector).await;
    collector
        .wait_for_feedback(1, WAIT)
        .await
        .expect("the new item arrives");
    // One more drain, here and now: whatever it takes is in flight before the flush.
    worker::drain(&reporter.shared);
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(keys_received(&collector), vec![key.to_string()]);
    let pending = earlier.pending().expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].key, legacy.key);
}

#[tokio::test]
async fn identical_feedback_in_a_flood_is_sent_once_with_a_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let reporter = Reporter::start(ReporterConfig {
        max_concurrent: 1,
        ..fast_config(in_dir(dir.path()))
    });
    // Holding the only request slot keeps the first attempt back until the repeats are in,
    // without depending on timing.
    let slot = reporter
        .shared
        .pacing
        .permits
        .try_acquire()
        .expect("the only slot");
    let options = resolved(&collector);
    let first = reporter.submit(&prepared("loop"), &options).await;
    assert_eq!(first.outcome, Outcome::Queued);
    for n in 2..=500 {
        let repeat = reporter.submit(&prepared("loop"), &options).await;
        assert_eq!(repeat.outcome, Outcome::Repeat { count: n });
    }
    drop(slot);
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(collector.requests().len(), 1);
    assert_eq!(reporter.stats().repeats, 499);
    assert_eq!(
        collector.requests()[0].header(REPEAT_COUNT_HEADER),
        Some("500"),
        "the attempt carries every repeat seen before it"
    );
    // Another session's identical text is its own feedback.
    let other = FeedbackPayload {
        session_id: "other".into(),
        ..payload("loop")
    };
    assert_eq!(
        reporter
            .submit(
                &Prepared::new(
                    other,
                    &crate::feedback::redact::Redaction::standard(),
                    crate::feedback::redact::Filled::default(),
                ),
                &options
            )
            .await
            .outcome,
        Outcome::Queued
    );
}

#[tokio::test]
async fn with_the_outbox_off_feedback_is_delivered_from_memory() {
    let collector = Collector::start().expect("collector");
    let reporter = Reporter::start(fast_config(OutboxSetting::Off));
    let submitted = reporter
        .submit(&prepared("no disk"), &resolved(&collector))
        .await;
    assert_eq!(submitted.outcome, Outcome::Sending);
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(collector.feedback().len(), 1);
}

/// A full outbox, with no room in the worker's hands either: the report is kept, and the reason the caller is told
/// is the one its unsent line gives (the outbox is full, not unwritable).
#[tokio::test]
async fn a_full_outbox_with_no_room_in_hand_keeps_the_report_for_being_full() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.never_answer_next(1);
    let capture = capture_unsent();
    let reporter = Reporter::start(ReporterConfig {
        queue_capacity: 1,
        outbox_limits: crate::outbox::OutboxLimits {
            max_items: 1,
            ..crate::outbox::OutboxLimits::default()
        },
        retry: fast_retry().with_request_timeout(Duration::from_secs(30)),
        ..fast_config(in_dir(dir.path()))
    });
    let first = reporter
        .submit(&prepared("first-3b9e"), &resolved(&collector))
        .await;
    assert_eq!(first.outcome, Outcome::Queued);
    let second = reporter
        .submit(&prepared("second-3b9e"), &resolved(&collector))
        .await;
    assert_eq!(
        second.outcome,
        Outcome::Kept {
            reason: Reason::OutboxFull
        }
    );
    // Other tests of this binary log too: only this test's reports count.
    let lines: Vec<_> = capture
        .records()
        .into_iter()
        .filter(|record| record.payload.what_i_needed.ends_with("-3b9e"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].reason, "outbox_full");
    assert_eq!(lines[0].payload.what_i_needed, "second-3b9e");
}

#[tokio::test]
async fn an_unwritable_outbox_falls_back_to_the_stderr_line_and_still_delivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let collector = Collector::start().expect("collector");
    let capture = capture_unsent();
    let reporter = Reporter::start(fast_config(in_dir(&file.join("outbox"))));
    assert!(reporter.outbox().is_none());

    let feedback = payload("read-only-7d2e");
    let submitted = reporter
        .submit(
            &Prepared::new(
                feedback.clone(),
                &crate::feedback::redact::Redaction::standard(),
                crate::feedback::redact::Filled::default(),
            ),
            &resolved(&collector),
        )
        .await;
    let (outcome, key) = recorded(submitted);
    assert_eq!(outcome, Outcome::Sending);
    assert_eq!(
        key,
        IdempotencyKey::from_content(feedback.to_json_line().as_bytes())
    );
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(keys_received(&collector), vec![key.to_string()]);
    let logged = capture
        .records_for("read-only-7d2e")
        .into_iter()
        .map(|r| r.reason)
        .collect::<Vec<_>>();
    assert_eq!(logged, vec!["outbox_unavailable".to_string()]);
}

#[cfg(unix)]
#[tokio::test]
async fn an_outbox_others_can_write_is_not_used_and_feedback_still_goes_out() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("mkdir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let collector = Collector::start().expect("collector");
    let capture = capture_unsent();
    let reporter = Reporter::start(fast_config(in_dir(&shared)));
    assert!(reporter.outbox().is_none(), "refused");
    assert_eq!(
        std::fs::read_dir(&shared).expect("list").count(),
        0,
        "nothing written in it"
    );
    let (outcome, key) = recorded(
        reporter
            .submit(&prepared("shared-dir-5c1a"), &resolved(&collector))
            .await,
    );
    assert_eq!(outcome, Outcome::Sending);
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(keys_received(&collector), vec![key.to_string()]);
    let logged: Vec<_> = capture
        .records_for("shared-dir-5c1a")
        .into_iter()
        .map(|r| r.reason)
        .collect();
    assert_eq!(logged, vec!["outbox_unavailable".to_string()]);
}

#[tokio::test]
async fn without_a_key_nothing_is_queued_and_the_line_is_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reporter = Reporter::start(fast_config(in_dir(dir.path())));
    let capture = capture_unsent();
    let mut settings = resolved_at("http://127.0.0.1:9").settings.clone();
    settings.api_key = None;
    let options = Arc::new(Destination::new(settings));
    let submitted = reporter.submit(&prepared("keyless-91ab"), &options).await;
    assert_eq!(
        submitted.outcome,
        Outcome::Kept {
            reason: Reason::MissingApiKey
        }
    );
    assert_eq!(submitted.key, None);
    assert_eq!(
        capture
            .records_for("keyless-91ab")
            .into_iter()
            .map(|r| r.reason)
            .collect::<Vec<_>>(),
        vec!["missing_api_key"]
    );
    assert!(
        reporter
            .outbox()
            .expect("outbox")
            .pending()
            .expect("list")
            .is_empty()
    );
}

#[test]
fn works_from_plain_threads_outside_any_runtime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let reporter = Reporter::start(fast_config(in_dir(dir.path())));
    assert!(tokio::runtime::Handle::try_current().is_err());
    let submitted = reporter.submit_blocking(&prepared("sync caller"), &resolved(&collector));
    assert_eq!(submitted.outcome, Outcome::Queued);
    assert!(reporter.flush_blocking(WAIT).settled());
    assert_eq!(collector.feedback().len(), 1);
}

#[tokio::test]
async fn huge_configured_waits_and_retry_afters_do_not_panic_the_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.rate_limit_next(1, u64::MAX);
    // "No deadline" and "honour any Retry-After", written as `Duration::MAX`.
    let reporter = Reporter::start(ReporterConfig {
        retry: fast_retry()
            .with_deadline(Duration::MAX)
            .with_max_retry_after(Duration::MAX),
        ..fast_config(in_dir(dir.path()))
    });
    reporter
        .submit(&prepared("no end in sight"), &resolved(&collector))
        .await;
    collector
        .wait_for_requests(1, WAIT)
        .await
        .expect("the worker made an attempt");
    // The Retry-After outlives any deadline: the item is deferred, not lost to a panic.
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(reporter.stats().deferred, 1);
    let outbox = reporter.outbox().expect("outbox");
    assert_eq!(outbox.pending().expect("list").len(), 1);
}

#[test]
fn flush_blocking_takes_any_timeout() {
    let reporter = Reporter::start(fast_config(OutboxSetting::Off));
    assert!(reporter.flush_blocking(Duration::MAX).settled());
}

#[tokio::test]
async fn more_items_than_the_queue_holds_wait_in_the_outbox_and_all_arrive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.set_delay(Duration::from_millis(20));
    let reporter = Reporter::start(ReporterConfig {
        queue_capacity: 4,
        max_concurrent: 2,
        ..fast_config(in_dir(dir.path()))
    });
    let options = resolved(&collector);
    let mut keys = Vec::new();
    for n in 0..40 {
        let (outcome, key) = recorded(
            reporter
                .submit(&prepared(&format!("many {n}")), &options)
                .await,
        );
        assert_eq!(outcome, Outcome::Queued);
        keys.push(key.to_string());
        assert!(
            reporter.shared.hands.in_flight() <= 4,
            "never more in memory than the queue holds"
        );
    }
    collector
        .wait_for_requests(40, WAIT)
        .await
        .expect("all arrive");
    assert!(reporter.flush(WAIT).await.settled());
    let mut received = keys_received(&collector);
    received.sort();
    keys.sort();
    assert_eq!(received, keys);
}

#[tokio::test]
async fn a_flush_deadline_returns_in_time_and_leaves_the_item_in_the_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.never_answer_next(1);
    let reporter = Reporter::start(ReporterConfig {
        retry: fast_retry().with_request_timeout(Duration::from_secs(30)),
        ..fast_config(in_dir(dir.path()))
    });
    reporter
        .submit(&prepared("hung"), &resolved(&collector))
        .await;
    collector
        .wait_for_requests(1, WAIT)
        .await
        .expect("attempt arrives");
    let started = StdInstant::now();
    let report = reporter.flush(Duration::from_millis(200)).await;
    let took = started.elapsed();
    assert_eq!(report.in_flight, 1);
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(20),
        "{took:?}"
    );
    assert_eq!(
        reporter
            .outbox()
            .expect("outbox")
            .pending()
            .expect("list")
            .len(),
        1
    );
}

#[tokio::test]
async fn the_attempt_cap_of_the_policy_holds_in_background_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.fail_next(10, 503);
    let reporter = Reporter::start(ReporterConfig {
        retry: fast_retry().with_max_attempts(3),
        ..fast_config(in_dir(dir.path()))
    });
    let (_, key) = recorded(
        reporter
            .submit(&prepared("capped"), &resolved(&collector))
            .await,
    );
    assert!(reporter.flush(WAIT).await.settled());
    assert_eq!(
        collector.requests().len(),
        3,
        "exactly max_attempts attempts"
    );
    assert_eq!(reporter.stats().deferred, 1);
    let pending = reporter.outbox().expect("outbox").pending().expect("list");
    assert_eq!(
        pending.iter().map(|e| &e.key).collect::<Vec<_>>(),
        vec![&key],
        "kept for a later drain"
    );
}

#[tokio::test]
async fn the_retry_after_cap_of_the_policy_holds_in_background_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.rate_limit_next(1, 3600);
    let reporter = Reporter::start(ReporterConfig {
        retry: fast_retry().with_max_retry_after(Duration::from_millis(300)),
        ..fast_config(in_dir(dir.path()))
    });
    let started = StdInstant::now();
    reporter
        .submit(&prepared("rate limited for an hour"), &resolved(&collector))
        .await;
    assert!(reporter.flush(WAIT).await.settled());
    let took = started.elapsed();
    assert_eq!(
        collector.feedback().len(),
        1,
        "delivered after the capped wait, not an hour later"
    );
    assert!(
        took >= Duration::from_millis(290) && took < WAIT,
        "{took:?}"
    );
}

#[tokio::test]
async fn an_item_is_delivered_only_under_the_key_it_was_accepted_with() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::builder()
        .any_api_key()
        .start()
        .expect("collector");
    let with_key = |key: &str, slug: &str| {
        settings_of(&Options {
            patchwork_url: Some(collector.url()),
            api_key: Some(key.to_string()),
            server_slug: Some(slug.to_string()),
        })
    };
    // Team B's server queues feedback while the service fails, then exits.
    collector.fail_next(1, 503);
    {
        let team_b = Reporter::start(ReporterConfig {
            retry: fast_retry().with_max_attempts(1),
            ..fast_config(in_dir(dir.path()))
        });
        let (outcome, _) = recorded(
            team_b
                .submit(&prepared("team b's gap"), &with_key("key-b", "b"))
                .await,
        );
        assert_eq!(outcome, Outcome::Queued);
        assert!(team_b.flush(WAIT).await.settled());
        assert_eq!(team_b.stats().deferred, 1);
    }
    // Team A's server shares the outbox: it delivers its own feedback and leaves B's alone.
    let team_a = Reporter::start(fast_config(in_dir(dir.path())));
    team_a
        .submit(&prepared("team a's gap"), &with_key("key-a", "a"))
        .await;
    assert!(team_a.flush(WAIT).await.settled());
    let accepted = |collector: &Collector| -> Vec<(String, String)> {
        collector
            .requests()
            .iter()
            .filter(|r| r.status == Some(201))
            .map(|r| {
                let what = r.feedback().map(|f| f.what_i_needed).unwrap_or_default();
                (
                    what,
                    r.header("authorization").unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        accepted(&collector),
        [("team a's gap".to_string(), "Bearer key-a".to_string())]
    );
    assert_eq!(
        team_a
            .outbox()
            .expect("outbox")
            .pending()
            .expect("list")
            .len(),
        1,
        "B's item waits for B"
    );
    // Team B's server comes back: its item goes out under its own key.
    let team_b = Reporter::start(fast_config(in_dir(dir.path())));
    team_b.register(&with_key("key-b", "b"));
    collector
        .wait_for_requests(3, WAIT)
        .await
        .expect("B's item is drained");
    assert!(team_b.flush(WAIT).await.settled());
    assert_eq!(
        accepted(&collector),
        [
            ("team a's gap".to_string(), "Bearer key-a".to_string()),
            ("team b's gap".to_string(), "Bearer key-b".to_string()),
        ]
    );
    assert!(
        team_b
            .outbox()
            .expect("outbox")
            .pending()
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn repeat_counts_reach_the_service_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let settings = resolved(&collector);
    {
        let first_run = Reporter::start(ReporterConfig {
            max_concurrent: 1,
            retry: fast_retry().with_max_attempts(1),
            ..fast_config(in_dir(dir.path()))
        });
        // Holding the only request slot keeps the attempt back until the repeats are in.
        let slot = first_run
            .shared
            .pacing
            .permits
            .try_acquire()
            .expect("the only slot");
        let (outcome, _) = recorded(first_run.submit(&prepared("stuck"), &settings).await);
        assert_eq!(outcome, Outcome::Queued);
        for n in 2..=5 {
            let repeat = first_run.submit(&prepared("stuck"), &settings).await;
            assert_eq!(repeat.outcome, Outcome::Repeat { count: n });
        }
        // The one attempt of this run fails; the item and its count stay in the outbox.
        collector.fail_next(1, 503);
        drop(slot);
        assert!(first_run.flush(WAIT).await.settled());
        assert_eq!(first_run.stats().deferred, 1);
    }
    // The next run drains it at start, with every repeat the first run saw.
    let next_run = Reporter::start(fast_config(in_dir(dir.path())));
    next_run.register(&settings);
    let requests = collector
        .wait_for_requests(2, WAIT)
        .await
        .expect("drained by the next run");
    assert!(next_run.flush(WAIT).await.settled());
    assert_eq!(requests[1].status, Some(201));
    assert_eq!(
        requests[1].header(REPEAT_COUNT_HEADER),
        Some("5"),
        "the count survives the restart"
    );
}

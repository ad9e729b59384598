//! Fault suite, network side: a flaky or absent service never loses or duplicates feedback.
//!
//! Real HTTP on loopback against the local collector. tokio's paused clock is not used: it
//! would fire the HTTP timeouts while real sockets are still working. Retry schedules are
//! shortened instead, and every wait is on an event with a wide bound.

mod fault_common;

use std::time::{Duration, Instant};

use fault_common::*;
use patchwork_runtime::collector::Collector;
use patchwork_runtime::reporter::{Reporter, ReporterConfig};

#[tokio::test]
async fn a_503_storm_delivers_each_feedback_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.fail_next(60, 503);
    let reporter = Reporter::start(fast_config(dir.path()));
    let keys = submit_many(&reporter, &collector.url(), "storm", 20).await;
    assert!(reporter.flush(WAIT).await.settled());

    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.len(), 20);
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
    assert!(
        collector.requests().len() >= 80,
        "the storm was really retried through"
    );
}

#[tokio::test]
async fn rate_limits_with_retry_after_are_waited_out_then_delivered_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.rate_limit_next(3, 1);
    let reporter = Reporter::start(fast_config(dir.path()));
    let started = Instant::now();
    let keys = submit_many(&reporter, &collector.url(), "limited", 5).await;
    assert!(reporter.flush(WAIT).await.settled());
    // The shortened backoff is ≤ 100 ms; only the 1 s Retry-After explains this.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.len(), 5);
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
}

#[tokio::test]
async fn refused_connections_keep_feedback_in_the_outbox_until_a_service_appears() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = refusing_addr();
    let url = format!("http://{addr}");
    let keys = {
        let reporter = Reporter::start(ReporterConfig {
            item_deadline: Duration::from_millis(300),
            max_backoff: Duration::from_secs(3600), // also how long a deferred item rests
            ..fast_config(dir.path())
        });
        let keys = submit_many(&reporter, &url, "refused", 10).await;
        assert!(reporter.flush(WAIT).await.settled());
        assert_eq!(reporter.stats().deferred, 10);
        keys
    };
    let pending = pending_keys(dir.path());
    assert_eq!(pending.len(), 10, "all kept while nothing listens");
    assert_delivered_once_or_pending(&keys, &Default::default(), &pending);

    // The service comes up on that address; the next run drains the outbox.
    let collector = Collector::builder()
        .bind(addr)
        .start()
        .expect("collector on the same port");
    let reporter = Reporter::start(fast_config(dir.path()));
    reporter.register(&options_at(&url));
    collector
        .wait_for_requests(10, WAIT)
        .await
        .expect("all drained");
    assert!(reporter.flush(WAIT).await.settled());
    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.len(), 10);
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
}

#[tokio::test]
async fn a_collector_that_never_answers_costs_a_timeout_not_a_feedback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.never_answer_next(4);
    let reporter = Reporter::start(ReporterConfig {
        delivery: patchwork_runtime::DeliveryConfig::default()
            .with_initial_backoff(Duration::from_millis(10))
            .with_request_timeout(Duration::from_millis(500)),
        ..fast_config(dir.path())
    });
    let keys = submit_many(&reporter, &collector.url(), "hung", 6).await;
    assert!(reporter.flush(WAIT).await.settled());
    let requests = collector.requests();
    assert_eq!(requests.iter().filter(|r| r.status.is_none()).count(), 4);
    let accepted = accepted_keys(&requests);
    assert_eq!(accepted.len(), 6);
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
}

#[tokio::test]
async fn a_collector_restarted_mid_run_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Collector::start().expect("collector");
    let addr = first.addr();
    let url = first.url();
    first.set_delay(Duration::from_millis(30));
    let reporter = Reporter::start(ReporterConfig {
        max_concurrent: 2,
        ..fast_config(dir.path())
    });
    let keys = submit_many(&reporter, &url, "restart", 30).await;
    first
        .wait_for_requests(5, WAIT)
        .await
        .expect("some arrive first");
    let before = first.requests();
    first.shutdown();
    let second = Collector::builder()
        .bind(addr)
        .start()
        .expect("restart on the same port");
    assert!(reporter.flush(WAIT).await.settled());

    let after = second.requests();
    let accepted = accepted_keys(before.iter().chain(after.iter()));
    assert_eq!(
        accepted.len(),
        30,
        "every feedback accepted by one of the two"
    );
    // A request the first collector answered as it went down may not have reached us, so it is
    // sent again with the same key (the service deduplicates by key). That can only be a request
    // in flight at the shutdown: at most `max_concurrent` of them.
    let repeated: Vec<_> = accepted.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.len() <= 2, "{repeated:?}");
    assert!(repeated.iter().all(|(_, n)| **n == 2));
    let once: std::collections::HashMap<_, _> = accepted.into_keys().map(|key| (key, 1)).collect();
    assert_delivered_once_or_pending(&keys, &once, &pending_keys(dir.path()));
}

#[tokio::test]
async fn a_burst_of_ten_thousand_calls_is_all_recorded_and_delivered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let reporter = Reporter::start(fast_config(dir.path()));
    let keys = submit_many(&reporter, &collector.url(), "burst", 10_000).await;
    assert!(reporter.in_flight() <= ReporterConfig::default().queue_capacity);
    collector
        .wait_for_requests(10_000, WAIT)
        .await
        .expect("all arrive");
    assert!(reporter.flush(WAIT).await.settled());
    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.len(), 10_000);
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
}

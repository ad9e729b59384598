//! Fault suite, network side: a flaky or absent service never loses or duplicates feedback.
//!
//! Real HTTP on loopback against the local collector. tokio's paused clock is not used: it
//! would fire the HTTP timeouts while real sockets are still working. Retry schedules are
//! shortened instead, and every wait is on an event with a wide bound.

mod fault_common;

use std::time::{Duration, Instant};

use fault_common::*;
use patchwork_runtime::testing::Collector;

#[tokio::test]
async fn a_503_storm_delivers_each_feedback_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.fail_next(60, 503);
    let patchwork = fast(&collector.url(), dir.path()).build();
    let markers = enqueue_many(&patchwork, "storm", 20).await;
    assert!(patchwork.flush(WAIT).await.settled());

    let requests = collector.requests();
    assert_eq!(accepted(&requests).len(), 20);
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
    assert!(requests.len() >= 80, "the storm was really retried through");
    assert_eq!(patchwork.stats().delivered, 20);
}

#[tokio::test]
async fn rate_limits_with_retry_after_are_waited_out_then_delivered_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.rate_limit_next(3, 1);
    let patchwork = fast(&collector.url(), dir.path()).build();
    let started = Instant::now();
    let markers = enqueue_many(&patchwork, "limited", 5).await;
    assert!(patchwork.flush(WAIT).await.settled());
    // The shortened backoff is ≤ 100 ms; only the 1 s Retry-After explains this.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    let requests = collector.requests();
    assert_eq!(accepted(&requests).len(), 5);
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
}

#[tokio::test]
async fn refused_connections_keep_feedback_in_the_outbox_until_a_service_appears() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Bound but not listening: connections are refused, and the port stays ours until the service
    // starts there below.
    let (refusing, addr) = refusing_addr();
    let url = format!("http://{addr}");
    let markers = {
        let patchwork = fast(&url, dir.path())
            .retry(
                fast_retry()
                    .with_deadline(Duration::from_millis(300))
                    // Also how long an item given up on rests before this run tries it again.
                    .with_max_backoff(Duration::from_secs(3600)),
            )
            .build();
        let markers = enqueue_many(&patchwork, "refused", 10).await;
        assert!(patchwork.flush(WAIT).await.settled());
        assert_eq!(patchwork.stats().deferred, 10);
        assert_eq!(patchwork.stats().delivered, 0);
        markers
    };
    let kept = pending(dir.path());
    assert_eq!(kept.len(), 10, "all kept while nothing listens");
    assert_delivered_once_or_pending(&markers, &[], &kept);

    // The service comes up on that address; the next run drains the outbox. The refusing socket
    // is released only now, just before the collector binds its port.
    let collector = collector_where(refusing, Collector::builder());
    let patchwork = fast(&url, dir.path()).build();
    collector
        .wait_for_requests(10, WAIT)
        .await
        .expect("all drained");
    assert!(patchwork.flush(WAIT).await.settled());
    let requests = collector.requests();
    assert_eq!(accepted(&requests).len(), 10);
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
    // The items went out under the keys the first run stored them with.
    assert_one_key_per_feedback(&requests, &kept);
    assert_eq!(patchwork.stats().delivered, 10);
}

#[tokio::test]
async fn a_collector_that_never_answers_costs_a_timeout_not_a_feedback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.never_answer_next(4);
    let patchwork = fast(&collector.url(), dir.path())
        .retry(fast_retry().with_request_timeout(Duration::from_millis(500)))
        .build();
    let markers = enqueue_many(&patchwork, "hung", 6).await;
    assert!(patchwork.flush(WAIT).await.settled());
    let requests = collector.requests();
    assert_eq!(requests.iter().filter(|r| r.status.is_none()).count(), 4);
    assert_eq!(accepted(&requests).len(), 6);
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
}

#[tokio::test]
async fn a_collector_restarted_mid_run_loses_nothing() {
    // The worker sends at most this many requests at once (its fixed concurrency).
    const MAX_CONCURRENT: usize = 4;
    const FIRST_ACCEPTS: usize = 5;
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Collector::start().expect("collector");
    let addr = first.addr();
    let url = first.url();
    // The first collector accepts exactly the first five requests, each answered 30 ms after it
    // was recorded, and never answers any later one. So every request it accepted is in the
    // snapshot taken once five have arrived, whatever the timing of the shutdown.
    first.set_delay(Duration::from_millis(30));
    first.fail_next(FIRST_ACCEPTS, 201);
    first.never_answer_next(usize::MAX);
    let patchwork = fast(&url, dir.path()).build();
    let markers = enqueue_many(&patchwork, "restart", 30).await;
    first
        .wait_for_requests(FIRST_ACCEPTS, WAIT)
        .await
        .expect("some arrive first");
    let before = first.requests();
    // The same listening socket, never released: requests made meanwhile wait for the second collector.
    let second = first.restart().expect("restart on the same socket");
    assert_eq!(second.addr(), addr);
    assert!(patchwork.flush(WAIT).await.settled());

    let after = second.requests();
    let by_first = accepted(&before);
    let by_second = accepted(&after);
    assert_eq!(by_first.len(), FIRST_ACCEPTS, "{before:?}");
    assert!(by_first.values().all(|n| *n == 1), "{by_first:?}");
    assert!(
        by_second.values().all(|n| *n == 1),
        "accepted twice after the restart: {by_second:?}"
    );
    // A request the first collector accepted as it went down may not have had its answer reach us,
    // so it is sent again with the same key (the service deduplicates by key). That can only be a
    // request in flight at the shutdown: at most MAX_CONCURRENT of the five, since the fifth was
    // sent only once an earlier answer had come back.
    let mut repeated = Vec::new();
    for marker in &markers {
        match (by_first.get(marker), by_second.get(marker)) {
            (Some(1), None) | (None, Some(1)) => {}
            (Some(1), Some(1)) => repeated.push(marker),
            counts => {
                panic!("{marker:?}: accepted {counts:?} times by the first and second collector")
            }
        }
    }
    assert!(repeated.len() <= MAX_CONCURRENT, "{repeated:?}");
    let strangers: Vec<_> = by_first
        .keys()
        .chain(by_second.keys())
        .filter(|m| !markers.contains(m))
        .collect();
    assert!(
        strangers.is_empty(),
        "accepted feedback nobody submitted: {strangers:?}"
    );
    assert!(pending(dir.path()).is_empty(), "everything was delivered");
    let all: Vec<_> = before.iter().chain(after.iter()).cloned().collect();
    assert_one_key_per_feedback(&all, &Default::default());
    // This run saw each feedback accepted once.
    assert_eq!(patchwork.stats().delivered, 30);
}

#[tokio::test]
async fn a_burst_of_ten_thousand_calls_is_all_recorded_and_delivered() {
    const CAPACITY: usize = 1024;
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    // A slow service while the burst is recorded: only a handful of items can be delivered
    // meanwhile, so the worker's hands are full and the rest must wait in the outbox.
    collector.set_delay(Duration::from_secs(1));
    let patchwork = fast(&collector.url(), dir.path())
        .queue_capacity(CAPACITY)
        .build();
    let markers = enqueue_many(&patchwork, "burst", 10_000).await;
    let in_flight = patchwork.flush(Duration::ZERO).await.in_flight;
    let on_disk = std::fs::read_dir(dir.path().join("pending"))
        .expect("pending/")
        .count();
    assert!(
        in_flight > 0 && in_flight <= CAPACITY,
        "{in_flight} items in the worker's hands (capacity {CAPACITY})"
    );
    assert!(
        on_disk > CAPACITY,
        "only {on_disk} items on disk: the burst did not outgrow the worker's hands"
    );
    collector.set_delay(Duration::ZERO);
    collector
        .wait_for_requests(10_000, WAIT)
        .await
        .expect("all arrive");
    assert!(patchwork.flush(WAIT).await.settled());
    let requests = collector.requests();
    assert_eq!(accepted(&requests).len(), 10_000);
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
    let stats = patchwork.stats();
    assert_eq!(
        (stats.delivered, stats.repeats, stats.not_stored),
        (10_000, 0, 0),
        "{stats:?}"
    );
}

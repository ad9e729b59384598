//! Shared by the fault suite: every test ends by checking the suite's invariant — each submitted feedback
//! (told apart by a unique `what_i_needed` marker) was accepted exactly once or is still pending in the
//! outbox, nothing else was accepted, and every attempt of one feedback carried the same `Idempotency-Key`
//! (the one its outbox item holds, while it is pending).

#![allow(dead_code)] // each fault_* binary uses a different part

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use patchwork_runtime::testing::{Collector, CollectorBuilder, RecordedRequest, refusing_url};
use patchwork_runtime::{Builder, FeedbackPayload, Outcome, Patchwork, RetryPolicy};
pub use patchwork_tests::pending;

/// Generous bound for event waits on a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(120);

/// The slug the suite's feedback is sent under.
pub const SLUG: &str = "fault-suite";

/// The feedback endpoint's path (the wire contract's).
pub const FEEDBACK_PATH: &str = "/api/v1/feedback/";

/// The header every attempt and replay of one feedback carries unchanged.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The background retry policy with a short schedule, so storms finish quickly: 10 ms doubling up to
/// 100 ms, 10 s per request.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::background()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(100))
        .with_request_timeout(Duration::from_secs(10))
}

/// A client of the service at `url` (with the collector's key, no slug: the attribute's or the payload's
/// is kept) with its outbox in `outbox`, the short retry schedule and a drain every 200 ms.
pub fn fast_unslugged(url: &str, outbox: &Path) -> Builder {
    Patchwork::builder()
        .url(url)
        .api_key(Collector::DEFAULT_API_KEY)
        .outbox_dir(outbox)
        .retry(fast_retry())
        .drain_interval(Duration::from_millis(200))
        // The suite sends bursts from one session on purpose; the ceilings have tests of their own.
        .report_limits(u32::MAX, u32::MAX)
}

/// [`fast_unslugged`] sending as [`SLUG`].
pub fn fast(url: &str, outbox: &Path) -> Builder {
    fast_unslugged(url, outbox).slug(SLUG)
}

pub fn payload(what: &str) -> FeedbackPayload {
    FeedbackPayload {
        server_slug: SLUG.into(),
        what_i_needed: what.into(),
        what_i_tried: "the obvious".into(),
        ..Default::default()
    }
}

/// Enqueues `count` distinct feedback items (markers `"{label} {n}"`), checking each was recorded durably,
/// and returns their markers.
pub async fn enqueue_many(patchwork: &Patchwork, label: &str, count: usize) -> Vec<String> {
    let mut markers = Vec::with_capacity(count);
    for n in 0..count {
        let marker = format!("{label} {n}");
        let outcome = patchwork.enqueue(&payload(&marker)).await;
        assert_eq!(
            outcome,
            Outcome::Queued,
            "feedback {marker:?} not recorded durably"
        );
        markers.push(marker);
    }
    markers
}

/// A loopback address where connections are refused, and the socket that keeps it so (the test kit's
/// [`refusing_url`]: bound, never listening). Keep the socket for as long as the address must refuse (the
/// port stays this process's, so nothing else can take it meanwhile); hand it to [`collector_where`] to
/// serve there.
pub fn refusing_addr() -> (tokio::net::TcpSocket, SocketAddr) {
    let (socket, _url) = refusing_url().expect("a refusing socket");
    let addr = socket.local_addr().expect("addr");
    (socket, addr)
}

/// The service comes up where `refusing` held the address: the very socket begins to listen, so the port is never
/// released (the collector's key rules come from `builder`, e.g. `Collector::builder()`).
pub fn collector_where(refusing: tokio::net::TcpSocket, builder: CollectorBuilder) -> Collector {
    builder
        .start_on(refusing)
        .expect("the collector listens on the refusing socket")
}

/// The marker of a feedback request (its `what_i_needed`); `None` for other requests.
pub fn marker(request: &RecordedRequest) -> Option<&str> {
    if request.path != FEEDBACK_PATH {
        return None;
    }
    request.body.get("what_i_needed")?.as_str()
}

/// How many times each marker was accepted (answered 201) across `requests`.
pub fn accepted<'a>(
    requests: impl IntoIterator<Item = &'a RecordedRequest>,
) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in requests {
        if request.status == Some(201)
            && let Some(marker) = marker(request)
        {
            *counts.entry(marker.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// The `Idempotency-Key`s each marker's requests carried (every attempt, answered or not).
pub fn keys_by_marker<'a>(
    requests: impl IntoIterator<Item = &'a RecordedRequest>,
) -> HashMap<String, HashSet<String>> {
    let mut keys: HashMap<String, HashSet<String>> = HashMap::new();
    for request in requests {
        let Some(marker) = marker(request) else {
            continue;
        };
        let key = request
            .header(IDEMPOTENCY_KEY)
            .unwrap_or_else(|| panic!("a request for {marker:?} without {IDEMPOTENCY_KEY}"));
        keys.entry(marker.to_string())
            .or_default()
            .insert(key.to_string());
    }
    keys
}

/// Every attempt of one feedback carried one key, distinct feedback carried distinct keys, and a feedback
/// still pending carried the key its outbox item holds.
pub fn assert_one_key_per_feedback(
    requests: &[RecordedRequest],
    pending: &BTreeMap<String, String>,
) {
    let keys = keys_by_marker(requests);
    let mut owners: HashMap<&String, &String> = HashMap::new();
    for (marker, seen) in &keys {
        assert_eq!(
            seen.len(),
            1,
            "{marker:?} was sent under several keys: {seen:?}"
        );
        let key = seen.iter().next().expect("one key");
        if let Some(other) = owners.insert(key, marker) {
            panic!("{marker:?} and {other:?} were sent under one key {key}");
        }
        if let Some(stored) = pending.get(marker) {
            assert_eq!(
                stored, key,
                "{marker:?}: the outbox item's key was not the one sent"
            );
        }
    }
}

/// The suite's invariant: every marker in `submitted` was accepted exactly once, or was never accepted
/// and is still pending. Nothing else was accepted, and keys are consistent
/// ([`assert_one_key_per_feedback`]).
pub fn assert_delivered_once_or_pending(
    submitted: &[String],
    requests: &[RecordedRequest],
    pending: &BTreeMap<String, String>,
) {
    let accepted = accepted(requests);
    for marker in submitted {
        match (
            accepted.get(marker).copied().unwrap_or(0),
            pending.contains_key(marker),
        ) {
            (1, false) | (0, true) => {}
            (n, still) => panic!("feedback {marker:?}: accepted {n} times, still pending: {still}"),
        }
    }
    let known: HashSet<&String> = submitted.iter().collect();
    let strangers: Vec<_> = accepted.keys().filter(|m| !known.contains(m)).collect();
    assert!(
        strangers.is_empty(),
        "accepted feedback nobody submitted: {strangers:?}"
    );
    let unknown: Vec<_> = pending.keys().filter(|m| !known.contains(m)).collect();
    assert!(
        unknown.is_empty(),
        "pending feedback nobody submitted: {unknown:?}"
    );
    assert_one_key_per_feedback(requests, pending);
}

/// Leaves the feedback of `markers` in the outbox at `dir` the way a run that could not reach the
/// service at `url` does: each recorded, tried once, and kept. The caller keeps `url` refusing
/// connections meanwhile (see [`refusing_addr`]). Returns what `pending/` then holds.
pub async fn leave_in_outbox(
    dir: &Path,
    url: &str,
    markers: &[String],
) -> BTreeMap<String, String> {
    let patchwork = fast(url, dir)
        .retry(
            fast_retry()
                .with_max_attempts(1)
                // Also how long an item given up on rests: this run does not try it again.
                .with_max_backoff(Duration::from_secs(3600)),
        )
        .build();
    for marker in markers {
        let outcome = patchwork.enqueue(&payload(marker)).await;
        assert_eq!(outcome, Outcome::Queued, "{marker:?} not recorded durably");
    }
    assert!(patchwork.flush(WAIT).await.settled());
    let stats = patchwork.stats();
    assert_eq!(stats.deferred, markers.len() as u64, "{stats:?}");
    assert_eq!(stats.delivered, 0, "{stats:?}");
    drop(patchwork);
    let kept = pending(dir);
    assert_eq!(kept.len(), markers.len(), "{kept:?}");
    assert!(markers.iter().all(|m| kept.contains_key(m)), "{kept:?}");
    kept
}

/// The path of the pending item holding `key`.
pub fn pending_file(dir: &Path, key: &str) -> std::path::PathBuf {
    let suffix = format!("-{key}.json");
    std::fs::read_dir(dir.join("pending"))
        .expect("pending/")
        .map(|entry| entry.expect("a directory entry").path())
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(&suffix))
        })
        .unwrap_or_else(|| panic!("no pending item for key {key}"))
}

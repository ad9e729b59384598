//! Shared by the fault suite: every test ends by checking the suite's invariant — each accepted
//! feedback was delivered exactly once (by idempotency key) or is still in the outbox.

#![allow(dead_code)] // each fault_* binary uses a different part

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use patchwork_runtime::collector::{Collector, RecordedRequest};
use patchwork_runtime::outbox::{Outbox, OutboxLimits, OutboxSetting};
use patchwork_runtime::reporter::{IDEMPOTENCY_KEY_HEADER, Reporter, ReporterConfig, Submitted};
use patchwork_runtime::{DeliveryConfig, FeedbackPayload, Options, ResolvedOptions};

/// Generous bound for event waits on a loaded 2-core machine.
pub const WAIT: Duration = Duration::from_secs(120);

/// A reporter on `outbox` with a short retry schedule, so storms finish quickly.
pub fn fast_config(outbox: &Path) -> ReporterConfig {
    ReporterConfig {
        outbox: OutboxSetting::Dir(outbox.to_path_buf()),
        delivery: DeliveryConfig::default()
            .with_initial_backoff(Duration::from_millis(10))
            .with_request_timeout(Duration::from_secs(10)),
        max_backoff: Duration::from_millis(100),
        drain_interval: Duration::from_millis(200),
        ..ReporterConfig::default()
    }
}

pub fn payload(what: &str) -> FeedbackPayload {
    FeedbackPayload {
        server_slug: "fault-suite".into(),
        what_i_needed: what.into(),
        what_i_tried: "the obvious".into(),
        ..Default::default()
    }
}

pub fn options_at(url: &str) -> ResolvedOptions {
    ResolvedOptions::resolve(Some(&Options {
        patchwork_url: Some(url.to_string()),
        api_key: Some(Collector::DEFAULT_API_KEY.to_string()),
        server_slug: Some("fault-suite".to_string()),
    }))
}

/// Submits `count` distinct feedback items and returns the keys of those recorded.
pub async fn submit_many(reporter: &Reporter, url: &str, label: &str, count: usize) -> Vec<String> {
    let options = options_at(url);
    let mut keys = Vec::with_capacity(count);
    for n in 0..count {
        match reporter
            .submit(&payload(&format!("{label} {n}")), &options)
            .await
        {
            Submitted::Recorded { key, .. } => keys.push(key.to_string()),
            other => panic!("feedback {n} not recorded: {other:?}"),
        }
    }
    keys
}

/// A loopback URL where nothing listens, and its address (to start a collector there later).
pub fn refusing_addr() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr")
}

/// How many times each key was accepted (answered 201) across `requests`.
pub fn accepted_keys<'a>(
    requests: impl IntoIterator<Item = &'a RecordedRequest>,
) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in requests {
        if request.status == Some(201)
            && let Some(key) = request.header(IDEMPOTENCY_KEY_HEADER)
        {
            *counts.entry(key.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// Keys of the items still pending in the outbox at `dir`.
pub fn pending_keys(dir: &Path) -> HashSet<String> {
    Outbox::open(dir, OutboxLimits::default())
        .expect("outbox")
        .pending()
        .expect("list")
        .into_iter()
        .map(|entry| entry.key.to_string())
        .collect()
}

/// The suite's invariant: every key in `submitted` was accepted exactly once, or was never
/// accepted and is still pending. Nothing else was accepted.
pub fn assert_delivered_once_or_pending(
    submitted: &[String],
    accepted: &HashMap<String, usize>,
    pending: &HashSet<String>,
) {
    for key in submitted {
        match (
            accepted.get(key).copied().unwrap_or(0),
            pending.contains(key),
        ) {
            (1, false) | (0, true) => {}
            (n, still) => panic!("feedback {key}: accepted {n} times, still pending: {still}"),
        }
    }
    let known: HashSet<&String> = submitted.iter().collect();
    let strangers: Vec<_> = accepted.keys().filter(|k| !known.contains(k)).collect();
    assert!(
        strangers.is_empty(),
        "accepted keys nobody submitted: {strangers:?}"
    );
}

//! Fault suite, disk side: a torn outbox item and an outbox that cannot be written.

mod fault_common;

use fault_common::*;
use patchwork_runtime::collector::Collector;
use patchwork_runtime::outbox::{IdempotencyKey, Outbox, OutboxItem, OutboxLimits};
use patchwork_runtime::reporter::{Reporter, Submitted};
use patchwork_runtime::{FeedbackPayload, capture_unsent};

#[tokio::test]
async fn a_torn_outbox_item_is_set_aside_and_the_rest_delivered_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    let mut keys = Vec::new();
    for n in 0..5 {
        let body = serde_json::to_value(payload(&format!("whole {n}"))).expect("json");
        let item = OutboxItem::new(collector.url(), body);
        outbox.append(&item).expect("append");
        keys.push(item.key.to_string());
    }
    // A power cut mid-write left half an item under a valid name.
    let torn = OutboxItem::new(
        collector.url(),
        serde_json::json!({"what_i_needed": "torn"}),
    );
    let line = serde_json::to_string(&torn).expect("json");
    let name = format!("{:013}-{}.json", torn.created_ms, torn.key);
    let half = &line.as_bytes()[..line.len() / 2];
    std::fs::write(dir.path().join("pending").join(&name), half).expect("write torn");

    let reporter = Reporter::start(fast_config(dir.path()));
    reporter.register(&options_at(&collector.url()));
    collector
        .wait_for_requests(5, WAIT)
        .await
        .expect("the whole items arrive");
    assert!(reporter.flush(WAIT).await.settled());

    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.len(), 5);
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
    assert!(pending_keys(dir.path()).is_empty());
    let kept = std::fs::read(dir.path().join("corrupt").join(&name)).expect("torn bytes kept");
    assert_eq!(kept, half);
}

#[tokio::test]
async fn an_unwritable_outbox_falls_back_to_stderr_lines_and_keeps_delivering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let location = unwritable_dir(dir.path());
    let collector = Collector::start().expect("collector");
    let capture = capture_unsent();
    let reporter = Reporter::start(fast_config(&location));
    assert!(reporter.outbox().is_none());

    let options = options_at(&collector.url());
    let mut keys = Vec::new();
    for n in 0..5 {
        let feedback = payload(&format!("read-only-a83f {n}"));
        match reporter.submit(&feedback, &options).await {
            Submitted::Recorded {
                key,
                durable: false,
            } => {
                // The logged line replays under the same key.
                assert_eq!(key, content_key(&feedback));
                keys.push(key.to_string());
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(reporter.flush(WAIT).await.settled());
    let accepted = accepted_keys(&collector.requests());
    assert_delivered_once_or_pending(&keys, &accepted, &Default::default());
    let logged = capture
        .records()
        .into_iter()
        .filter(|r| r.payload.what_i_needed.starts_with("read-only-a83f"))
        .inspect(|r| assert_eq!(r.reason, "outbox_unavailable"))
        .count();
    assert_eq!(logged, 5, "each feedback is in the log before the reply");
}

fn content_key(feedback: &FeedbackPayload) -> IdempotencyKey {
    IdempotencyKey::from_content(feedback.to_json_line().as_bytes())
}

/// A directory this process cannot create files in: read-only permissions, or, when running as
/// root (which ignores them), a path below a regular file.
fn unwritable_dir(base: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let read_only = base.join("read-only");
    std::fs::create_dir(&read_only).expect("mkdir");
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::File::create_new(read_only.join("probe")).is_err() {
        return read_only.join("outbox");
    }
    let file = base.join("a-file");
    std::fs::write(&file, b"x").expect("write");
    file.join("outbox")
}

//! Fault suite, disk side: a torn outbox item and an outbox that cannot be written.

mod fault_common;

use std::collections::HashMap;

use fault_common::*;
use patchwork_runtime::testing::{Collector, capture_unsent};
use patchwork_runtime::{Outcome, Replay};

#[tokio::test]
async fn a_torn_outbox_item_is_set_aside_and_the_rest_delivered_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An earlier run could not reach the service (bound, not listening: connections refused) and
    // left six items.
    let (refusing, addr) = refusing_addr();
    let url = format!("http://{addr}");
    let markers: Vec<String> = (0..5).map(|n| format!("whole {n}")).collect();
    let torn_marker = "torn".to_string();
    let all: Vec<String> = markers.iter().chain([&torn_marker]).cloned().collect();
    let mut seeded = leave_in_outbox(dir.path(), &url, &all).await;
    // A power cut mid-write left half of one item under its valid name.
    let torn_key = seeded.remove(&torn_marker).expect("seeded");
    let torn_path = pending_file(dir.path(), &torn_key);
    let line = std::fs::read(&torn_path).expect("read the item");
    let half = &line[..line.len() / 2];
    std::fs::write(&torn_path, half).expect("write torn");
    let torn_name = torn_path.file_name().expect("a file name").to_owned();

    // The service comes up there (the refusing socket is released just before it binds), and the
    // next run drains the outbox.
    let collector = collector_where(refusing, Collector::builder());
    let patchwork = fast(&url, dir.path()).build();
    collector
        .wait_for_requests(5, WAIT)
        .await
        .expect("the whole items arrive");
    assert!(patchwork.flush(WAIT).await.settled());

    let requests = collector.requests();
    assert_eq!(accepted(&requests).len(), 5);
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
    // Each went out under the key it was stored with.
    assert_one_key_per_feedback(&requests, &seeded);
    assert!(pending(dir.path()).is_empty());
    let kept = std::fs::read(dir.path().join("corrupt").join(&torn_name)).expect("torn bytes kept");
    assert_eq!(kept, half);
}

#[tokio::test]
async fn an_unwritable_outbox_falls_back_to_stderr_lines_and_keeps_delivering() {
    let dir = tempfile::tempdir().expect("tempdir");
    let location = unwritable_dir(dir.path());
    let collector = Collector::start().expect("collector");
    let capture = capture_unsent();
    let patchwork = fast(&collector.url(), &location).build();

    let mut markers = Vec::new();
    for n in 0..5 {
        let marker = format!("read-only-a83f {n}");
        let outcome = patchwork.enqueue(&payload(&marker)).await;
        // Not stored: held in memory for delivery, and its unsent line already written.
        assert_eq!(outcome, Outcome::Sending, "{marker}");
        markers.push(marker);
    }
    assert_eq!(patchwork.stats().not_stored, 5, "the outbox was not used");
    assert!(patchwork.flush(WAIT).await.settled());
    let requests = collector.requests();
    assert_delivered_once_or_pending(&markers, &requests, &Default::default());
    let lines: Vec<String> = capture
        .lines()
        .into_iter()
        .filter(|line| line.contains("read-only-a83f"))
        .collect();
    let logged = capture
        .records()
        .into_iter()
        .filter(|r| r.payload.what_i_needed.starts_with("read-only-a83f"))
        .inspect(|r| assert_eq!(r.reason, "outbox_unavailable"))
        .count();
    assert_eq!(logged, 5, "each feedback is in the log before the reply");
    assert_eq!(lines.len(), 5, "{lines:?}");

    // The logged lines replay under the keys the background delivery used, so the service can tell
    // the replay is a repeat.
    let sent_keys: HashMap<String, _> = keys_by_marker(&requests);
    let log = lines.join("\n") + "\n";
    let report = Replay::new()
        .no_outbox()
        .input(std::io::Cursor::new(log.into_bytes()))
        .options(collector.options(SLUG))
        .run()
        .await
        .expect("replay runs");
    assert_eq!(report.delivered, 5, "{report}");
    let all = collector.requests();
    assert_eq!(
        all.len(),
        requests.len() + 5,
        "one request per replayed line"
    );
    assert_one_key_per_feedback(&all, &Default::default());
    assert_eq!(keys_by_marker(&all), sent_keys);
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

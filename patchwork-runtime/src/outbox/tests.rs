use super::*;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(super) fn item(n: u64) -> OutboxItem {
    OutboxItem::new(
        "http://127.0.0.1:1",
        "0123456789abcdef0123456789abcdef",
        "test",
        &json!({"what_i_needed": format!("n{n}"), "what_i_tried": "t"}).to_string(),
    )
}

pub(super) fn open(dir: &Path) -> Outbox {
    Outbox::open(dir, OutboxLimits::default()).expect("open outbox")
}

/// Claims and completes everything pending that nobody else holds, recording the keys this handle delivered. It
/// stops after a pass that claimed nothing: what is left is held by other handles, which complete it (spinning
/// until they do would make the pass count depend on the scheduler).
pub(super) fn drain_all(outbox: &Outbox, delivered: &Mutex<Vec<IdempotencyKey>>) {
    // Each productive pass completes at least one item, so the passes are bounded by the items written.
    for _pass in 0..10_000 {
        let mut claimed_any = false;
        for entry in &outbox.pending().expect("list") {
            if let Claim::Claimed(claimed) = outbox.try_claim(entry).expect("claim") {
                claimed_any = true;
                delivered
                    .lock()
                    .expect("lock")
                    .push(claimed.item.key.clone());
                outbox
                    .complete(claimed.lock, &claimed.item.key)
                    .expect("complete");
            }
        }
        if !claimed_any {
            return;
        }
    }
    panic!("outbox still had items to claim after 10,000 productive passes");
}

fn assert_exactly_once(created: &[IdempotencyKey], delivered: &[IdempotencyKey]) {
    let mut counts: HashMap<&IdempotencyKey, usize> = HashMap::new();
    for key in delivered {
        *counts.entry(key).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let missing: Vec<_> = created.iter().filter(|k| !counts.contains_key(k)).collect();
    assert!(missing.is_empty(), "never delivered: {missing:?}");
    assert_eq!(delivered.len(), created.len());
}

#[test]
fn append_claim_complete_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let stored = item(1);
    outbox.append(&stored).expect("append");

    let pending = outbox.pending().expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].key, stored.key);
    let Claim::Claimed(claimed) = outbox.try_claim(&pending[0]).expect("claim") else {
        panic!("expected to claim the item");
    };
    assert_eq!(&claimed.item, &stored);
    outbox
        .complete(claimed.lock, &claimed.item.key)
        .expect("complete");

    assert!(outbox.pending().expect("list").is_empty());
    assert!(outbox.delivered_keys().contains(&stored.key));
    assert!(matches!(
        outbox.try_claim(&pending[0]).expect("claim"),
        Claim::Gone
    ));
}

#[test]
fn item_file_is_one_json_line_with_the_payload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let stored = item(7);
    outbox.append(&stored).expect("append");
    let path = dir.path().join(PENDING).join(stored.file_name());
    let text = fs::read_to_string(path).expect("read item file");
    assert_eq!(text.matches('\n').count(), 1);
    assert!(text.ends_with('\n'));
    let back: OutboxItem = serde_json::from_str(&text).expect("parse");
    assert_eq!(back, stored);
    let payload: serde_json::Value = serde_json::from_str(back.payload.get()).unwrap();
    assert_eq!(payload["what_i_needed"], "n7");
}

#[test]
fn pending_lists_oldest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let mut keys = Vec::new();
    for (n, created_ms) in [(1, 3000), (2, 1000), (3, 2000)] {
        let mut stored = item(n);
        stored.created_ms = created_ms;
        keys.push((created_ms, stored.key.clone()));
        outbox.append(&stored).expect("append");
    }
    keys.sort();
    let listed: Vec<_> = outbox
        .pending()
        .expect("list")
        .into_iter()
        .map(|entry| (entry.created_ms, entry.key))
        .collect();
    assert_eq!(listed, keys);
}

#[test]
fn a_claimed_item_is_busy_for_every_other_handle_until_released() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = open(dir.path());
    let second = open(dir.path());
    first.append(&item(1)).expect("append");
    let entry = first.pending().expect("list").remove(0);

    let Claim::Claimed(held) = first.try_claim(&entry).expect("claim") else {
        panic!("first claim must succeed");
    };
    assert!(matches!(
        second.try_claim(&entry).expect("claim"),
        Claim::Busy
    ));
    drop(held); // released without delivery: still pending, claimable again
    let Claim::Claimed(again) = second.try_claim(&entry).expect("claim") else {
        panic!("released item must be claimable");
    };
    second
        .complete(again.lock, &again.item.key)
        .expect("complete");
    assert!(matches!(
        first.try_claim(&entry).expect("claim"),
        Claim::Gone
    ));
}

#[test]
fn a_file_removed_between_open_and_lock_is_not_claimed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.json");
    fs::write(&path, b"{}").expect("write");
    let file = File::open(&path).expect("open");
    assert!(still_linked(&file, &path).expect("check"));
    fs::remove_file(&path).expect("remove");
    assert!(!still_linked(&file, &path).expect("check"));
    // A new file at the same path is a different item file, not the one we hold.
    fs::write(&path, b"{}").expect("write");
    assert!(!still_linked(&file, &path).expect("check"));
}

#[test]
fn four_threads_draining_one_outbox_deliver_each_item_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let writer = open(dir.path());
    let created: Vec<_> = (0..400)
        .map(|n| {
            let stored = item(n);
            writer.append(&stored).expect("append");
            stored.key
        })
        .collect();
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let dir = dir.path().to_path_buf();
            let delivered = Arc::clone(&delivered);
            std::thread::spawn(move || drain_all(&open(&dir), &delivered))
        })
        .collect();
    for thread in threads {
        thread.join().expect("drainer thread");
    }
    assert_exactly_once(&created, &delivered.lock().expect("lock"));
    assert!(writer.pending().expect("list").is_empty());
}

#[test]
fn appending_while_others_drain_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let writer = Arc::new(open(dir.path()));
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let producer = {
        let writer = Arc::clone(&writer);
        std::thread::spawn(move || {
            (0..300)
                .map(|n| {
                    let stored = item(n);
                    writer.append(&stored).expect("append");
                    stored.key
                })
                .collect::<Vec<_>>()
        })
    };
    let drainer = {
        let dir = dir.path().to_path_buf();
        let delivered = Arc::clone(&delivered);
        std::thread::spawn(move || {
            let outbox = open(&dir);
            for _ in 0..50 {
                drain_all(&outbox, &delivered);
            }
        })
    };
    let created = producer.join().expect("producer");
    drainer.join().expect("drainer");
    drain_all(&writer, &delivered); // whatever arrived after the drainer's last pass
    assert_exactly_once(&created, &delivered.lock().expect("lock"));
}

/// Run as a child process by `two_processes_draining_one_outbox_deliver_each_item_once`.
#[test]
#[ignore = "helper: runs only as a child process of another test"]
fn child_process_drainer() {
    // Run by hand it fails: without its parent's directories it would pass having drained nothing.
    let expect = |name: &str| {
        std::env::var_os(name).unwrap_or_else(|| {
            panic!("{name} unset: this helper runs only as a child of two_processes_draining_one_outbox_deliver_each_item_once")
        })
    };
    let (dir, out) = (
        expect("PATCHWORK_TEST_OUTBOX"),
        expect("PATCHWORK_TEST_DELIVERED"),
    );
    let delivered = Mutex::new(Vec::new());
    drain_all(&open(Path::new(&dir)), &delivered);
    let lines: String = delivered
        .into_inner()
        .expect("lock")
        .iter()
        .map(|key| format!("{key}\n"))
        .collect();
    fs::write(out, lines).expect("write delivered keys");
}

#[test]
fn two_processes_draining_one_outbox_deliver_each_item_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(&dir.path().join("box"));
    let created: Vec<_> = (0..300)
        .map(|n| {
            let stored = item(n);
            outbox.append(&stored).expect("append");
            stored.key
        })
        .collect();
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..2)
        .map(|n| {
            let out = dir.path().join(format!("delivered-{n}"));
            let child = std::process::Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "outbox::tests::child_process_drainer",
                    "--test-threads=1",
                ])
                .env("PATCHWORK_TEST_OUTBOX", dir.path().join("box"))
                .env("PATCHWORK_TEST_DELIVERED", &out)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn child drainer");
            (child, out)
        })
        .collect();
    let mut delivered = Vec::new();
    for (mut child, out) in children {
        assert!(
            child.wait().expect("wait").success(),
            "child drainer failed"
        );
        let text = fs::read_to_string(out).expect("child wrote its keys");
        delivered.extend(text.lines().filter_map(IdempotencyKey::parse));
    }
    assert_exactly_once(&created, &delivered);
    assert!(outbox.pending().expect("list").is_empty());
}

#[test]
fn a_torn_item_is_skipped_with_its_bytes_kept_and_the_rest_still_drains() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let good = item(1);
    outbox.append(&good).expect("append");
    // A power cut mid-write: the last line stops halfway.
    let mut torn = item(2);
    torn.created_ms = 1;
    let full = serde_json::to_string(&torn).expect("json");
    let torn_path = dir.path().join(PENDING).join(torn.file_name());
    fs::write(&torn_path, &full.as_bytes()[..full.len() / 2]).expect("write torn");

    let pending = outbox.pending().expect("list");
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].key, torn.key, "the torn one is older");
    assert!(matches!(
        outbox.try_claim(&pending[0]).expect("claim"),
        Claim::Corrupt
    ));
    assert!(!torn_path.exists());
    let kept = fs::read(dir.path().join(CORRUPT).join(torn.file_name())).expect("kept aside");
    assert_eq!(kept, &full.as_bytes()[..full.len() / 2]);

    let Claim::Claimed(claimed) = outbox.try_claim(&pending[1]).expect("claim") else {
        panic!("the good item must still be claimable");
    };
    assert_eq!(&claimed.item, &good);
}

#[test]
fn a_cap_on_items_refuses_new_items_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limits = OutboxLimits {
        max_items: 3,
        max_bytes: u64::MAX,
    };
    let outbox = Outbox::open(dir.path(), limits).expect("open");
    for n in 0..3 {
        outbox.append(&item(n)).expect("under the cap");
    }
    let error = outbox.append(&item(3)).expect_err("over the cap");
    assert!(
        matches!(error, AppendError::Full { items: 3, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("outbox full (3 items"),
        "{error}"
    );
    assert_eq!(outbox.pending().expect("list").len(), 3);

    // Delivering one makes room again.
    let entry = outbox.pending().expect("list").remove(0);
    let Claim::Claimed(claimed) = outbox.try_claim(&entry).expect("claim") else {
        panic!("claim");
    };
    outbox
        .complete(claimed.lock, &claimed.item.key)
        .expect("complete");
    outbox.append(&item(4)).expect("room after delivery");
}

#[test]
fn a_cap_on_bytes_counts_what_other_handles_wrote_after_a_listing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let size = serde_json::to_vec(&item(1)).expect("json").len() as u64 + 1;
    let limits = OutboxLimits {
        max_items: u64::MAX,
        max_bytes: size * 2 + size / 2,
    };
    let ours = Outbox::open(dir.path(), limits).expect("open");
    let theirs = Outbox::open(dir.path(), limits).expect("open");
    theirs.append(&item(1)).expect("append");
    theirs.append(&item(2)).expect("append");
    ours.pending().expect("recount");
    assert!(matches!(
        ours.append(&item(3)),
        Err(AppendError::Full { items: 2, .. })
    ));
}

#[test]
fn an_unwritable_location_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    fs::write(&file, b"x").expect("write");
    assert!(Outbox::open(file.join("outbox"), OutboxLimits::default()).is_err());
}

#[cfg(unix)]
#[test]
fn a_directory_that_turns_read_only_fails_appends_with_io_errors() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let tmp = dir.path().join(TMP);
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root ignores permission bits; then make the directory unusable another way.
    if File::create_new(tmp.join("root-check")).is_ok() {
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).expect("chmod");
        fs::remove_dir_all(&tmp).expect("remove tmp");
        fs::write(&tmp, b"not a directory").expect("replace tmp with a file");
    }
    let result = outbox.append(&item(1));
    assert!(matches!(result, Err(AppendError::Io(_))), "{result:?}");
    assert!(outbox.pending().expect("list").is_empty());
    assert!(Outbox::open(dir.path(), OutboxLimits::default()).is_err());
    let _ = fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755));
}

#[test]
fn rejected_items_leave_pending_and_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let stored = item(1);
    outbox.append(&stored).expect("append");
    let entry = outbox.pending().expect("list").remove(0);
    let Claim::Claimed(claimed) = outbox.try_claim(&entry).expect("claim") else {
        panic!("claim");
    };
    let kept = outbox
        .reject(claimed.lock, &claimed.item.key)
        .expect("reject");
    assert!(outbox.pending().expect("list").is_empty());
    let back: OutboxItem =
        serde_json::from_str(&fs::read_to_string(kept).expect("read")).expect("parse");
    assert_eq!(back, stored);
    assert!(!outbox.delivered_keys().contains(&stored.key));
}

#[test]
fn delivered_ledger_rotates_and_still_remembers_the_previous_generation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let first = IdempotencyKey::random();
    outbox.record_delivered(&first);
    let per_key = first.as_str().len() as u64 + 1;
    for _ in 0..=(DELIVERED_LOG_MAX_BYTES / per_key) {
        outbox.record_delivered(&IdempotencyKey::random());
    }
    assert!(dir.path().join(DELIVERED_LOG_OLD).exists());
    let last = IdempotencyKey::random();
    outbox.record_delivered(&last);
    let keys = outbox.delivered_keys();
    assert!(keys.contains(&first));
    assert!(keys.contains(&last));
}

#[test]
fn an_item_without_count_reads_as_one() {
    let key = IdempotencyKey::random();
    let text = format!(r#"{{"key":"{key}","created_ms":5,"url":"u","payload":{{}}}}"#);
    let parsed: OutboxItem = serde_json::from_str(&text).expect("parse");
    assert_eq!(parsed.count, 1);
}

#[cfg(unix)]
#[test]
fn the_outbox_is_private_to_its_owner_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| fs::metadata(path).expect("stat").permissions().mode() & 0o777;
    let root = tempfile::tempdir().expect("tempdir");
    // New directories are born private (a pre-existing one keeps its mode: see hostile_tests).
    let dir = root.path().join("state").join("outbox");
    let outbox = open(&dir);
    outbox.append(&item(1)).expect("append");
    outbox.record_delivered(&IdempotencyKey::random());
    assert_eq!(mode(&dir), 0o700);
    for sub in ["pending", "tmp", "rejected", "corrupt"] {
        assert_eq!(mode(&dir.join(sub)), 0o700, "{sub}");
    }
    let pending = outbox.pending().expect("list");
    let Claim::Claimed(claimed) = outbox.try_claim(&pending[0]).expect("claim") else {
        panic!("not claimed");
    };
    let rejected = outbox
        .reject(claimed.lock, &claimed.item.key)
        .expect("reject");
    for file in [rejected.as_path(), &dir.join("delivered.log")] {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    outbox.append(&item(2)).expect("append");
    for entry in fs::read_dir(dir.join("pending")).expect("list") {
        assert_eq!(mode(&entry.expect("entry").path()), 0o600);
    }
}

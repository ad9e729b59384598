//! Odd or hostile outbox contents: each is set aside or refused with one log line, touches nothing that is not
//! patchwork's, and the good items beside it are still delivered.

use super::tests::{drain_all, item, open};
use super::*;
use crate::test_logs::logged;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::sync::Mutex;
use std::time::SystemTime;

/// A name `pending/` lists as an item.
fn item_name() -> String {
    format!("{:013}-{}.json", 1, IdempotencyKey::random())
}

/// Two good items beside `plant`'s entry (planted under an item's name in `pending/`): two drains deliver both
/// good items, the entry leaves `pending/`, and the log says so once.
fn good_items_drain_beside(plant: impl FnOnce(&Path)) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let good: Vec<_> = (0..2).map(item).collect();
    let odd = dir.path().join(PENDING).join(item_name());
    plant(&odd);
    for stored in &good {
        outbox.append(stored).expect("append");
    }
    let delivered = Mutex::new(Vec::new());
    let ((), lines) = logged(|| {
        drain_all(&outbox, &delivered);
        drain_all(&outbox, &delivered);
    });
    let mut delivered = delivered.into_inner().expect("delivered");
    delivered.sort();
    let mut expected: Vec<_> = good.iter().map(|stored| stored.key.clone()).collect();
    expected.sort();
    assert_eq!(delivered, expected, "the good items are delivered");
    assert!(
        fs::symlink_metadata(&odd).is_err(),
        "the odd entry left pending/"
    );
    assert!(outbox.pending().expect("list").is_empty());
    let about: Vec<_> = lines
        .into_iter()
        .filter(|line| line.contains("skipped an outbox item"))
        .collect();
    assert_eq!(about.len(), 1, "one line: {about:?}");
    about
}

#[test]
fn a_fifo_named_like_an_item_is_set_aside_without_blocking() {
    let lines = good_items_drain_beside(|path| {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(made.success());
    });
    assert!(lines[0].contains("not a regular file"), "{lines:?}");
}

#[test]
fn a_link_to_dev_zero_named_like_an_item_is_set_aside_unread() {
    let lines = good_items_drain_beside(|path| symlink("/dev/zero", path).expect("symlink"));
    assert!(lines[0].contains("symbolic link"), "{lines:?}");
}

#[test]
fn a_link_to_a_good_item_elsewhere_is_set_aside() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let target = elsewhere.path().join("item.json");
    let line = serde_json::to_string(&item(9)).expect("json");
    fs::write(&target, line).expect("write");
    good_items_drain_beside(|path| symlink(&target, path).expect("symlink"));
    assert!(target.exists(), "the link's target is untouched");
}

#[test]
fn a_directory_named_like_an_item_is_set_aside_once() {
    let lines = good_items_drain_beside(|path| fs::create_dir(path).expect("mkdir"));
    assert!(lines[0].contains("not a regular file"), "{lines:?}");
}

#[test]
fn a_huge_junk_file_is_set_aside_unread() {
    let lines = good_items_drain_beside(|path| {
        File::create_new(path)
            .and_then(|file| file.set_len(100 * 1024 * 1024))
            .expect("a sparse 100 MB file");
    });
    assert!(lines[0].contains("larger than"), "{lines:?}");
}

#[test]
fn a_huge_junk_file_does_not_count_against_the_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(dir.path()));
    File::create_new(dir.path().join(PENDING).join(item_name()))
        .and_then(|file| file.set_len(100 * 1024 * 1024))
        .expect("a sparse 100 MB file");
    let limits = OutboxLimits {
        max_items: 10,
        max_bytes: 1024 * 1024,
    };
    let outbox = Outbox::open(dir.path(), limits).expect("open");
    outbox.append(&item(1)).expect("room for a good item");
    assert_eq!(outbox.pending().expect("list").len(), 1);
}

#[test]
fn an_entry_that_cannot_be_moved_aside_is_skipped_and_warned_about_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let odd = dir.path().join(PENDING).join(item_name());
    fs::create_dir(&odd).expect("mkdir");
    // corrupt/ holds a file of that name: a directory cannot replace it.
    fs::write(dir.path().join(CORRUPT).join(file_name(&odd)), b"x").expect("write");
    outbox.append(&item(1)).expect("append");
    let delivered = Mutex::new(Vec::new());
    let ((), lines) = logged(|| {
        for _ in 0..3 {
            drain_all(&outbox, &delivered);
        }
    });
    assert_eq!(delivered.into_inner().expect("delivered").len(), 1);
    let about: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("skipped an outbox item"))
        .collect();
    assert_eq!(about.len(), 1, "{lines:?}");
    assert!(odd.is_dir(), "left where it was");
}

#[test]
fn a_delivered_log_that_is_a_link_is_neither_appended_to_nor_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let target = elsewhere.path().join("their.log");
    let planted = IdempotencyKey::random();
    fs::write(&target, format!("{planted}\n")).expect("write");
    symlink(&target, dir.path().join(DELIVERED_LOG)).expect("symlink");
    let outbox = open(dir.path());
    let ((), lines) = logged(|| {
        outbox.record_delivered(&IdempotencyKey::random());
        outbox.record_delivered(&IdempotencyKey::random());
        assert!(!outbox.delivered_keys().contains(&planted));
    });
    assert_eq!(
        fs::read_to_string(&target).expect("read"),
        format!("{planted}\n"),
        "not appended to"
    );
    let about: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("ledger is not used"))
        .collect();
    assert_eq!(about.len(), 1, "{lines:?}");
}

#[test]
fn a_delivered_log_that_is_a_fifo_does_not_block_a_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join(DELIVERED_LOG))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let outbox = open(dir.path());
    assert!(outbox.delivered_keys().is_empty());
    outbox.record_delivered(&IdempotencyKey::random());
}

#[test]
fn a_repeat_count_that_is_a_fifo_or_a_link_reads_as_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = open(dir.path());
    let (fifo, link) = (IdempotencyKey::random(), IdempotencyKey::random());
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join(REPEATS).join(fifo.as_str()))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    symlink("/dev/zero", dir.path().join(REPEATS).join(link.as_str())).expect("symlink");
    assert_eq!(outbox.repeats(&fifo), 1);
    assert_eq!(outbox.repeats(&link), 1);
}

#[test]
fn a_planted_link_in_tmp_is_not_followed_when_a_repeat_count_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let target = elsewhere.path().join("precious");
    fs::write(&target, b"precious").expect("write");
    let outbox = open(dir.path());
    let key = IdempotencyKey::random();
    symlink(
        &target,
        dir.path().join(TMP).join(files::repeats_tmp_name(&key)),
    )
    .expect("symlink");
    outbox.note_repeats(&key, 7);
    assert_eq!(fs::read(&target).expect("read"), b"precious");
}

// Point 3: touch only what patchwork created.

fn age(path: &Path) {
    let long_ago = SystemTime::now() - Duration::from_secs(3600);
    File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_modified(long_ago))
        .expect("age the file");
}

#[test]
fn start_up_clean_up_removes_only_stale_files_named_as_patchwork_writes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(open(dir.path()));
    let tmp = dir.path().join(TMP);
    let ours = [
        tmp.join(item_name()),
        tmp.join(files::repeats_tmp_name(&IdempotencyKey::random())),
        tmp.join(files::probe_name(7)),
    ];
    let theirs = [
        tmp.join("notes.txt"),
        tmp.join("old.json"),
        tmp.join(".probe-x"),
    ];
    for path in ours.iter().chain(&theirs) {
        fs::write(path, b"x").expect("write");
        age(path);
    }
    let fresh = tmp.join(item_name());
    fs::write(&fresh, b"x").expect("write");
    drop(open(dir.path()));
    for path in &ours {
        assert!(!path.exists(), "stale and ours: removed {}", path.display());
    }
    for path in theirs.iter().chain([&fresh]) {
        assert!(path.exists(), "kept {}", path.display());
    }
}

#[test]
fn an_outbox_subdirectory_that_is_a_link_is_refused_and_its_target_untouched() {
    for sub in [TMP, PENDING, CORRUPT] {
        let dir = tempfile::tempdir().expect("tempdir");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        fs::set_permissions(elsewhere.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let old = elsewhere.path().join(item_name());
        fs::write(&old, b"x").expect("write");
        age(&old);
        symlink(elsewhere.path(), dir.path().join(sub)).expect("symlink");
        let error = Outbox::open(dir.path(), OutboxLimits::default()).expect_err(sub);
        assert!(
            error.to_string().contains("symbolic link"),
            "{sub}: {error}"
        );
        assert!(old.exists(), "{sub}: the link's target keeps its files");
        let mode = fs::metadata(elsewhere.path())
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{sub}: and its mode");
    }
}

#[test]
fn an_existing_directory_keeps_its_mode_and_is_used_with_one_warning() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("data");
    fs::create_dir(&dir).expect("mkdir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
    let (outbox, lines) = logged(|| open(&dir));
    outbox.append(&item(1)).expect("usable");
    let mode = fs::metadata(&dir).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o755, "not re-permissioned");
    let about: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("readable by other users"))
        .collect();
    assert_eq!(about.len(), 1, "{lines:?}");
}

#[test]
fn an_outbox_others_can_write_is_refused() {
    for mode in [0o770, 0o777, 0o1777] {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("shared");
        fs::create_dir(&dir).expect("mkdir");
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).expect("chmod");
        let error = Outbox::open(&dir, OutboxLimits::default()).expect_err("refused");
        assert!(
            error
                .to_string()
                .contains(&format!("written by other users (mode {mode:o})")),
            "{error}"
        );
        assert!(!dir.join(PENDING).exists(), "nothing created in it");
        let now = fs::metadata(&dir).expect("stat").permissions().mode() & 0o7777;
        assert_eq!(now, mode, "its mode is left");
    }
}

#[test]
fn an_outbox_of_another_user_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("theirs");
    fs::create_dir(&dir).expect("mkdir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    // Only root can give a directory away; otherwise a root-owned directory is another user's.
    let theirs = if std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).is_ok() {
        dir
    } else {
        PathBuf::from("/")
    };
    assert_ne!(
        fs::metadata(&theirs).expect("stat").uid(),
        fs::metadata(root.path()).expect("stat").uid()
    );
    let error = Outbox::open(&theirs, OutboxLimits::default()).expect_err("refused");
    assert!(error.to_string().contains("another user"), "{error}");
}

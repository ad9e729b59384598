//! What waits in an outbox, read without changing anything (for `patchwork-replay status`): how many items per
//! owner (service URL and key fingerprint) and since when, and how many were refused or set aside. Never their
//! contents.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use super::item::now_ms;
use super::safety::read_checked;
use super::{CORRUPT, Drainer, MAX_ITEM_FILE_BYTES, OutboxItem, REJECTED, scan_pending};

/// The items of one owner waiting in `pending/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiting {
    pub(crate) items: u64,
    /// How long the oldest has waited, in milliseconds.
    pub(crate) oldest_age_ms: u64,
    /// Whether the owner asked about would send them, by the one ownership rule.
    pub(crate) mine: bool,
}

/// What an outbox holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Census {
    /// Pending items per owner: (service URL, key fingerprint), the fingerprint empty for items written by
    /// versions before fingerprints.
    pub(crate) pending: BTreeMap<(String, String), Waiting>,
    /// Entries of `pending/` named like items that are not readable items (a server moves them to `corrupt/`).
    pub(crate) unreadable: u64,
    /// Items the service refused for good.
    pub(crate) rejected: u64,
    /// Entries set aside as not items.
    pub(crate) corrupt: u64,
}

/// Counts what the outbox in `dir` holds, marking the items a process with the key fingerprinted `key_id` for the
/// service at `base` (`owner`) would send. Items are read (with the outbox's bound, without following links) only
/// for their owner; nothing is claimed, moved or removed.
pub(crate) fn census(dir: &Path, owner: Option<(&str, &str)>) -> io::Result<Census> {
    let mut census = Census::default();
    let entries = match scan_pending(dir, |_| false, |_, _| census.unreadable += 1) {
        Ok((entries, _)) => entries,
        // A directory no server has opened yet.
        Err(error) if error.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error),
    };
    let now = now_ms();
    for entry in entries {
        let item = match read_checked(&entry.path, MAX_ITEM_FILE_BYTES) {
            Ok(Ok(content)) => serde_json::from_slice::<OutboxItem>(&content).ok(),
            // Delivered since the listing.
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Ok(Err(_)) | Err(_) => None,
        };
        let Some(item) = item.filter(|item| item.key == entry.key) else {
            census.unreadable += 1;
            continue;
        };
        let age = now.saturating_sub(entry.created_ms);
        let mine =
            owner.is_some_and(|(base, key_id)| item.owned_by(base, key_id, Drainer::Process));
        let waiting = census
            .pending
            .entry((item.url, item.key_id))
            .or_insert(Waiting {
                items: 0,
                oldest_age_ms: 0,
                mine,
            });
        waiting.items += 1;
        waiting.oldest_age_ms = waiting.oldest_age_ms.max(age);
    }
    census.rejected = entries_in(&dir.join(REJECTED))?;
    census.corrupt = entries_in(&dir.join(CORRUPT))?;
    Ok(census)
}

/// How many entries `dir` has (0 when it does not exist).
fn entries_in(dir: &Path) -> io::Result<u64> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(entries.count() as u64),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{item, open};
    use super::*;

    #[test]
    fn counts_per_owner_with_the_oldest_age_and_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = open(dir.path());
        let hour_ms = 3_600_000;
        for (n, key_id, hours_ago) in [(1, "a", 2), (2, "a", 1), (3, "b", 0), (4, "", 5)] {
            let mut waiting = item(n);
            waiting.key_id = key_id.to_owned();
            waiting.created_ms = now_ms() - hours_ago * hour_ms;
            outbox.append(&waiting).expect("append");
        }
        std::fs::write(dir.path().join("pending/0000000000001-not-a-key.json"), "x")
            .expect("a file not named like an item");
        let torn = item(5);
        std::fs::write(
            dir.path().join("pending").join(torn.file_name()),
            b"{\"key\":",
        )
        .expect("a torn item");
        std::fs::write(dir.path().join("rejected/r.json"), "{}").expect("a rejected item");
        let before = outbox.pending().expect("list").len();

        let url = item(1).url;
        let census = census(dir.path(), Some((&url, "a"))).expect("census");
        let of = |key_id: &str| census.pending[&(url.clone(), key_id.to_owned())];
        assert_eq!(of("a").items, 2);
        assert!(of("a").oldest_age_ms >= 2 * hour_ms && of("a").oldest_age_ms < 3 * hour_ms);
        assert!(of("a").mine && !of("b").mine && !of("").mine);
        assert_eq!(of("b").items, 1);
        assert!(of("b").oldest_age_ms < hour_ms);
        assert_eq!(of("").items, 1, "items of older versions, by themselves");
        assert_eq!(
            (census.unreadable, census.rejected, census.corrupt),
            (1, 1, 0)
        );
        assert_eq!(
            outbox.pending().expect("list").len(),
            before,
            "nothing moved"
        );
    }
}

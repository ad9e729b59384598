//! One item's lifecycle, the same for background delivery and for replay: **claim** the item file (a `flock`),
//! check its **owner** (the service URL and key it was accepted for), **send** it (the caller, through the one
//! retry loop), **settle** it (accepted: removed and noted in the ledger; refused for good: moved to
//! `rejected/`; neither: left pending for a later drain).

use std::io;
use std::path::PathBuf;

use super::{Claim, ClaimedItem, ItemLock, Outbox, OutboxItem, PendingEntry};
use crate::delivery::IdempotencyKey;

/// Who drains the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drainer {
    /// A server process's background worker, with the key it was configured with.
    Process,
    /// `patchwork-replay` (or [`Replay`](crate::Replay)), run by a person with the key they chose.
    Replay,
}

impl OutboxItem {
    /// The ownership rule: whether `drainer`, holding the key fingerprinted `key_id` for the service at `base`,
    /// may send this item. An item goes only to the URL it was accepted for, under the key it was accepted
    /// under. An item without a fingerprint (written before there were any) proves no key, so no process sends
    /// it on its own: only a replay does, under the key the person running it gave.
    pub(crate) fn owned_by(&self, base: &str, key_id: &str, drainer: Drainer) -> bool {
        self.url == base
            && if self.key_id.is_empty() {
                drainer == Drainer::Replay
            } else {
                self.key_id == key_id
            }
    }
}

/// What [`Outbox::take`] found.
#[derive(Debug)]
pub(crate) enum Taken<T> {
    /// Claimed, and the caller owns it: `T` is where it goes.
    Mine(ClaimedItem, T),
    /// Claimed, but another service or key owns it: released at once, left for its owner.
    Others,
    /// Not claimed: another holder has it, it is gone, or it was set aside.
    Skipped(Claim),
}

/// How a delivery ended, for [`Outbox::settle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settlement {
    /// The service accepted it.
    Delivered,
    /// The service refused it for good.
    Refused,
    /// Neither (unreachable, given up, stopped): it stays pending.
    NotYet,
}

impl Outbox {
    /// Claims `entry` and checks its owner: `route` says where an item goes, `None` when the caller does not own
    /// it (then it is released at once).
    pub(crate) fn take<T>(
        &self,
        entry: &PendingEntry,
        route: impl FnOnce(&OutboxItem) -> Option<T>,
    ) -> io::Result<Taken<T>> {
        let claimed = match self.try_claim(entry)? {
            Claim::Claimed(claimed) => claimed,
            other => return Ok(Taken::Skipped(other)),
        };
        Ok(match route(&claimed.item) {
            Some(to) => Taken::Mine(claimed, to),
            None => Taken::Others,
        })
    }

    /// Settles the item `key` after its delivery ended. `hold` is the caller's claim on it; without one (an
    /// item that only ever lived in memory, or one that was gone by the last attempt) only a delivery is noted,
    /// in the ledger. Returns where a refused item was kept.
    pub(crate) fn settle(
        &self,
        key: &IdempotencyKey,
        hold: Option<ItemLock>,
        how: Settlement,
    ) -> io::Result<Option<PathBuf>> {
        match (how, hold) {
            (Settlement::Delivered, Some(lock)) => self.complete(lock, key).map(|()| None),
            (Settlement::Delivered, None) => {
                self.record_delivered(key);
                Ok(None)
            }
            (Settlement::Refused, Some(lock)) => self.reject(lock, key).map(Some),
            (Settlement::Refused | Settlement::NotYet, _) => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{item, open};
    use super::*;

    #[test]
    fn the_one_ownership_rule() {
        let fingerprinted = item(1);
        let (url, key_id) = (fingerprinted.url.clone(), fingerprinted.key_id.clone());
        let mut legacy = item(2);
        legacy.key_id.clear();
        for drainer in [Drainer::Process, Drainer::Replay] {
            assert!(fingerprinted.owned_by(&url, &key_id, drainer));
            assert!(!fingerprinted.owned_by(&url, "another key", drainer));
            assert!(!fingerprinted.owned_by("https://elsewhere.example", &key_id, drainer));
            assert!(!legacy.owned_by("https://elsewhere.example", &key_id, drainer));
        }
        assert!(
            !legacy.owned_by(&url, &key_id, Drainer::Process),
            "a legacy item proves no key: no process sends it as its own"
        );
        assert!(legacy.owned_by(&url, &key_id, Drainer::Replay));
    }

    #[test]
    fn an_item_taken_by_another_owner_is_released_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ours, theirs) = (open(dir.path()), open(dir.path()));
        ours.append(&item(1)).expect("append");
        let entry = ours.pending().expect("list").remove(0);
        assert!(matches!(
            ours.take(&entry, |_| None::<()>).expect("take"),
            Taken::Others
        ));
        assert!(matches!(
            theirs.take(&entry, |_| Some(())).expect("take"),
            Taken::Mine(..)
        ));
    }

    #[test]
    fn settling_ends_the_lifecycle_as_the_delivery_ended() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outbox = open(dir.path());
        for n in 0..3 {
            outbox.append(&item(n)).expect("append");
        }
        let mut kept = None;
        for (entry, how) in outbox.pending().expect("list").iter().zip([
            Settlement::NotYet,
            Settlement::Refused,
            Settlement::Delivered,
        ]) {
            let Taken::Mine(claimed, ()) = outbox.take(entry, |_| Some(())).expect("take") else {
                panic!("taken");
            };
            let settled = outbox.settle(&entry.key, Some(claimed.lock), how);
            if how == Settlement::Refused {
                kept = settled.expect("settled");
            }
        }
        let pending = outbox.pending().expect("list");
        assert_eq!(pending.len(), 1, "not yet: still pending");
        assert!(
            kept.is_some_and(|path| path.exists()),
            "refused: kept in rejected/"
        );
        assert_eq!(outbox.delivered_keys().len(), 1, "delivered: in the ledger");
        assert!(matches!(
            outbox.take(&pending[0], |_| Some(())).expect("take"),
            Taken::Mine(..)
        ));
    }
}

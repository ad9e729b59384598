//! Where the items of each owner (service URL, key fingerprint) go, with that key: the (URL, key) pairs this
//! process holds. Items of other owners are left for them.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::delivery::Target;
use crate::outbox::{Drainer, OutboxItem};
use crate::sync::lock;

#[derive(Debug, Default)]
pub(super) struct Routes {
    known: Mutex<HashMap<(String, String), Target>>,
}

impl Routes {
    /// Whether this process has a key for any service (else no item could be claimed).
    pub(super) fn any(&self) -> bool {
        !lock(&self.known).is_empty()
    }

    /// Registers where the items of `target`'s owner go; true if it was not known (worth a drain).
    pub(super) fn register(&self, target: &Target) -> bool {
        let mut known = lock(&self.known);
        if known
            .keys()
            .any(|(url, key_id)| *url == target.base && *key_id == target.key_id)
        {
            return false;
        }
        known.insert((target.base.clone(), target.key_id.clone()), target.clone());
        true
    }

    /// Where `item` goes: the route of the (service URL, key) that owns it by the one ownership rule
    /// ([`OutboxItem::owned_by`]); `None` when this process has not that key for that service.
    pub(super) fn route_for(&self, item: &OutboxItem) -> Option<Target> {
        lock(&self.known)
            .iter()
            .find(|((url, key_id), _)| item.owned_by(url, key_id, Drainer::Process))
            .map(|(_, target)| target.clone())
    }
}

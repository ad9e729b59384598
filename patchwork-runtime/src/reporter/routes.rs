//! Where the items of each owner (service URL, key fingerprint) go, with that key: the (URL, key) pairs this
//! process holds. Items of other owners are left for them.

use std::collections::HashMap;
use std::sync::Mutex;

use super::state::lock;
use crate::delivery::Target;
use crate::outbox::{Drainer, OutboxItem};

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
        let owner = (target.base.clone(), target.key_id.clone());
        let mut known = lock(&self.known);
        if known.contains_key(&owner) {
            return false;
        }
        known.insert(owner, target.clone());
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

//! The items in the worker's hands: at most `capacity` at once, each taken by one task of this process; a flush
//! waits for them to settle, and a flush deadline writes the unsent line of any that exist only in memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tokio::sync::Notify;

use super::state::Shared;
use crate::delivery::unsent::log_unsent;
use crate::delivery::{IdempotencyKey, Reason};
use crate::feedback::Origin;
use crate::sync::lock;

/// An item in the worker's hands. `unlogged` holds the body of an item that exists only in memory, so a flush
/// deadline can still write its unsent line.
#[derive(Debug, Default)]
struct Entry {
    unlogged: Option<(String, Origin)>,
}

#[derive(Debug)]
pub(super) struct Hands {
    capacity: usize,
    active: Mutex<HashMap<IdempotencyKey, Entry>>,
    settled: Condvar,
    settled_async: Notify,
    /// An item was left in the outbox for want of room: drain again once half the room is free.
    overflowed: AtomicBool,
    /// Wakes the worker to drain the outbox (room came free, a new service or key became known).
    pub(super) drain_now: Notify,
}

impl Hands {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            active: Mutex::new(HashMap::new()),
            settled: Condvar::new(),
            settled_async: Notify::new(),
            overflowed: AtomicBool::new(false),
            drain_now: Notify::new(),
        }
    }

    /// Takes `key` if there is room and nobody in this process has it.
    pub(super) fn take(&self, key: &IdempotencyKey, unlogged: Option<(String, Origin)>) -> bool {
        let mut active = lock(&self.active);
        if active.len() >= self.capacity || active.contains_key(key) {
            return false;
        }
        active.insert(key.clone(), Entry { unlogged });
        true
    }

    pub(super) fn holds(&self, key: &IdempotencyKey) -> bool {
        lock(&self.active).contains_key(key)
    }

    pub(super) fn is_full(&self) -> bool {
        self.in_flight() >= self.capacity
    }

    /// Notes that an item waits in the outbox for want of room.
    pub(super) fn overflow(&self) {
        self.overflowed.store(true, Ordering::Release);
    }

    fn release(&self, key: &IdempotencyKey) {
        let remaining = {
            let mut active = lock(&self.active);
            active.remove(key);
            active.len()
        };
        if remaining <= self.capacity / 2 && self.overflowed.swap(false, Ordering::AcqRel) {
            self.drain_now.notify_one();
        }
        if remaining == 0 {
            self.settled.notify_all();
            self.settled_async.notify_waiters();
        }
    }

    /// Takes a memory-only item's body, marking its unsent line as written; `None` if it already was.
    pub(super) fn take_unlogged(&self, key: &IdempotencyKey) -> Option<(String, Origin)> {
        lock(&self.active)
            .get_mut(key)
            .and_then(|entry| entry.unlogged.take())
    }

    pub(super) fn in_flight(&self) -> usize {
        lock(&self.active).len()
    }

    /// Waits until nothing is in flight (unbounded: the caller bounds it).
    pub(super) async fn settled(&self) {
        loop {
            let settled = self.settled_async.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            settled.await;
        }
    }

    /// Blocks until nothing is in flight or `timeout` passes; returns what is still in flight.
    pub(super) fn wait_settled_blocking(&self, timeout: std::time::Duration) -> usize {
        let start = std::time::Instant::now();
        let mut active = lock(&self.active);
        while !active.is_empty() {
            // Measured from the start, not as an `Instant` deadline: `start + Duration::MAX` panics.
            let left = timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            active = self
                .settled
                .wait_timeout(active, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        active.len()
    }

    /// At a flush deadline: writes the unsent line of every memory-only item still in flight.
    pub(super) fn log_unlogged(&self) {
        let unlogged: Vec<(String, Origin)> = lock(&self.active)
            .values_mut()
            .filter_map(|entry| entry.unlogged.take())
            .collect();
        for (body, origin) in unlogged {
            log_unsent(&Reason::NotDeliveredBeforeExit, &body, origin);
        }
    }
}

/// An item in the worker's hands: released when the task holding it ends (or is dropped).
pub(super) struct Held {
    shared: Arc<Shared>,
    pub(super) key: IdempotencyKey,
}

impl Held {
    /// Takes `key` into the worker's hands, if the worker runs, there is room, and nobody in this process has it.
    pub(super) fn take(
        shared: &Arc<Shared>,
        key: &IdempotencyKey,
        unlogged: Option<(String, Origin)>,
    ) -> Option<Self> {
        (shared.runs() && shared.hands.take(key, unlogged)).then(|| Self {
            shared: Arc::clone(shared),
            key: key.clone(),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.shared.hands.release(&self.key);
    }
}

//! The state the reporter's submitters, worker and delivery tasks share.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

use super::ReporterConfig;
use super::flood::FloodGuard;
use super::outage::Outage;
use crate::delivery::{Client, IdempotencyKey, Pause, Reason, Target};
use crate::feedback::Origin;
use crate::delivery::unsent::log_unsent;
use crate::outbox::{Drainer, Outbox, OutboxItem};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Lets a diagnostic through at most once per period, counting what it held back: an outage must not write
/// a line per feedback to the operator's log.
#[derive(Debug, Default)]
pub(super) struct Throttle {
    last: Mutex<Option<Instant>>,
    held_back: AtomicU64,
}

impl Throttle {
    /// `Some(held back since the last one)` when a diagnostic may go out now.
    pub(super) fn allow(&self, period: std::time::Duration) -> Option<u64> {
        let now = Instant::now();
        let mut last = lock(&self.last);
        if last.is_some_and(|at| now.saturating_duration_since(at) < period) {
            self.held_back.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        *last = Some(now);
        Some(self.held_back.swap(0, Ordering::Relaxed))
    }
}

/// Counters since the reporter started.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) delivered: AtomicU64,
    pub(super) rejected: AtomicU64,
    pub(super) deferred: AtomicU64,
    pub(super) repeats: AtomicU64,
    pub(super) not_stored: AtomicU64,
}

/// An item in the worker's hands. `unlogged` holds the body of an item that exists only in memory, so a
/// flush deadline can still write its unsent line.
#[derive(Debug, Default)]
struct ActiveEntry {
    unlogged: Option<(String, Origin)>,
}

/// State shared by submitters, the worker and its tasks.
pub(super) struct Shared {
    pub(super) config: ReporterConfig,
    pub(super) outbox: Option<Arc<Outbox>>,
    /// An outbox was configured but could not be opened: feedback is logged as it arrives.
    pub(super) outbox_failed: bool,
    pub(super) client: Option<Client>,
    pub(super) runtime: Option<tokio::runtime::Handle>,
    /// Where the items of each owner (base URL, key fingerprint) go, with that key.
    routes: Mutex<HashMap<(String, String), Target>>,
    pub(super) flood: Mutex<FloodGuard>,
    active: Mutex<HashMap<IdempotencyKey, ActiveEntry>>,
    settled: Condvar,
    pub(super) settled_async: Notify,
    pub(super) drain_now: Notify,
    pub(super) overflowed: AtomicBool,
    /// A `Retry-After` holds back every delivery of this reporter.
    pub(super) pause: Pause,
    /// Items this process gave up on at their deadline, and when it may drain them again (so an outage does
    /// not keep them cycling; another process may still take them).
    pub(super) resting: Mutex<HashMap<IdempotencyKey, Instant>>,
    pub(super) permits: Semaphore,
    pub(super) counters: Counters,
    /// Diagnostics about the service being unreachable, and about drained items.
    pub(super) unreachable_note: Throttle,
    pub(super) drained_note: Throttle,
    /// Whether the service is failing, and since when (to warn within a minute, and say when it is back).
    pub(super) outage: Arc<Outage>,
    /// Whether a delivery was logged at info already (the first of the process's reporter).
    first_delivery: AtomicBool,
}

impl Shared {
    pub(super) fn new(
        config: ReporterConfig,
        outbox: Option<Arc<Outbox>>,
        outbox_failed: bool,
        client: Option<Client>,
        runtime: Option<tokio::runtime::Handle>,
    ) -> Self {
        Self {
            flood: Mutex::new(FloodGuard::new(config.flood_window, config.flood_capacity)),
            permits: Semaphore::new(config.max_concurrent.max(1)),
            config,
            outbox,
            outbox_failed,
            client,
            runtime,
            routes: Mutex::new(HashMap::new()),
            active: Mutex::new(HashMap::new()),
            settled: Condvar::new(),
            settled_async: Notify::new(),
            drain_now: Notify::new(),
            overflowed: AtomicBool::new(false),
            pause: Pause::default(),
            resting: Mutex::new(HashMap::new()),
            counters: Counters::default(),
            unreachable_note: Throttle::default(),
            drained_note: Throttle::default(),
            outage: Arc::default(),
            first_delivery: AtomicBool::new(false),
        }
    }

    /// Logs an accepted delivery: the first at info (the operator sees that delivery works), later ones at debug
    /// (`quiet`: not at all, the caller logged it).
    pub(super) fn note_delivered(&self, attempts: u32, quiet: bool) {
        if !self.first_delivery.swap(true, Ordering::AcqRel) {
            tracing::info!(
                attempts,
                "PatchworkMCP accepted the first feedback report of this run; later deliveries are logged at debug"
            );
        } else if !quiet {
            tracing::debug!(attempts, "feedback delivered");
        }
    }

    /// Registers where the items of `target`'s owner go; true if it was not known (worth a drain).
    /// Whether this process has a key for any service (else no item could be claimed).
    pub(super) fn has_routes(&self) -> bool {
        !lock(&self.routes).is_empty()
    }

    pub(super) fn register_route(&self, target: Target) -> bool {
        let owner = (target.base.clone(), target.key_id.clone());
        lock(&self.routes).insert(owner, target).is_none()
    }

    /// Where `item` goes: the route of the (service URL, key) that owns it by the one ownership rule
    /// ([`OutboxItem::owned_by`]); `None` when this process has not that key for that service.
    pub(super) fn route_for(&self, item: &OutboxItem) -> Option<Target> {
        lock(&self.routes)
            .iter()
            .find(|((url, key_id), _)| item.owned_by(url, key_id, Drainer::Process))
            .map(|(_, target)| target.clone())
    }

    /// Takes `key` into the worker's hands if there is room and nobody in this process has it.
    pub(super) fn try_activate(
        &self,
        key: &IdempotencyKey,
        unlogged: Option<(String, Origin)>,
    ) -> bool {
        if self.runtime.is_none() || self.client.is_none() {
            return false;
        }
        let mut active = lock(&self.active);
        if active.len() >= self.config.queue_capacity.max(1) || active.contains_key(key) {
            return false;
        }
        active.insert(key.clone(), ActiveEntry { unlogged });
        true
    }

    pub(super) fn is_active(&self, key: &IdempotencyKey) -> bool {
        lock(&self.active).contains_key(key)
    }

    fn deactivate(&self, key: &IdempotencyKey) {
        let remaining = {
            let mut active = lock(&self.active);
            active.remove(key);
            active.len()
        };
        if remaining <= self.config.queue_capacity / 2
            && self.overflowed.swap(false, Ordering::AcqRel)
        {
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

/// Removes an item from the worker's hands when the task holding it ends (or is dropped).
pub(super) struct ActiveGuard {
    pub(super) shared: Arc<Shared>,
    pub(super) key: IdempotencyKey,
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.shared.deactivate(&self.key);
    }
}

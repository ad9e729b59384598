//! What the reporter tells the operator: counters since start, throttled notes (the service unreachable, items
//! drained), the outage watch, and the first delivery of the run at info.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::time::Instant;

use super::Stats;
use super::outage::Outage;
use crate::sync::lock;

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

impl Counters {
    pub(super) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn stats(&self) -> Stats {
        Stats {
            delivered: self.delivered.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            deferred: self.deferred.load(Ordering::Relaxed),
            repeats: self.repeats.load(Ordering::Relaxed),
            not_stored: self.not_stored.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Health {
    pub(super) counters: Counters,
    /// Diagnostics about the service being unreachable, and about drained items.
    pub(super) unreachable_note: Throttle,
    pub(super) drained_note: Throttle,
    /// Whether the service is failing, and since when (to warn within a minute, and say when it is back).
    pub(super) outage: Arc<Outage>,
    /// Whether a delivery was logged at info already (the first of the process's reporter).
    first_delivery: AtomicBool,
}

impl Health {
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
}

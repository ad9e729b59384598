//! How fast the worker sends: at most `max_concurrent` requests at once, a `Retry-After` holding back every
//! send, and items given up on at their deadline resting before a drain takes them again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::delivery::{IdempotencyKey, Pause};
use crate::sync::lock;

#[derive(Debug)]
pub(super) struct Pacing {
    pub(super) permits: Semaphore,
    /// A `Retry-After` holds back every delivery of this reporter.
    pub(super) pause: Pause,
    /// Items this process gave up on at their deadline, and when it may drain them again (so an outage does
    /// not keep them cycling; another process may still take them).
    resting: Mutex<HashMap<IdempotencyKey, Instant>>,
}

impl Pacing {
    pub(super) fn new(max_concurrent: usize) -> Self {
        Self {
            permits: Semaphore::new(max_concurrent.max(1)),
            pause: Pause::default(),
            resting: Mutex::new(HashMap::new()),
        }
    }

    /// The items resting now (those whose rest ended are forgotten).
    pub(super) fn resting(&self) -> HashSet<IdempotencyKey> {
        let now = Instant::now();
        let mut resting = lock(&self.resting);
        resting.retain(|_, until| *until > now);
        resting.keys().cloned().collect()
    }

    /// Lets `key` rest until `until`.
    pub(super) fn rest(&self, key: IdempotencyKey, until: Instant) {
        lock(&self.resting).insert(key, until);
    }
}

//! Flood suppression: an agent stuck in a loop may send the same feedback thousands of times.
//! Identical feedback from one session (same payload, in the same session the server knows) within a
//! window is recorded and sent once; the repeats only raise a counter that travels with it. Memory is bounded by a cap on
//! remembered fingerprints (the oldest are forgotten first).

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::delivery::IdempotencyKey;

/// What [`FloodGuard::check`] decided.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    /// First time in the window: record and send it; `count` is how many calls it stands for.
    New { count: Arc<AtomicU64> },
    /// Seen in the window: suppressed; this is its `count`-th occurrence. `item` is the outbox item that
    /// stands for it, when there is one (its count is persisted there).
    Repeat {
        count: u64,
        item: Option<IdempotencyKey>,
    },
}

#[derive(Debug)]
struct Seen {
    first: Instant,
    count: Arc<AtomicU64>,
    item: Option<IdempotencyKey>,
}

/// Remembers recent feedback fingerprints.
#[derive(Debug)]
pub(crate) struct FloodGuard {
    window: Duration,
    capacity: usize,
    seen: HashMap<u64, Seen>,
    /// Fingerprints oldest first, for expiry and eviction.
    order: VecDeque<(u64, Instant)>,
}

/// A fingerprint of a feedback body (its JSON text) from `session` (the session the server knows).
pub(crate) fn fingerprint(session: &str, body: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    session.hash(&mut hasher);
    body.hash(&mut hasher);
    hasher.finish()
}

impl Verdict {
    /// The verdict for feedback that is never merged (no session known): new, standing for one call.
    pub(crate) fn unmerged() -> Self {
        Self::New {
            count: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl FloodGuard {
    pub(crate) fn new(window: Duration, capacity: usize) -> Self {
        Self {
            window,
            capacity: capacity.max(1),
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Classifies one call with fingerprint `print` at `now`.
    pub(crate) fn check(&mut self, print: u64, now: Instant) -> Verdict {
        self.expire(now);
        if let Some(seen) = self.seen.get(&print) {
            let count = seen.count.fetch_add(1, Ordering::Relaxed) + 1;
            return Verdict::Repeat {
                count,
                item: seen.item.clone(),
            };
        }
        while self.seen.len() >= self.capacity {
            let Some((oldest, at)) = self.order.pop_front() else {
                break;
            };
            if self.seen.get(&oldest).is_some_and(|seen| seen.first == at) {
                self.seen.remove(&oldest);
            }
        }
        let count = Arc::new(AtomicU64::new(1));
        self.seen.insert(
            print,
            Seen {
                first: now,
                count: Arc::clone(&count),
                item: None,
            },
        );
        self.order.push_back((print, now));
        Verdict::New { count }
    }

    /// Notes the outbox item that stands for `print`, so later repeats can persist their count with it.
    pub(crate) fn attach(&mut self, print: u64, item: IdempotencyKey) {
        if let Some(seen) = self.seen.get_mut(&print) {
            seen.item = Some(item);
        }
    }

    /// Forgets `print` (its feedback could not be recorded, so a repeat must not be suppressed).
    pub(crate) fn forget(&mut self, print: u64) {
        self.seen.remove(&print);
    }

    /// How many fingerprints are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&(print, at)) = self.order.front() {
            let expired = now.saturating_duration_since(at) >= self.window;
            let stale = self.seen.get(&print).is_none_or(|seen| seen.first != at);
            if !(expired || stale) {
                break;
            }
            self.order.pop_front();
            if expired && self.seen.get(&print).is_some_and(|seen| seen.first == at) {
                self.seen.remove(&print);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_of(verdict: Verdict) -> u64 {
        match verdict {
            Verdict::New { count } => count.load(Ordering::Relaxed),
            Verdict::Repeat { count, .. } => count,
        }
    }

    #[test]
    fn repeats_within_the_window_are_counted_not_sent() {
        let start = Instant::now();
        let mut guard = FloodGuard::new(Duration::from_secs(600), 16);
        let Verdict::New { count } = guard.check(1, start) else {
            panic!("first must be new");
        };
        for n in 2..=1000 {
            let verdict = guard.check(1, start + Duration::from_millis(n));
            assert!(matches!(verdict, Verdict::Repeat { count, .. } if count == n));
        }
        assert_eq!(
            count.load(Ordering::Relaxed),
            1000,
            "the sent item sees the count"
        );
        assert!(matches!(guard.check(2, start), Verdict::New { .. }));
    }

    #[test]
    fn after_the_window_the_same_feedback_is_new_again() {
        let start = Instant::now();
        let mut guard = FloodGuard::new(Duration::from_secs(60), 16);
        assert!(matches!(guard.check(1, start), Verdict::New { .. }));
        assert!(matches!(
            guard.check(1, start + Duration::from_secs(59)),
            Verdict::Repeat { count: 2, .. }
        ));
        let later = guard.check(1, start + Duration::from_secs(60));
        assert_eq!(count_of(later), 1);
    }

    #[test]
    fn memory_is_bounded_by_the_capacity() {
        let start = Instant::now();
        let mut guard = FloodGuard::new(Duration::from_secs(600), 100);
        for print in 0..10_000 {
            assert!(matches!(guard.check(print, start), Verdict::New { .. }));
        }
        assert_eq!(guard.len(), 100);
        assert!(guard.order.len() <= 100);
        // The most recent are remembered, the oldest forgotten.
        assert!(matches!(guard.check(9_999, start), Verdict::Repeat { .. }));
        assert!(matches!(guard.check(0, start), Verdict::New { .. }));
    }

    #[test]
    fn a_forgotten_fingerprint_is_new_again() {
        let start = Instant::now();
        let mut guard = FloodGuard::new(Duration::from_secs(600), 4);
        guard.check(5, start);
        guard.forget(5);
        assert!(matches!(guard.check(5, start), Verdict::New { .. }));
        assert!(guard.order.len() <= 4);
    }

    #[test]
    fn fingerprints_differ_for_different_sessions() {
        let body = r#"{"session_id":"same","what_i_needed":"x"}"#;
        assert_eq!(
            fingerprint("transport-1", body),
            fingerprint("transport-1", body),
            "the same report in the same session is a repeat"
        );
        assert_ne!(
            fingerprint("transport-1", body),
            fingerprint("transport-2", body),
            "the agent's session id does not join two transport sessions"
        );
    }
}

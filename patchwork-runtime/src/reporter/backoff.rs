//! How long to wait before the next attempt: exponential backoff with jitter, or the service's
//! `Retry-After` (capped), whichever is longer.

use std::time::Duration;

use crate::outbox::random_u64;

/// The retry schedule of the background reporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The base wait before the first retry; it doubles for each further retry.
    pub initial: Duration,
    /// The base wait never grows past this.
    pub max: Duration,
    /// The longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_after: Duration,
}

impl Backoff {
    /// The base (unjittered) wait before retry number `retry` (0-based).
    pub fn base(&self, retry: u32) -> Duration {
        self.initial
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.max)
    }

    /// The wait before retry number `retry`: the base with "equal jitter" (between half the
    /// base and the base, so processes that failed together do not retry together), or the
    /// service's `Retry-After` cut to `max_retry_after` when that is longer.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        self.delay_with(retry, retry_after, random_u64())
    }

    /// [`Backoff::delay`] with the random draw given (for tests).
    pub fn delay_with(&self, retry: u32, retry_after: Option<Duration>, draw: u64) -> Duration {
        let base = self.base(retry);
        let half = base / 2;
        let jitter_nanos = u64::try_from(half.as_nanos())
            .unwrap_or(u64::MAX)
            .checked_add(1)
            .map_or(0, |span| draw % span);
        let jittered = half + Duration::from_nanos(jitter_nanos);
        match retry_after {
            Some(wanted) => wanted.min(self.max_retry_after).max(jittered),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: Backoff = Backoff {
        initial: Duration::from_millis(500),
        max: Duration::from_secs(60),
        max_retry_after: Duration::from_secs(300),
    };

    #[test]
    fn base_doubles_up_to_the_cap() {
        let bases: Vec<_> = (0..10).map(|retry| SCHEDULE.base(retry)).collect();
        assert_eq!(bases[0], Duration::from_millis(500));
        assert_eq!(bases[1], Duration::from_secs(1));
        assert_eq!(bases[3], Duration::from_secs(4));
        assert_eq!(bases[7], Duration::from_secs(60));
        assert_eq!(SCHEDULE.base(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn jitter_stays_between_half_the_base_and_the_base() {
        for retry in 0..8 {
            let base = SCHEDULE.base(retry);
            for draw in [0, 1, 7, u64::MAX / 3, u64::MAX] {
                let delay = SCHEDULE.delay_with(retry, None, draw);
                assert!(
                    delay >= base / 2 && delay <= base,
                    "{retry} {draw} {delay:?}"
                );
            }
        }
        assert_eq!(SCHEDULE.delay_with(2, None, 0), Duration::from_secs(1));
        let spread: std::collections::HashSet<_> =
            (0..50).map(|_| SCHEDULE.delay(4, None)).collect();
        assert!(spread.len() > 1, "jitter must vary");
    }

    #[test]
    fn retry_after_wins_when_longer_and_is_capped() {
        let wanted = Some(Duration::from_secs(30));
        assert_eq!(SCHEDULE.delay_with(0, wanted, 0), Duration::from_secs(30));
        let huge = Some(Duration::from_secs(86_400));
        assert_eq!(SCHEDULE.delay_with(0, huge, 0), Duration::from_secs(300));
        // A Retry-After shorter than our own backoff does not make us hurry.
        let short = Some(Duration::ZERO);
        assert_eq!(SCHEDULE.delay_with(3, short, 0), Duration::from_secs(2));
    }
}

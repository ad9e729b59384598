//! [`RetryPolicy`]: how long one attempt may take, how many attempts, how long to wait between them.

use std::time::Duration;

/// How deliveries are attempted: timeouts, the attempt cap and/or deadline, exponential backoff with
/// optional jitter, and how much of a service's `Retry-After` is honoured.
///
/// Two presets: [`RetryPolicy::reference`] (what `delivery = "await"` and [`send_feedback`](crate::send_feedback)
/// use: the reference client's schedule) and [`RetryPolicy::background`] (the background worker's default).
/// Every retrying path of the crate (await mode, the background worker, replay) runs the same loop with one
/// of these.
///
/// ```
/// use std::time::Duration;
/// use patchwork_runtime::RetryPolicy;
/// let policy = RetryPolicy::background()
///     .with_max_attempts(5)
///     .with_max_retry_after(Duration::from_secs(30));
/// assert_eq!(policy.max_attempts(), Some(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_attempts: Option<u32>,
    deadline: Option<Duration>,
    initial_backoff: Duration,
    max_backoff: Duration,
    jitter: bool,
    max_retry_after: Duration,
}

impl RetryPolicy {
    /// The reference client's schedule, exactly: 2 s connect and 5 s request timeouts, 3 attempts, waiting
    /// 500 ms then 1000 ms (no jitter), a `Retry-After` honoured up to 5 s. At worst about 16.5 s.
    ///
    /// ```
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::reference(); // 3 attempts, 500 ms then 1000 ms
    /// assert_eq!(policy.max_attempts(), Some(3));
    /// ```
    pub fn reference() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            max_attempts: Some(3),
            deadline: None,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_millis(1000),
            jitter: false,
            max_retry_after: Duration::from_secs(5),
        }
    }

    /// The background worker's default: 2 s connect and 5 s request timeouts, attempts until 15 minutes
    /// have passed, waiting from 500 ms doubling up to 5 minutes with equal jitter (so servers that failed
    /// together do not retry together), a `Retry-After` honoured up to 10 minutes. An item not delivered by
    /// its deadline stays in the outbox for a later drain.
    ///
    /// ```
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background(); // until its 15-minute deadline
    /// assert_eq!(policy.max_attempts(), None);
    /// ```
    pub fn background() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            max_attempts: None,
            deadline: Some(Duration::from_secs(15 * 60)),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(300),
            jitter: true,
            max_retry_after: Duration::from_secs(600),
        }
    }

    /// Sets the TCP/TLS connect timeout.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_connect_timeout(Duration::from_millis(500));
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout of one whole request (connect, send, response).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::reference().with_request_timeout(Duration::from_secs(10));
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Stops after `attempts` attempts (at least 1).
    ///
    /// ```
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_max_attempts(5);
    /// assert_eq!(policy.max_attempts(), Some(5));
    /// ```
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// Stops when the next attempt would start after `deadline` from the first.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_deadline(Duration::from_secs(60));
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the wait before the first retry; it doubles for each further retry.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_initial_backoff(Duration::from_secs(1)); // 1 s, 2 s, 4 s, ...
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest wait between attempts (before jitter).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_max_backoff(Duration::from_secs(30));
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Turns jitter on or off.
    ///
    /// ```no_run
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_jitter(false);
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the longest `Retry-After` honoured; longer ones are cut to this.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use patchwork_runtime::RetryPolicy;
    /// let policy = RetryPolicy::background().with_max_retry_after(Duration::from_secs(30));
    /// let _guard = patchwork_runtime::Patchwork::builder().retry(policy).install();
    /// ```
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The attempt cap, if any.
    ///
    /// ```
    /// use patchwork_runtime::RetryPolicy;
    /// assert_eq!(RetryPolicy::reference().with_max_attempts(0).max_attempts(), Some(1));
    /// ```
    #[must_use]
    pub fn max_attempts(&self) -> Option<u32> {
        self.max_attempts
    }

    /// The connect timeout.
    pub(crate) fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The per-request timeout.
    pub(crate) fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// The deadline of one item, if any.
    pub(crate) fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The longest wait between attempts.
    pub(crate) fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The base (unjittered) wait before retry number `retry` (0-based): doubling, capped.
    fn base(&self, retry: u32) -> Duration {
        self.initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(30)))
            .min(self.max_backoff.max(self.initial_backoff))
    }

    /// The wait before retry number `retry`: the base (with "equal jitter" between half the base and the base
    /// when on, from the random `draw`), or the service's `Retry-After` cut to the cap when that is longer.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>, draw: u64) -> Duration {
        let base = self.base(retry);
        let wait = if self.jitter {
            let half = base / 2;
            let span = u64::try_from(half.as_nanos())
                .unwrap_or(u64::MAX)
                .checked_add(1);
            half + Duration::from_nanos(span.map_or(0, |span| draw % span))
        } else {
            base
        };
        match retry_after {
            Some(wanted) => wanted.min(self.max_retry_after).max(wait),
            None => wait,
        }
    }
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::background`].
    fn default() -> Self {
        Self::background()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_schedule_is_500_then_1000_ms_and_three_attempts() {
        let policy = RetryPolicy::reference();
        assert_eq!(policy.max_attempts(), Some(3));
        assert_eq!(policy.delay(0, None, 12345), Duration::from_millis(500));
        assert_eq!(policy.delay(1, None, 999), Duration::from_millis(1000));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(2)), 0),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600)), 0),
            Duration::from_secs(5)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::ZERO), 0),
            Duration::from_millis(1000)
        );
        assert_eq!(
            (policy.connect_timeout(), policy.request_timeout()),
            (Duration::from_secs(2), Duration::from_secs(5))
        );
    }

    #[test]
    fn background_backoff_doubles_to_its_cap_with_jitter_between_half_and_whole() {
        let policy = RetryPolicy::background().with_max_backoff(Duration::from_secs(60));
        assert_eq!(policy.base(0), Duration::from_millis(500));
        assert_eq!(policy.base(3), Duration::from_secs(4));
        assert_eq!(policy.base(7), Duration::from_secs(60));
        assert_eq!(policy.base(u32::MAX), Duration::from_secs(60));
        for retry in 0..8 {
            let base = policy.base(retry);
            for draw in [0, 1, 7, u64::MAX / 3, u64::MAX] {
                let delay = policy.delay(retry, None, draw);
                assert!(
                    delay >= base / 2 && delay <= base,
                    "{retry} {draw} {delay:?}"
                );
            }
        }
        assert_eq!(policy.delay(2, None, 0), Duration::from_secs(1));
    }

    #[test]
    fn retry_after_wins_when_longer_and_is_capped() {
        let policy = RetryPolicy::background().with_max_retry_after(Duration::from_secs(300));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(30)), 0),
            Duration::from_secs(30)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(86_400)), 0),
            Duration::from_secs(300)
        );
        // A Retry-After shorter than our own backoff does not make us hurry.
        assert_eq!(
            policy.delay(3, Some(Duration::ZERO), 0),
            Duration::from_secs(2)
        );
    }
}

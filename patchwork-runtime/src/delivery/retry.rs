//! The one retry loop. Await mode, the background worker and replay all deliver through [`with_retries`],
//! each with its own [`RetryPolicy`].

use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::client::Attempt;
use super::outcome::Reason;
use super::policy::RetryPolicy;
use crate::random::random_u64;

/// How a delivery with retries ended. `hold` is what the caller's last attempt returned beside its result
/// (e.g. the outbox claim it still holds), given back on the two final answers.
#[derive(Debug)]
pub(crate) enum Finished<T> {
    /// The service accepted it.
    Accepted {
        attempts: u32,
        id: Option<String>,
        hold: T,
    },
    /// The service refused it for good.
    Refused {
        reason: Reason,
        attempts: u32,
        hold: T,
    },
    /// Retryable failures until the policy's attempt cap or deadline; `reason` is the last one.
    GaveUp { reason: Reason, attempts: u32 },
    /// The caller stopped before an attempt (its item is gone or held elsewhere).
    Abandoned,
}

/// A `Retry-After` applies to the whole service, not one request: every delivery sharing a `Pause` waits
/// it out before its next attempt.
#[derive(Debug, Default)]
pub(crate) struct Pause {
    until: Mutex<Option<Instant>>,
}

impl Pause {
    fn pause_until(&self, until: Instant) {
        let mut paused = self.until.lock().unwrap_or_else(PoisonError::into_inner);
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    async fn wait(&self) {
        let until = *self.until.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(until) = until
            && until > Instant::now()
        {
            tokio::time::sleep_until(until).await;
        }
    }
}

/// `now + wait`, or a moment decades away when `wait` is too long for an `Instant` (adding would panic).
pub(crate) fn after(wait: Duration) -> Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 86_400);
    let now = Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(FAR_FUTURE))
        .unwrap_or(now)
}

/// Calls `attempt` until the service accepts or refuses, or the policy's attempt cap or deadline is reached,
/// waiting [`RetryPolicy::delay`] between attempts (and out any shared `pause`). `attempt` returns `None` to
/// stop (nothing left to send). Whatever it holds beside a retryable result is dropped before the wait.
pub(crate) async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    pause: Option<&Pause>,
    mut attempt: F,
) -> Finished<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<(Attempt, T)>>,
{
    let deadline = policy.deadline().map(after);
    let mut attempts = 0u32;
    loop {
        if let Some(pause) = pause {
            pause.wait().await;
        }
        let Some((result, hold)) = attempt().await else {
            return Finished::Abandoned;
        };
        attempts = attempts.saturating_add(1);
        let (reason, retry_after) = match result {
            Attempt::Accepted { id } => return Finished::Accepted { attempts, id, hold },
            Attempt::Refused(reason) => {
                return Finished::Refused {
                    reason,
                    attempts,
                    hold,
                };
            }
            Attempt::Retryable {
                reason,
                retry_after,
            } => (reason, retry_after),
        };
        drop(hold);
        if policy.max_attempts().is_some_and(|max| attempts >= max) {
            return Finished::GaveUp { reason, attempts };
        }
        let delay = policy.delay(attempts - 1, retry_after, random_u64());
        let next = after(delay);
        if retry_after.is_some()
            && let Some(pause) = pause
        {
            pause.pause_until(next);
        }
        if deadline.is_some_and(|deadline| next >= deadline) {
            return Finished::GaveUp { reason, attempts };
        }
        tracing::debug!(attempts, %reason, delay_ms = delay.as_millis() as u64, "retrying feedback delivery");
        tokio::time::sleep_until(next).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn scripted(results: Vec<Attempt>) -> (AtomicU32, Vec<Attempt>) {
        (AtomicU32::new(0), results)
    }

    async fn run(policy: &RetryPolicy, results: Vec<Attempt>) -> (Finished<u32>, u32) {
        let (calls, results) = scripted(results);
        let finished = with_retries(policy, None, || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let result = results.get(n as usize).cloned();
            async move { result.map(|r| (r, n)) }
        })
        .await;
        (finished, calls.load(Ordering::SeqCst))
    }

    fn retryable(status: u16, retry_after: Option<Duration>) -> Attempt {
        Attempt::Retryable {
            reason: Reason::Status(status),
            retry_after,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_attempt_cap_ends_the_loop_after_exactly_that_many_attempts() {
        let policy = RetryPolicy::reference();
        let started = Instant::now();
        let (finished, calls) = run(&policy, vec![retryable(503, None); 10]).await;
        assert!(
            matches!(
                finished,
                Finished::GaveUp {
                    attempts: 3,
                    reason: Reason::Status(503)
                }
            ),
            "{finished:?}"
        );
        assert_eq!(calls, 3);
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(1500),
            "500 ms then 1000 ms"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_acceptance_gives_back_what_the_attempt_held() {
        let (finished, _) = run(
            &RetryPolicy::reference(),
            vec![retryable(503, None), Attempt::Accepted { id: None }],
        )
        .await;
        assert!(
            matches!(
                finished,
                Finished::Accepted {
                    attempts: 2,
                    hold: 1,
                    ..
                }
            ),
            "{finished:?}"
        );
        let (refused, calls) = run(
            &RetryPolicy::reference(),
            vec![Attempt::Refused(Reason::Status(401))],
        )
        .await;
        assert!(matches!(
            refused,
            Finished::Refused {
                attempts: 1,
                hold: 0,
                ..
            }
        ));
        assert_eq!(calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured_up_to_its_cap() {
        let policy = RetryPolicy::background()
            .with_jitter(false)
            .with_max_retry_after(Duration::from_secs(30));
        let started = Instant::now();
        let results = vec![
            retryable(429, Some(Duration::from_secs(3600))),
            Attempt::Accepted { id: None },
        ];
        let (finished, _) = run(&policy, results).await;
        assert!(matches!(finished, Finished::Accepted { attempts: 2, .. }));
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_the_loop_before_a_wait_that_would_pass_it() {
        let policy = RetryPolicy::background()
            .with_jitter(false)
            .with_deadline(Duration::from_secs(10))
            .with_max_backoff(Duration::from_secs(4));
        let started = Instant::now();
        let (finished, calls) = run(&policy, vec![retryable(500, None); 100]).await;
        // Waits 0.5 + 1 + 2 + 4 = 7.5 s; the next 4 s wait would end past 10 s.
        assert!(
            matches!(finished, Finished::GaveUp { attempts: 5, .. }),
            "{finished:?}"
        );
        assert_eq!(calls, 5);
        assert_eq!(started.elapsed(), Duration::from_millis(7500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_pause_holds_back_every_delivery_using_it() {
        let pause = Pause::default();
        pause.pause_until(Instant::now() + Duration::from_secs(20));
        let started = Instant::now();
        let finished: Finished<()> =
            with_retries(&RetryPolicy::reference(), Some(&pause), || async {
                Some((Attempt::Accepted { id: None }, ()))
            })
            .await;
        assert!(matches!(finished, Finished::Accepted { attempts: 1, .. }));
        assert_eq!(started.elapsed(), Duration::from_secs(20));
    }

    #[tokio::test]
    async fn a_caller_that_has_nothing_to_send_abandons() {
        let finished: Finished<()> =
            with_retries(&RetryPolicy::reference(), None, || async { None }).await;
        assert!(matches!(finished, Finished::Abandoned));
    }
}

//! Telling the operator about an outage of the service within a minute: the first failed attempt starts the
//! outage's clock, and if no attempt has succeeded [`WARN_AFTER`] later, one line goes out at warn (a blip that
//! heals by itself stays at debug). The first success afterwards ends the outage (said at info when it was warned).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::delivery::{Attempt, Reason};

/// How long the service may fail before the operator is warned.
pub(super) const WARN_AFTER: Duration = Duration::from_secs(30);

/// The outage state the delivery tasks share.
#[derive(Debug, Default)]
pub(super) struct Outage {
    /// Which outage runs: odd while one runs, each start and end adds one.
    epoch: AtomicU64,
    /// Whether the running outage was warned about.
    warned: AtomicBool,
}

impl Outage {
    /// A delivery attempt failed and will be retried (`reason`). When this starts an outage, a watch on
    /// `runtime` warns if it still runs [`WARN_AFTER`] later.
    pub(super) fn failed(
        self: &Arc<Self>,
        reason: &Reason,
        runtime: Option<&tokio::runtime::Handle>,
    ) {
        let epoch = self.epoch.load(Ordering::Acquire);
        if epoch % 2 == 1
            || self
                .epoch
                .compare_exchange(epoch, epoch + 1, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return; // one runs already
        }
        self.warned.store(false, Ordering::Release);
        tracing::debug!(%reason, "PatchworkMCP did not accept feedback; retrying");
        let (this, reason, started) = (Arc::clone(self), reason.clone(), epoch + 1);
        let watch = async move {
            tokio::time::sleep(WARN_AFTER).await;
            if this.epoch.load(Ordering::Acquire) == started {
                this.warned.store(true, Ordering::Release);
                tracing::warn!(
                    %reason,
                    for_at_least = ?WARN_AFTER,
                    "PatchworkMCP has not accepted feedback for a while (the service is unreachable or failing); \
                     feedback stays in the outbox and is retried"
                );
            }
        };
        match runtime {
            Some(runtime) => drop(runtime.spawn(watch)),
            None => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    drop(runtime.spawn(watch));
                }
            }
        }
    }

    /// Notes what one attempt (a feedback delivery or a heartbeat) says about the service.
    pub(super) fn observe(
        self: &Arc<Self>,
        attempt: &Attempt,
        runtime: Option<&tokio::runtime::Handle>,
    ) {
        match attempt {
            Attempt::Retryable { reason, .. } => self.failed(reason, runtime),
            Attempt::Accepted { .. } | Attempt::Refused(_) => self.answered(),
        }
    }

    /// The service answered (accepted, or refused for good): an outage that ran is over.
    pub(super) fn answered(&self) {
        let epoch = self.epoch.load(Ordering::Acquire);
        if epoch % 2 == 1
            && self
                .epoch
                .compare_exchange(epoch, epoch + 1, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            && self.warned.swap(false, Ordering::AcqRel)
        {
            tracing::info!("PatchworkMCP is reachable again; delivering what waited");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_logs::capture;

    #[tokio::test(start_paused = true)]
    async fn an_outage_is_warned_once_after_thirty_seconds_and_within_a_minute() {
        let (lines, _guard) = capture(tracing::Level::DEBUG);
        let outage = Arc::new(Outage::default());
        // Attempts keep failing, as the retry loop makes them: at 0 s, 0.5 s, 1.5 s, 3.5 s, 7.5 s, 15.5 s ...
        for wait in [0, 500, 1_000, 2_000, 4_000, 8_000] {
            tokio::time::sleep(Duration::from_millis(wait)).await;
            outage.failed(&Reason::Connect, None);
        }
        tokio::time::sleep(Duration::from_millis(29_000 - 15_500)).await;
        assert!(
            lines.warnings().is_empty(),
            "not before 30 s: {:?}",
            lines.warnings()
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let warned = lines.warnings();
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].contains("PatchworkMCP has not accepted feedback for a while"),
            "{warned:?}"
        );
        assert!(warned[0].contains("connect"), "the reason: {warned:?}");
        outage.failed(&Reason::Connect, None);
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(lines.warnings().len(), 1, "once per outage");
        outage.answered();
        let text = lines.lines();
        assert!(
            text.iter()
                .any(|line| line.contains(" INFO ") && line.contains("reachable again")),
            "{text:?}"
        );
        // A new outage is warned again.
        outage.failed(&Reason::Status(503), None);
        tokio::time::sleep(Duration::from_secs(31)).await;
        assert_eq!(lines.warnings().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_blip_that_heals_is_not_warned() {
        let (lines, _guard) = capture(tracing::Level::DEBUG);
        let outage = Arc::new(Outage::default());
        outage.failed(&Reason::Status(503), None);
        tokio::time::sleep(Duration::from_secs(5)).await;
        outage.answered();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(lines.warnings().is_empty(), "{:?}", lines.warnings());
    }
}

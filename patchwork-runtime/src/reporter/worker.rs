//! The worker: drains the outbox, and delivers each item with retries in its own task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::{Instant, MissedTickBehavior};

use super::{ActiveGuard, IDEMPOTENCY_KEY_HEADER, REPEAT_COUNT_HEADER, Route, Shared, lock};
use crate::delivery::AttemptOutcome;
use crate::outbox::{Claim, ClaimedItem, OutboxItem};
use crate::payload::FeedbackPayload;
use crate::unsent::log_unsent;

/// One item handed to a delivery task.
pub(super) struct Job {
    pub item: OutboxItem,
    /// Whether the item is in the outbox (then it is claimed for every attempt).
    pub durable: bool,
    /// The live repeat counter from flood suppression (`None` for items drained from disk).
    pub count: Option<Arc<AtomicU64>>,
}

/// The worker's main loop: drains at start, when asked, and every `drain_interval`.
pub(super) async fn run(shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut tick =
        tokio::time::interval(shared.config.drain_interval.max(Duration::from_millis(10)));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => drain(&shared),
            () = shared.drain_now.notified() => drain(&shared),
        }
    }
}

/// Hands pending outbox items to delivery tasks, oldest first, while there is room. Items
/// another process holds, items already in this process's hands, and items for a service URL
/// this process has no key for are left alone.
fn drain(shared: &Arc<Shared>) {
    let Some(outbox) = &shared.outbox else {
        return;
    };
    let pending = match outbox.pending() {
        Ok(pending) => pending,
        Err(error) => {
            tracing::warn!(%error, "could not list the feedback outbox");
            return;
        }
    };
    let resting: std::collections::HashSet<_> = {
        let now = Instant::now();
        let mut resting = lock(&shared.resting);
        resting.retain(|_, until| *until > now);
        resting.keys().cloned().collect()
    };
    for entry in pending {
        if resting.contains(&entry.key) || lock(&shared.active).contains_key(&entry.key) {
            continue;
        }
        if shared.in_flight() >= shared.config.queue_capacity.max(1) {
            shared.overflowed.store(true, Ordering::Release);
            return;
        }
        let item = match outbox.try_claim(&entry) {
            Ok(Claim::Claimed(claimed)) => claimed.item().clone(),
            Ok(Claim::Busy | Claim::Gone | Claim::Corrupt) => continue,
            Err(error) => {
                tracing::warn!(%error, key = %entry.key, "could not read an outbox item");
                continue;
            }
        };
        if shared.route_for(&item.url).is_none() {
            tracing::debug!(key = %item.key, "outbox item for another service URL; left");
            continue;
        }
        if !shared.try_activate(&item.key, None) {
            continue;
        }
        let guard = ActiveGuard {
            shared: Arc::clone(shared),
            key: item.key.clone(),
        };
        let job = Job {
            item,
            durable: true,
            count: None,
        };
        tokio::spawn(deliver(Arc::clone(shared), job, guard));
    }
}

/// Delivers one item: attempts until accepted, refused for good, or past its deadline.
pub(super) async fn deliver(shared: Arc<Shared>, job: Job, _guard: ActiveGuard) {
    let (Some(deliverer), Ok(_permit)) = (&shared.deliverer, shared.permits.acquire().await) else {
        return;
    };
    let key = job.item.key.clone();
    let body = job.item.payload.to_string();
    let deadline = after(shared.config.item_deadline);
    let mut retry = 0u32;
    loop {
        wait_out_pause(&shared).await;
        let Some(route) = shared.route_for(&job.item.url) else {
            return;
        };
        let claimed = if job.durable {
            match claim(&shared, &job.item) {
                Some(claimed) => Some(claimed),
                None => return, // delivered, rejected or being handled elsewhere
            }
        } else {
            None
        };
        let outcome = attempt(deliverer, &route, &job, &body).await;
        match outcome {
            AttemptOutcome::Delivered(receipt) => {
                tracing::debug!(%key, http_status = receipt.http_status, "feedback delivered");
                shared.counters.delivered.fetch_add(1, Ordering::Relaxed);
                if let Some(outbox) = &shared.outbox {
                    match claimed {
                        Some(claimed) => {
                            if let Err(error) = outbox.complete(claimed) {
                                tracing::warn!(%error, %key, "delivered, but could not remove it from the outbox");
                            }
                        }
                        None => outbox.record_delivered(&key),
                    }
                }
                shared.take_unlogged(&key);
                return;
            }
            AttemptOutcome::Final { reason } => {
                shared.counters.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%key, %reason, "feedback refused by the service; not retrying");
                settle_rejected(&shared, &job, claimed, &reason);
                return;
            }
            AttemptOutcome::Retryable {
                reason,
                retry_after,
            } => {
                drop(claimed); // others may try it while we wait
                let delay = shared.backoff.delay(retry, retry_after);
                if retry_after.is_some() {
                    pause_all_until(&shared, after(delay));
                }
                if after(delay) >= deadline {
                    shared.counters.deferred.fetch_add(1, Ordering::Relaxed);
                    lock(&shared.resting).insert(key.clone(), after(shared.config.max_backoff));
                    if job.durable {
                        tracing::info!(%key, %reason, "feedback not delivered before its deadline; left in the outbox");
                    } else if let Some(payload) = shared.take_unlogged(&key) {
                        log_unsent(&reason, &payload);
                    }
                    return;
                }
                tracing::debug!(%key, %reason, delay_ms = delay.as_millis() as u64, "retrying feedback delivery");
                tokio::time::sleep(delay).await;
                retry = retry.saturating_add(1);
            }
        }
    }
}

async fn attempt(
    deliverer: &crate::delivery::Deliverer,
    route: &Route,
    job: &Job,
    body: &str,
) -> AttemptOutcome {
    let count = job
        .count
        .as_ref()
        .map_or(job.item.count, |count| count.load(Ordering::Relaxed))
        .max(job.item.count);
    let count_text = count.to_string();
    let mut headers = vec![(IDEMPOTENCY_KEY_HEADER, job.item.key.as_str())];
    if count > 1 {
        headers.push((REPEAT_COUNT_HEADER, count_text.as_str()));
    }
    deliverer
        .attempt_with_headers(&route.endpoint, &route.api_key, body, &headers)
        .await
}

/// Claims a durable item for one attempt; `None` if it is gone or another holder has it.
fn claim(shared: &Shared, item: &OutboxItem) -> Option<ClaimedItem> {
    let outbox = shared.outbox.as_ref()?;
    match outbox.try_claim(&outbox.entry_for(item)) {
        Ok(Claim::Claimed(claimed)) => Some(claimed),
        Ok(Claim::Busy | Claim::Gone | Claim::Corrupt) => None,
        Err(error) => {
            tracing::warn!(%error, key = %item.key, "could not claim an outbox item; left for a later drain");
            None
        }
    }
}

/// A final refusal: the item leaves the outbox for `rejected/`, and its unsent line is written
/// (once) so it shows in the logs.
fn settle_rejected(shared: &Shared, job: &Job, claimed: Option<ClaimedItem>, reason: &str) {
    let payload = if job.durable {
        serde_json::from_value::<FeedbackPayload>(job.item.payload.clone()).ok()
    } else {
        shared.take_unlogged(&job.item.key)
    };
    if let Some(payload) = payload {
        log_unsent(reason, &payload);
    }
    if let (Some(outbox), Some(claimed)) = (&shared.outbox, claimed) {
        match outbox.reject(claimed) {
            Ok(path) => tracing::info!(file = %path.display(), "refused feedback kept"),
            Err(error) => tracing::warn!(%error, "could not move refused feedback aside"),
        }
    }
}

/// `now + wait`, or a moment decades away when a configured wait (or a `Retry-After` under a
/// configured cap of `Duration::MAX`) is too long for an `Instant`: adding would panic.
fn after(wait: Duration) -> Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 86_400);
    let now = Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(FAR_FUTURE))
        .unwrap_or(now)
}

async fn wait_out_pause(shared: &Shared) {
    let until = *lock(&shared.paused_until);
    if let Some(until) = until
        && until > Instant::now()
    {
        tokio::time::sleep_until(until).await;
    }
}

/// A `Retry-After` applies to the whole service, not one item: every task waits it out.
fn pause_all_until(shared: &Shared, until: Instant) {
    let mut paused = lock(&shared.paused_until);
    if paused.is_none_or(|current| current < until) {
        *paused = Some(until);
    }
}

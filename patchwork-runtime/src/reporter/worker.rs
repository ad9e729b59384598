//! The worker: drains the outbox, and delivers each item through the one retry loop in its own task.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use super::hands::Held;
use super::health::Counters;
use super::state::Shared;
use crate::delivery::unsent::log_unsent;
use crate::delivery::{Finished, Outcome, Reason, Request, after, with_retries};
use crate::feedback::redact;
use crate::outbox::{ItemLock, OutboxItem, Settlement, Taken};

/// One item handed to a delivery task.
pub(super) struct Job {
    pub(super) item: OutboxItem,
    /// Whether the item is in the outbox (then it is locked for every attempt).
    pub(super) durable: bool,
    /// The live repeat counter from flood suppression (`None` for items drained from disk).
    pub(super) count: Option<Arc<AtomicU64>>,
    /// Told how the delivery ended when the service accepted or refused it (a caller waiting before its reply).
    pub(super) watcher: Option<oneshot::Sender<Outcome>>,
    /// The item's redaction counts (`Prepared::redactions`, or counted once when drained), for every attempt.
    pub(super) redactions: String,
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
            () = shared.hands.drain_now.notified() => drain(&shared),
        }
    }
}

/// Hands pending outbox items to delivery tasks, oldest first, while there is room. Items another process
/// holds, items already in this process's hands, and items for a service URL this process has no key for are
/// left alone.
pub(super) fn drain(shared: &Arc<Shared>) {
    let Some(outbox) = shared.outbox() else {
        return;
    };
    if !shared.routes.any() {
        // No key yet (or none at all): every item would be left for its owner.
        return;
    }
    let pending = match outbox.pending() {
        Ok(pending) => pending,
        Err(error) => {
            tracing::warn!(%error, "could not list the feedback outbox");
            return;
        }
    };
    let resting = shared.pacing.resting();
    let mut drained = 0u64;
    let mut others = 0u64;
    for entry in pending {
        if resting.contains(&entry.key) || shared.hands.holds(&entry.key) {
            continue;
        }
        if shared.hands.is_full() {
            shared.hands.overflow();
            return;
        }
        // Claimed and released at once: each attempt claims it again (see `deliver`).
        let mut item = match outbox.take(&entry, |item| shared.routes.route_for(item)) {
            Ok(Taken::Mine(claimed, _)) => claimed.item,
            Ok(Taken::Others) => {
                tracing::debug!(key = %entry.key, "outbox item for another service or key; left for its owner");
                others += 1;
                continue;
            }
            Ok(Taken::Skipped(_)) => continue,
            Err(error) => {
                tracing::warn!(%error, key = %entry.key, "could not read an outbox item");
                continue;
            }
        };
        let Some(held) = Held::take(shared, &item.key, None) else {
            continue;
        };
        item.count = item.count.max(outbox.repeats(&item.key));
        let job = Job {
            redactions: redact::counts(item.payload.get()),
            item,
            durable: true,
            count: None,
            watcher: None,
        };
        tokio::spawn(deliver(Arc::clone(shared), job, held));
        drained += 1;
    }
    if (drained > 0 || others > 0) && shared.health.drained_note.allow(NOTE_PERIOD).is_some() {
        tracing::info!(
            items = drained,
            left_for_other_keys = others,
            "delivering feedback waiting in the outbox (earlier runs, other processes, retries); items accepted \
             under another key or for another service are left for their owner, and items without a key \
             fingerprint (written by older versions) for `patchwork-replay`"
        );
    }
}

/// The shortest time between two notes of one kind in the operator's log.
const NOTE_PERIOD: Duration = Duration::from_secs(300);

/// Delivers one item with the reporter's retry policy: until accepted, refused for good, or given up.
pub(super) async fn deliver(shared: Arc<Shared>, mut job: Job, _held: Held) {
    let (Some(client), Ok(_permit)) = (&shared.client, shared.pacing.permits.acquire().await)
    else {
        return;
    };
    let key = job.item.key.clone();
    let body = job.item.payload.get();
    let entry = job
        .durable
        .then(|| shared.outbox().map(|outbox| outbox.entry_for(&job.item)))
        .flatten();
    let timeout = shared.config.retry.request_timeout();
    let finished = with_retries(&shared.config.retry, Some(&shared.pacing.pause), || {
        let route = shared.routes.route_for(&job.item);
        // A durable item is locked again for each attempt (it may have been delivered or taken by another
        // process meanwhile), without reading it from disk again.
        let hold: Option<Option<ItemLock>> = match (&entry, shared.outbox()) {
            (Some(entry), Some(outbox)) => match outbox.relock(entry) {
                Ok(Some(lock)) => Some(Some(lock)),
                Ok(None) => None,
                Err(error) => {
                    tracing::warn!(%error, %key, "could not lock an outbox item; left for a later drain");
                    None
                }
            },
            _ => Some(None),
        };
        let count = job
            .count
            .as_ref()
            .map_or(job.item.count, |count| count.load(Ordering::Relaxed))
            .max(job.item.count);
        let key = key.as_str();
        let tools_dropped = job.item.tools_dropped;
        let origin = job.item.origin;
        let redactions = job.redactions.as_str();
        let outage = &shared.health.outage;
        let runtime = shared.runtime.as_ref();
        async move {
            let (route, hold) = (route?, hold?);
            let request = Request {
                target: &route,
                body,
                idempotency_key: Some(key),
                repeat_count: count,
                tools_dropped,
                origin,
                redactions,
            };
            let attempt = client.attempt(request, timeout).await;
            outage.observe(&attempt, runtime);
            Some((attempt, hold))
        }
    })
    .await;
    match finished {
        Finished::Accepted {
            attempts, hold, id, ..
        } => {
            Counters::count(&shared.health.counters.delivered);
            shared.health.note_delivered(attempts, false);
            if let Some(outbox) = shared.outbox()
                && let Err(error) = outbox.settle(&key, hold, Settlement::Delivered)
            {
                tracing::warn!(%error, %key, "delivered, but could not remove it from the outbox");
            }
            shared.hands.take_unlogged(&key);
            if let Some(watcher) = job.watcher.take() {
                let _ = watcher.send(Outcome::Delivered { attempts, id });
            }
        }
        Finished::Refused { reason, hold, .. } => {
            Counters::count(&shared.health.counters.rejected);
            tracing::warn!(%key, %reason, "feedback refused by the service; not retrying");
            settle_refused(&shared, &job, hold, &reason);
            if let Some(watcher) = job.watcher.take() {
                let _ = watcher.send(Outcome::Kept { reason });
            }
        }
        Finished::GaveUp { reason, attempts } => {
            Counters::count(&shared.health.counters.deferred);
            if let Some(held_back) = shared.health.unreachable_note.allow(NOTE_PERIOD) {
                tracing::warn!(
                    %reason,
                    attempts,
                    like_this_since_last_note = held_back,
                    "PatchworkMCP did not accept feedback for a while; it stays in the outbox and is retried"
                );
            }
            shared
                .pacing
                .rest(key.clone(), after(shared.config.retry.max_backoff()));
            if job.durable {
                tracing::info!(%key, %reason, attempts, "feedback not delivered yet; left in the outbox");
            } else if let Some((body, origin)) = shared.hands.take_unlogged(&key) {
                log_unsent(&reason, &body, origin);
            }
        }
        Finished::Abandoned => {}
    }
}

/// A final refusal: the item leaves the outbox for `rejected/`, and its unsent line is written (once) so it
/// shows in the logs.
fn settle_refused(shared: &Shared, job: &Job, hold: Option<ItemLock>, reason: &Reason) {
    if job.durable {
        log_unsent(reason, job.item.payload.get(), job.item.origin);
    } else if let Some((body, origin)) = shared.hands.take_unlogged(&job.item.key) {
        log_unsent(reason, &body, origin);
    }
    if let Some(outbox) = shared.outbox() {
        match outbox.settle(&job.item.key, hold, Settlement::Refused) {
            Ok(Some(path)) => tracing::info!(file = %path.display(), "refused feedback kept"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not move refused feedback aside"),
        }
    }
}

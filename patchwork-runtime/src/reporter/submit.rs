//! Recording one feedback for background delivery: the outbox write, flood suppression, and the hand-off to
//! the worker.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::oneshot;

use super::flood::{Verdict, fingerprint};
use super::state::{ActiveGuard, lock};
use super::{Reporter, worker};
use crate::delivery::{Destination, IdempotencyKey, Outcome, Reason};
use crate::feedback::Prepared;
use crate::delivery::unsent::log_unsent;
use crate::outbox::{AppendError, OutboxItem};

/// What a submission did: the outcome for the caller, and the item's key when one was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Submission {
    pub(crate) outcome: Outcome,
    pub(crate) key: Option<IdempotencyKey>,
}

impl Submission {
    fn only(outcome: Outcome) -> Self {
        Self { outcome, key: None }
    }
}

impl Reporter {
    /// Records `prepared` for background delivery to `destination` and returns without waiting
    /// for the network. The outbox write (and its fsync) runs on tokio's blocking pool when called inside a
    /// runtime. Never panics.
    pub(crate) async fn submit(&self, prepared: &Prepared, destination: &Destination) -> Submission {
        self.submit_watched(prepared, destination, None).await
    }

    /// [`Reporter::submit`], then waits up to `budget` for the worker to deliver the item: `Delivered` when the
    /// service accepted it in time, `Kept` when it refused it, else what `submit` said (`Queued`: it waits in the
    /// outbox). The worker goes on trying after the budget while the process runs. The wait is timed on the
    /// worker's own runtime, so the caller may run on any executor.
    pub(crate) async fn submit_within(
        &self,
        prepared: &Prepared,
        destination: &Destination,
        budget: Duration,
    ) -> Submission {
        let (watcher, told) = oneshot::channel();
        let submission = self.submit_watched(prepared, destination, Some(watcher)).await;
        if !matches!(submission.outcome, Outcome::Queued | Outcome::Sending) {
            return submission;
        }
        let Some(runtime) = &self.shared.runtime else {
            return submission;
        };
        let waited = runtime
            .spawn(async move { tokio::time::timeout(budget, told).await.ok()?.ok() })
            .await;
        match waited {
            Ok(Some(outcome)) => Submission {
                outcome,
                ..submission
            },
            _ => submission,
        }
    }

    async fn submit_watched(
        &self,
        prepared: &Prepared,
        destination: &Destination,
        watcher: Option<oneshot::Sender<Outcome>>,
    ) -> Submission {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.record(prepared, destination, watcher);
        }
        let (this, owned, destination) = (self.clone(), prepared.clone(), destination.clone());
        match tokio::task::spawn_blocking(move || this.record(&owned, &destination, watcher))
            .await
        {
            Ok(submission) => submission,
            Err(error) => {
                tracing::error!(%error, "recording feedback failed; logging it instead");
                log_unsent(&Reason::WorkerUnavailable, &prepared.body, prepared.origin);
                Submission::only(Outcome::Kept {
                    reason: Reason::WorkerUnavailable,
                })
            }
        }
    }

    /// [`Reporter::submit`] for code outside an async context or already on a blocking thread (closing a window of
    /// gap signals); it blocks on the outbox write.
    pub(crate) fn submit_blocking(&self, prepared: &Prepared, destination: &Destination) -> Submission {
        self.record(prepared, destination, None)
    }

    /// Stores the item and hands it to a delivery task, which tells `watcher` how it ended.
    fn record(
        &self,
        prepared: &Prepared,
        destination: &Destination,
        watcher: Option<oneshot::Sender<Outcome>>,
    ) -> Submission {
        let kept = |reason: Reason| {
            log_unsent(&reason, &prepared.body, prepared.origin);
            Submission::only(Outcome::Kept { reason })
        };
        let target = match destination.sendable() {
            Ok(target) => target,
            Err(reason) => return kept(reason),
        };
        let shared = &self.shared;
        let owner = (target.base.clone(), target.key_id.clone());
        if shared.register_route(target.clone()) {
            shared.drain_now.notify_one();
        }
        // Repeats merge only within one session the server knows: without one, different users may look alike.
        let print = prepared
            .caller
            .repeat_scope()
            .map(|scope| fingerprint(scope, &prepared.body));
        let verdict = match print {
            Some(print) => lock(&shared.flood).check(print, tokio::time::Instant::now()),
            None => Verdict::unmerged(),
        };
        let count = match verdict {
            Verdict::Repeat { count, item } => {
                shared.counters.repeats.fetch_add(1, Ordering::Relaxed);
                // Persisted with the item, so repeats still count when it is drained after a restart.
                if let (Some(item), Some(outbox)) = (item, &shared.outbox) {
                    outbox.note_repeats(&item, count);
                }
                tracing::debug!(
                    count,
                    "identical feedback repeated; counted, not sent again"
                );
                return Submission::only(Outcome::Repeat { count });
            }
            Verdict::New { count } => count,
        };
        let mut item =
            OutboxItem::new(
                owner.0,
                owner.1,
                destination.settings.slug_or_default(),
                &prepared.body,
            );
        item.tools_dropped = prepared.tools_dropped;
        item.origin = prepared.origin;
        // Taken into the worker's hands before the file exists, so a drain running meanwhile never takes it
        // (it would deliver it without the live repeat count).
        let mut reserved = shared.try_activate(&item.key, None).then(|| ActiveGuard {
            shared: Arc::clone(shared),
            key: item.key.clone(),
        });
        let stored = match &shared.outbox {
            Some(outbox) => outbox.append(&item).map(|()| true),
            None if shared.outbox_failed => Err(AppendError::Io(std::io::Error::other(
                "the outbox directory was refused or could not be opened (the warning at start says why)",
            ))),
            None => Ok(false),
        };
        let (durable, logged) = match stored {
            Ok(durable) => (durable, false),
            Err(error) => {
                shared.counters.not_stored.fetch_add(1, Ordering::Relaxed);
                let reason = match &error {
                    AppendError::Full { .. } => Reason::OutboxFull,
                    AppendError::Io(_) => Reason::OutboxUnavailable,
                };
                tracing::warn!(%error, "feedback not stored in the outbox; written to stderr as an unsent line");
                log_unsent(&reason, &prepared.body, prepared.origin);
                (false, true)
            }
        };
        if !durable {
            // A memory-only item's key comes from its content, so replaying its logged line later sends the
            // same key and the service can tell it is a repeat. Not for reports that are never merged (no session
            // known): the same text from two users is two reports, so each keeps its own key.
            drop(reserved.take());
            if print.is_some() {
                item.key = IdempotencyKey::from_content(prepared.body.as_bytes());
            }
            let unlogged = (!logged).then(|| (prepared.body.clone(), prepared.origin));
            reserved = shared
                .try_activate(&item.key, unlogged)
                .then(|| ActiveGuard {
                    shared: Arc::clone(shared),
                    key: item.key.clone(),
                });
        }
        if let (true, Some(print)) = (durable, print) {
            lock(&shared.flood).attach(print, item.key.clone());
        }
        if let Some(guard) = reserved {
            let key = item.key.clone();
            let job = worker::Job {
                item,
                durable,
                count: Some(count),
                watcher,
                redactions: prepared.redactions.clone(),
            };
            if let Some(runtime) = &shared.runtime {
                runtime.spawn(worker::deliver(Arc::clone(shared), job, guard));
            }
            let outcome = if durable {
                Outcome::Queued
            } else {
                Outcome::Sending
            };
            return Submission {
                outcome,
                key: Some(key),
            };
        }
        if durable {
            // No room in the worker's hands: it waits in the outbox for the next drain.
            shared.overflowed.store(true, Ordering::Release);
            return Submission {
                outcome: Outcome::Queued,
                key: Some(item.key),
            };
        }
        if let Some(print) = print {
            lock(&shared.flood).forget(print);
        }
        if logged {
            Submission::only(Outcome::Kept {
                reason: Reason::OutboxUnavailable,
            })
        } else if shared.runtime.is_none() || shared.client.is_none() {
            kept(Reason::WorkerUnavailable)
        } else {
            kept(Reason::QueueFull)
        }
    }
}

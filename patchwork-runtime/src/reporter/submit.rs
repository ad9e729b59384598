//! Recording one feedback for background delivery: the outbox write, flood suppression, and the hand-off to
//! the worker.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::sync::oneshot;

use super::flood::{Verdict, fingerprint};
use super::hands::Held;
use super::health::Counters;
use super::state::Storage;
use super::{Reporter, worker};
use crate::delivery::unsent::log_unsent;
use crate::delivery::{Destination, IdempotencyKey, Outcome, Reason};
use crate::feedback::Prepared;
use crate::outbox::{AppendError, OutboxItem};
use crate::sync::lock;

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
    pub(crate) async fn submit(
        &self,
        prepared: &Prepared,
        destination: &Arc<Destination>,
    ) -> Submission {
        self.submit_watched(prepared, destination, None).await
    }

    /// [`Reporter::submit`], then waits up to `budget` for the worker to deliver the item: `Delivered` when the
    /// service accepted it in time, `Kept` when it refused it, else what `submit` said (`Queued`: it waits in the
    /// outbox). The worker goes on trying after the budget while the process runs. The wait is timed on the
    /// worker's own runtime, so the caller may run on any executor.
    pub(crate) async fn submit_within(
        &self,
        prepared: &Prepared,
        destination: &Arc<Destination>,
        budget: Duration,
    ) -> Submission {
        let (watcher, told) = oneshot::channel();
        let submission = self
            .submit_watched(prepared, destination, Some(watcher))
            .await;
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
        destination: &Arc<Destination>,
        watcher: Option<oneshot::Sender<Outcome>>,
    ) -> Submission {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.record(prepared, destination, watcher);
        }
        let (this, owned, destination) = (self.clone(), prepared.clone(), Arc::clone(destination));
        match tokio::task::spawn_blocking(move || this.record(&owned, &destination, watcher)).await
        {
            Ok(submission) => submission,
            Err(error) => {
                tracing::error!(%error, "recording feedback failed; logging it instead");
                kept(prepared, Reason::WorkerUnavailable)
            }
        }
    }

    /// [`Reporter::submit`] for code outside an async context or already on a blocking thread (closing a window of
    /// gap signals); it blocks on the outbox write.
    pub(crate) fn submit_blocking(
        &self,
        prepared: &Prepared,
        destination: &Destination,
    ) -> Submission {
        self.record(prepared, destination, None)
    }

    /// Stores the item and hands it to a delivery task, which tells `watcher` how it ended: the target, then the
    /// repeat guard, then the outbox, then the worker's hands.
    fn record(
        &self,
        prepared: &Prepared,
        destination: &Destination,
        watcher: Option<oneshot::Sender<Outcome>>,
    ) -> Submission {
        let target = match destination.sendable() {
            Ok(target) => target,
            Err(reason) => return kept(prepared, reason),
        };
        self.register(destination);
        // Repeats merge only within one session the server knows: without one, different users may look alike.
        let print = prepared
            .caller
            .repeat_scope()
            .map(|scope| fingerprint(scope, &prepared.body));
        let count = match self.merge_repeat(print) {
            Ok(count) => count,
            Err(repeat) => return Submission::only(repeat),
        };
        let mut item = OutboxItem::new(
            &target.base,
            &target.key_id,
            destination.settings.slug_or_default(),
            &prepared.body,
        );
        item.tools_dropped = prepared.tools_dropped;
        item.origin = prepared.origin;
        // Taken into the worker's hands before the file exists, so a drain running meanwhile never takes it
        // (it would deliver it without the live repeat count).
        let held = Held::take(&self.shared, &item.key, None);
        let stored = self.store(&item, prepared);
        let held = if stored == Stored::Durable {
            if let Some(print) = print {
                lock(&self.shared.flood).attach(print, item.key.clone());
            }
            held
        } else {
            // A memory-only item's key comes from its content, so replaying its logged line later sends the
            // same key and the service can tell it is a repeat. Not for reports that are never merged (no session
            // known): the same text from two users is two reports, so each keeps its own key.
            drop(held);
            if print.is_some() {
                item.key = IdempotencyKey::from_content(prepared.body.as_bytes());
            }
            let unlogged =
                (stored == Stored::Memory).then(|| (prepared.body.clone(), prepared.origin));
            Held::take(&self.shared, &item.key, unlogged)
        };
        match (held, stored) {
            (Some(held), stored) => self.hand_off(item, held, stored, count, watcher, prepared),
            (None, Stored::Durable) => {
                // No room in the worker's hands: it waits in the outbox for the next drain.
                self.shared.hands.overflow();
                Submission {
                    outcome: Outcome::Queued,
                    key: Some(item.key),
                }
            }
            (None, stored) => {
                if let Some(print) = print {
                    lock(&self.shared.flood).forget(print);
                }
                match stored {
                    // Its unsent line is written already.
                    Stored::Logged(reason) => Submission::only(Outcome::Kept { reason }),
                    _ if !self.shared.runs() => kept(prepared, Reason::WorkerUnavailable),
                    _ => kept(prepared, Reason::QueueFull),
                }
            }
        }
    }

    /// The repeat guard: `Ok(count so far)` for a new report, `Err(Repeat)` when it repeats one recorded moments
    /// ago (counted, with the count persisted beside that item, and not recorded again).
    fn merge_repeat(&self, print: Option<u64>) -> Result<Arc<AtomicU64>, Outcome> {
        let shared = &self.shared;
        let verdict = match print {
            Some(print) => lock(&shared.flood).check(print, tokio::time::Instant::now()),
            None => Verdict::unmerged(),
        };
        match verdict {
            Verdict::New { count } => Ok(count),
            Verdict::Repeat { count, item } => {
                Counters::count(&shared.health.counters.repeats);
                // Persisted with the item, so repeats still count when it is drained after a restart.
                if let (Some(item), Some(outbox)) = (item, shared.outbox()) {
                    outbox.note_repeats(&item, count);
                }
                tracing::debug!(
                    count,
                    "identical feedback repeated; counted, not sent again"
                );
                Err(Outcome::Repeat { count })
            }
        }
    }

    /// Writes `item` where this reporter keeps items; when the outbox refuses it, the unsent line is written
    /// instead, with the reason.
    fn store(&self, item: &OutboxItem, prepared: &Prepared) -> Stored {
        let shared = &self.shared;
        let error = match &shared.storage {
            Storage::Outbox(outbox) => match outbox.append(item) {
                Ok(()) => return Stored::Durable,
                Err(error) => error,
            },
            Storage::Memory => return Stored::Memory,
            Storage::Refused => AppendError::Io(std::io::Error::other(
                "the outbox directory was refused or could not be opened (the warning at start says why)",
            )),
        };
        Counters::count(&shared.health.counters.not_stored);
        let reason = match &error {
            AppendError::Full { .. } => Reason::OutboxFull,
            AppendError::Io(_) => Reason::OutboxUnavailable,
        };
        tracing::warn!(%error, "feedback not stored in the outbox; written to stderr as an unsent line");
        log_unsent(&reason, &prepared.body, prepared.origin);
        Stored::Logged(reason)
    }

    /// Gives a held item to a delivery task on the worker's runtime.
    fn hand_off(
        &self,
        item: OutboxItem,
        held: Held,
        stored: Stored,
        count: Arc<AtomicU64>,
        watcher: Option<oneshot::Sender<Outcome>>,
        prepared: &Prepared,
    ) -> Submission {
        let durable = stored == Stored::Durable;
        let key = item.key.clone();
        let job = worker::Job {
            item,
            durable,
            count: Some(count),
            watcher,
            redactions: prepared.redactions.clone(),
        };
        if let Some(runtime) = &self.shared.runtime {
            runtime.spawn(worker::deliver(Arc::clone(&self.shared), job, held));
        }
        Submission {
            outcome: if durable {
                Outcome::Queued
            } else {
                Outcome::Sending
            },
            key: Some(key),
        }
    }
}

/// Where a recorded item is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stored {
    /// In the outbox.
    Durable,
    /// In memory only (no outbox is configured).
    Memory,
    /// Nowhere: the outbox refused it, and its unsent line was written for this reason.
    Logged(Reason),
}

/// A report kept: its unsent line is written, and the caller is told why.
fn kept(prepared: &Prepared, reason: Reason) -> Submission {
    log_unsent(&reason, &prepared.body, prepared.origin);
    Submission::only(Outcome::Kept { reason })
}

//! Delivery over HTTP: one classified attempt ([`client`]), the retry policy ([`RetryPolicy`]), the one retry
//! loop ([`retry`]), and what the agent is told ([`Outcome`]). [`deliver_now`] is await mode: it sends with
//! retries and keeps what fails as an unsent line.

mod client;
mod http_date;
mod key;
mod outcome;
mod policy;
mod retry;
mod target;
pub(crate) mod unsent;

#[cfg(test)]
pub(crate) use client::IDEMPOTENCY_KEY_HEADER;
pub(crate) use client::{Attempt, Client, Request};
pub(crate) use key::IdempotencyKey;
pub use outcome::{Outcome, Reason};
pub use policy::RetryPolicy;
pub(crate) use retry::{Finished, Pause, after, with_retries};
pub(crate) use target::{Destination, Target};

use crate::feedback::Prepared;
use unsent::log_unsent;

/// Sends `prepared` to `destination`, retrying as `policy` says, and returns what happened.
/// Feedback that is not delivered (no key, a refused URL, a refusal, retries exhausted) is written to
/// stderr as one unsent line. Every attempt carries the same idempotency key, derived from the body, so a
/// replay of the unsent line repeats it. Never panics.
pub(crate) async fn deliver_now(
    prepared: &Prepared,
    destination: &Destination,
    client: Result<&Client, Reason>,
    policy: &RetryPolicy,
) -> Outcome {
    let kept = |reason: Reason| {
        log_unsent(&reason, &prepared.body, prepared.origin);
        Outcome::Kept { reason }
    };
    let (target, client) = match (destination.sendable(), client) {
        (Ok(target), Ok(client)) => (target, client),
        (Err(reason), _) => return kept(reason),
        (_, Err(reason)) => {
            tracing::error!(%reason, "feedback not sent");
            return kept(reason);
        }
    };
    let key = IdempotencyKey::from_content(prepared.body.as_bytes());
    let request = Request {
        target,
        body: &prepared.body,
        idempotency_key: Some(key.as_str()),
        repeat_count: 1,
        tools_dropped: prepared.tools_dropped,
        origin: prepared.origin,
        redactions: &prepared.redactions,
    };
    let finished = with_retries(policy, None, || async {
        Some((client.attempt(request, policy.request_timeout()).await, ()))
    })
    .await;
    match finished {
        Finished::Accepted { attempts, id, .. } => {
            tracing::debug!(attempts, "feedback delivered");
            Outcome::Delivered { attempts, id }
        }
        Finished::Refused {
            reason, attempts, ..
        } => {
            tracing::warn!(attempts, %reason, "feedback refused by the service; not retrying");
            kept(reason)
        }
        Finished::GaveUp { reason, attempts } => {
            tracing::warn!(attempts, %reason, "feedback not delivered; out of retries");
            kept(reason)
        }
        Finished::Abandoned => kept(Reason::InvalidRequest),
    }
}

//! `Builder::deliver_before_reply` (hosts that freeze after the reply) against the local collector: a report
//! delivered within the budget is recorded; one the service does not accept in time waits in the outbox and the
//! reply says it was saved, within the budget and a margin; the generated tool replies the same way.

use std::path::Path;
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{FeedbackPayload, Outcome, Patchwork, patchwork_feedback};
use serde_json::json;

/// How long past its budget a call may take: the outbox write (fsynced) and scheduling on a busy machine.
const MARGIN: Duration = Duration::from_secs(2);
const WAIT: Duration = Duration::from_secs(60);

fn payload(what: &str) -> FeedbackPayload {
    FeedbackPayload {
        what_i_needed: what.into(),
        what_i_tried: "searched".into(),
        ..FeedbackPayload::default()
    }
}

fn pending(outbox: &Path) -> usize {
    std::fs::read_dir(outbox.join("pending")).map_or(0, Iterator::count)
}

fn client(collector: &Collector, outbox: &Path, budget: Duration) -> Patchwork {
    collector
        .patchwork("serverless")
        .outbox_dir(outbox)
        .deliver_before_reply(budget)
        .build()
}

/// The call, bounded: it must return within `budget` and the margin.
async fn enqueue_within(patchwork: &Patchwork, budget: Duration, what: &str) -> Outcome {
    tokio::time::timeout(budget + MARGIN, patchwork.enqueue(&payload(what)))
        .await
        .expect("the call returns within its budget and the margin")
}

#[tokio::test]
async fn a_report_delivered_within_the_budget_is_recorded_and_leaves_the_outbox() {
    let collector = Collector::start().expect("collector");
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Duration::from_secs(20);
    let patchwork = client(&collector, dir.path(), budget);
    let outcome = enqueue_within(&patchwork, budget, "delivered before the reply").await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    assert!(outcome.message().contains("has been recorded"));
    assert_eq!(collector.feedback().len(), 1);
    assert_eq!(pending(dir.path()), 0, "delivered: not in the outbox");
}

#[tokio::test]
async fn a_service_that_never_answers_leaves_the_report_in_the_outbox_and_the_reply_says_saved() {
    let collector = Collector::start().expect("collector");
    collector.never_answer_next(usize::MAX);
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Duration::from_millis(500);
    let patchwork = client(&collector, dir.path(), budget);
    let outcome = enqueue_within(&patchwork, budget, "the service is slow").await;
    assert_eq!(outcome, Outcome::Queued);
    assert!(
        outcome.message().contains("saved and is queued"),
        "never more than happened"
    );
    assert_eq!(
        pending(dir.path()),
        1,
        "durable: a later start or a replay delivers it"
    );
    collector
        .wait_for_feedback(1, WAIT)
        .await
        .expect("it was tried (the worker goes on trying after the reply)");
}

#[tokio::test]
async fn a_failing_service_leaves_the_report_in_the_outbox_and_the_reply_says_saved() {
    let collector = Collector::start().expect("collector");
    collector.fail_next(usize::MAX, 503);
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Duration::from_millis(800);
    let patchwork = client(&collector, dir.path(), budget);
    assert_eq!(
        enqueue_within(&patchwork, budget, "kept").await,
        Outcome::Queued
    );
    drop(patchwork); // the host froze, or ended the process: the next start's drain takes it
    assert_eq!(pending(dir.path()), 1);
    let tried = collector.requests();
    assert!(
        !tried.is_empty() && tried.iter().all(|r| r.status == Some(503)),
        "{tried:?}"
    );
}

#[tokio::test]
async fn a_refusal_within_the_budget_is_told_as_kept() {
    let collector = Collector::start().expect("collector");
    collector.fail_next(1, 401);
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Duration::from_secs(20);
    let outcome = enqueue_within(&client(&collector, dir.path(), budget), budget, "refused").await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: patchwork_runtime::Reason::Status(401)
        }
    );
    assert_eq!(pending(dir.path()), 0, "moved to rejected/");
}

struct Server;

#[patchwork_feedback(slug = "serverless", dispatch = "manual")]
impl Server {}

#[tokio::test]
async fn the_generated_tool_replies_after_the_delivery_within_the_budget() {
    let collector = Collector::start().expect("collector");
    let dir = tempfile::tempdir().expect("tempdir");
    let budget = Duration::from_secs(20);
    let _guard = Server::patchwork_builder()
        .url(collector.url())
        .api_key(Collector::DEFAULT_API_KEY)
        .outbox_dir(dir.path())
        .deliver_before_reply(budget)
        .install();
    let arguments = json!({
        "what_i_needed": "a tool that lists invoices",
        "what_i_tried": "search",
        "gap_type": "missing_tool",
    });
    let reply = tokio::time::timeout(
        budget + MARGIN,
        Server.patchwork_dispatch("feedback", &arguments),
    )
    .await
    .expect("bounded")
    .expect("the feedback tool");
    assert!(!reply.is_error);
    assert!(reply.text.contains("has been recorded"), "{}", reply.text);
    assert_eq!(collector.feedback().len(), 1, "delivered before the reply");
}

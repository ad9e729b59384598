//! Ceilings on recorded reports, through the public client: past the process's ceiling per minute a report gets a
//! short non-error reply and nothing is stored or sent, in both delivery modes (the per-session ceiling counts
//! transport sessions, which only generated tools know: `glue::tests`); and the capped tool list
//! keeps only real names, with the number left out in `Patchwork-Tools-Dropped`; the first hit of a ceiling is logged
//! once at warn.

mod common;

use std::time::Duration;

use common::TextSubscriber;

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{FeedbackPayload, GapType, Outcome};

fn report(session: &str, n: usize) -> FeedbackPayload {
    FeedbackPayload {
        what_i_needed: format!("report {n} of {session}"),
        what_i_tried: "everything".into(),
        gap_type: GapType::MissingTool,
        session_id: session.into(),
        ..FeedbackPayload::default()
    }
}

#[tokio::test]
async fn the_process_ceiling_holds_across_sessions() {
    let collector = Collector::start().expect("collector");
    let patchwork = collector
        .patchwork("ceilings")
        .no_outbox()
        .report_limits(100, 5)
        .build();
    for n in 0..5 {
        assert_eq!(
            patchwork.enqueue(&report(&format!("s{n}"), n)).await,
            Outcome::Sending
        );
    }
    let limited = patchwork.enqueue(&report("s9", 9)).await;
    assert_eq!(limited, Outcome::Limited);
    assert!(
        limited.message().contains("nothing more is needed"),
        "{}",
        limited.message()
    );
    assert_eq!(patchwork.deliver(&report("s9", 10)).await, Outcome::Limited);
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    assert_eq!(collector.feedback().len(), 5);
}

#[tokio::test]
async fn a_long_tool_list_keeps_only_real_names_and_the_dropped_count_travels_as_a_header() {
    let collector = Collector::start().expect("collector");
    let patchwork = collector.patchwork("tools").no_outbox().build();
    let payload = FeedbackPayload {
        tools_available: (0..80).map(|i| format!("tool_{i}")).collect(),
        ..report("tools", 0)
    };
    assert!(patchwork.deliver(&payload).await.is_delivered());
    let request = &collector.requests()[0];
    let sent = request.feedback().expect("a feedback body");
    assert_eq!(sent.tools_available.len(), 50);
    assert!(
        sent.tools_available.iter().all(|t| t.starts_with("tool_")),
        "{:?}",
        sent.tools_available
    );
    assert_eq!(request.header("patchwork-tools-dropped"), Some("30"));
}

#[tokio::test(flavor = "current_thread")]
async fn the_first_hit_of_a_ceiling_is_logged_at_warn_once() {
    let subscriber = TextSubscriber::default();
    let text = subscriber.text.clone();
    let _guard = tracing::subscriber::set_default(subscriber);
    let collector = Collector::start().expect("collector");
    let patchwork = collector
        .patchwork("ceilings")
        .no_outbox()
        .report_limits(100, 1)
        .build();
    assert_eq!(patchwork.enqueue(&report("a", 0)).await, Outcome::Sending);
    for n in 1..4 {
        assert_eq!(patchwork.enqueue(&report("a", n)).await, Outcome::Limited);
    }
    let logged = text.lock().unwrap().clone();
    let warned = logged
        .lines()
        .filter(|line| line.contains("a PatchworkMCP feedback ceiling was reached"))
        .collect::<Vec<_>>();
    assert_eq!(warned.len(), 1, "{logged}");
    assert!(
        warned[0].contains("for the whole process a minute"),
        "{logged}"
    );
    assert!(warned[0].contains("limit=1"), "{logged}");
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
}

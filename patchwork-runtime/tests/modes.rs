//! Modes: `DryRun` checks and logs without storing or sending; `Off` stores and sends nothing; both say so
//! honestly to the agent.

mod common;

use common::{TextSubscriber, marker, payload};
use patchwork_runtime::testing::{Collector, capture_unsent};
use patchwork_runtime::{Mode, Outcome};

#[tokio::test]
async fn dry_run_logs_the_checked_feedback_and_sends_and_stores_nothing() {
    let subscriber = TextSubscriber::default();
    let text = subscriber.text.clone();
    let _guard = tracing::subscriber::set_default(subscriber);
    let collector = Collector::start().unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let capture = capture_unsent();
    let patchwork = collector
        .patchwork("s")
        .outbox_dir(outbox.path().join("box"))
        .mode(Mode::DryRun)
        .build();
    assert_eq!(patchwork.mode(), Mode::DryRun);
    let mark = marker("dry");
    let awaited = patchwork.deliver(&payload(&mark)).await;
    let queued = patchwork.enqueue(&payload(&mark)).await;
    for outcome in [&awaited, &queued] {
        assert_eq!(outcome, &Outcome::DryRun);
        assert!(
            outcome.message().contains("dry-run mode"),
            "{}",
            outcome.message()
        );
        assert!(
            !outcome.message().contains("saved"),
            "promises nothing: {}",
            outcome.message()
        );
    }
    assert!(
        patchwork
            .flush(std::time::Duration::from_secs(5))
            .await
            .settled()
    );
    assert!(collector.requests().is_empty(), "nothing was sent");
    assert!(!outbox.path().join("box").exists(), "nothing was stored");
    assert!(
        capture.records_for(&mark).is_empty(),
        "no unsent line either"
    );
    let logged = text.lock().unwrap().clone();
    assert_eq!(
        logged.matches(&mark).count(),
        2,
        "each checked payload is logged once: {logged}"
    );
}

#[tokio::test]
async fn off_stores_and_sends_nothing_and_says_feedback_is_off() {
    let collector = Collector::start().unwrap();
    let outbox = tempfile::tempdir().unwrap();
    let patchwork = collector
        .patchwork("s")
        .outbox_dir(outbox.path().join("box"))
        .mode(Mode::Off)
        .build();
    let mark = marker("off");
    for outcome in [
        patchwork.deliver(&payload(&mark)).await,
        patchwork.enqueue(&payload(&mark)).await,
    ] {
        assert_eq!(outcome, Outcome::Disabled);
        assert!(
            outcome.message().contains("turned off"),
            "{}",
            outcome.message()
        );
    }
    assert!(collector.requests().is_empty());
    assert!(!outbox.path().join("box").exists());
}

#[test]
fn the_environment_chooses_the_mode_when_the_builder_does_not() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_reports_its_mode",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PATCHWORKMCP_MODE", "dry-run")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 passed"), "the helper ran: {stdout}");
}

#[test]
#[ignore = "helper: runs only as a child process of the_environment_chooses_the_mode_when_the_builder_does_not"]
fn child_reports_its_mode() {
    assert_eq!(
        patchwork_runtime::Patchwork::builder()
            .no_outbox()
            .build()
            .mode(),
        Mode::DryRun
    );
    let live = patchwork_runtime::Patchwork::builder()
        .no_outbox()
        .mode(Mode::Live)
        .build();
    assert_eq!(
        live.mode(),
        Mode::Live,
        "the builder wins over the environment"
    );
}

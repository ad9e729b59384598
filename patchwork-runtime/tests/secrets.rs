//! The API key never appears in messages, unsent lines, diagnostics, `Debug` output or the outbox's files, on
//! the awaited path and the background one.

mod common;

use std::time::Duration;

use common::{TextSubscriber, fast_reference, marker, payload};
use patchwork_runtime::testing::{Collector, capture_unsent};
use patchwork_runtime::{Options, Patchwork, RetryPolicy};

const SECRET: &str = "sk-live-SECRET-7f3a9c";

/// Every file below `dir`, as text.
fn files_below(dir: &std::path::Path) -> Vec<String> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            texts.extend(files_below(&path));
        } else {
            texts.push(
                String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned(),
            );
        }
    }
    texts
}

#[tokio::test]
async fn api_key_never_appears_in_any_output() {
    let subscriber = TextSubscriber::default();
    let text = subscriber.text.clone();
    let _guard = tracing::subscriber::set_default(subscriber);
    let capture = capture_unsent();
    let outbox = tempfile::tempdir().expect("tempdir");
    let mut seen = Vec::new();

    // The collector expects another key, so every path is exercised: 401, 503s, timeouts.
    let collector = Collector::builder().api_key("other").start().unwrap();
    let builder = collector
        .patchwork("s")
        .api_key(SECRET)
        .outbox_dir(outbox.path())
        .await_retry(fast_reference())
        .retry(
            RetryPolicy::background()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(10)),
        );
    seen.push(format!("{builder:?} {builder:#?}"));
    let patchwork = builder.build();
    let mark = marker("secret");
    for script in [None, Some(503), Some(0)] {
        match script {
            Some(0) => collector.never_answer_next(3),
            Some(status) => collector.fail_next(3, status),
            None => {}
        }
        let outcome = patchwork.deliver(&payload(&mark)).await;
        seen.push(format!("{outcome:?} {}", outcome.message()));
    }
    // The background path: stored in the outbox, attempted, refused (401), moved to rejected/.
    let queued = patchwork.enqueue(&payload(&format!("{mark}-bg"))).await;
    seen.push(format!("{queued:?} {}", queued.message()));
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    seen.push(format!(
        "{:?} {patchwork:?} {patchwork:#?}",
        patchwork.stats()
    ));
    let insecure = Patchwork::builder()
        .url("http://192.0.2.1")
        .api_key(SECRET)
        .slug("s")
        .no_outbox()
        .build();
    let outcome = insecure.deliver(&payload(&mark)).await;
    seen.push(format!("{outcome:?} {} {insecure:?}", outcome.message()));

    // With the key the collector expects, the request carries it (the header is the only place).
    let good = Collector::builder().api_key(SECRET).start().unwrap();
    let outcome = good
        .patchwork("s")
        .no_outbox()
        .build()
        .deliver(&payload(&mark))
        .await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    assert_eq!(
        good.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );

    let opts = Options {
        api_key: Some(SECRET.into()),
        ..collector.options("s")
    };
    seen.push(format!("{opts:?} {opts:#?}"));
    seen.push(format!("{collector:?} {good:?}"));
    seen.extend(capture.lines());
    seen.extend(files_below(outbox.path()));
    seen.push(text.lock().unwrap().clone());

    assert!(capture.lines().iter().filter(|l| l.contains(&mark)).count() >= 4);
    assert!(
        files_below(outbox.path())
            .iter()
            .any(|f| f.contains(&format!("{mark}-bg"))),
        "the outbox was read"
    );
    assert!(
        text.lock().unwrap().contains("status_401"),
        "diagnostics were captured"
    );
    for output in &seen {
        assert!(!output.contains(SECRET), "key leaked into: {output}");
        assert!(
            !output.contains("SECRET-7f3a9c"),
            "key leaked into: {output}"
        );
    }
}

/// The server's own key, pasted by an agent into any field, is redacted before anything is stored, logged or sent
/// (whatever the redaction rules, `Redaction::none()` included), on the awaited and the background path.
#[tokio::test]
async fn the_servers_own_key_pasted_by_an_agent_is_never_sent_stored_or_logged() {
    // A key no built-in rule recognises, so only the own-key rule can catch it.
    const KEY: &str = "pwk9Q2mX7rLb";
    let subscriber = TextSubscriber::default();
    let text = subscriber.text.clone();
    let _guard = tracing::subscriber::set_default(subscriber);
    let capture = capture_unsent();
    let outbox = tempfile::tempdir().expect("tempdir");
    let collector = Collector::builder().api_key(KEY).start().unwrap();
    for rules in [
        patchwork_runtime::Redaction::standard(),
        patchwork_runtime::Redaction::none(),
    ] {
        let patchwork = collector
            .patchwork("s")
            .api_key(KEY)
            .redaction(rules)
            .outbox_dir(outbox.path().join("box"))
            .build();
        let pasted = || {
            let mut pasted = payload(&marker("own-key"));
            pasted.what_i_tried = format!("I called it with {KEY} and then key={KEY}x");
            pasted.suggestion = format!("use {KEY}");
            pasted
        };
        let delivered = patchwork.deliver(&pasted()).await;
        assert!(delivered.is_delivered(), "{delivered:?}");
        let queued = patchwork.enqueue(&pasted()).await;
        assert!(
            matches!(queued, patchwork_runtime::Outcome::Queued),
            "{queued:?}"
        );
        assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    }
    let requests = collector.requests();
    assert_eq!(requests.len(), 4, "each report arrived");
    let mut seen: Vec<String> = requests.iter().map(|r| r.body.to_string()).collect();
    assert!(
        seen.iter()
            .all(|body| body.contains("[REDACTED:patchwork_api_key]")),
        "{seen:?}"
    );
    seen.extend(capture.lines());
    seen.extend(files_below(outbox.path()));
    seen.push(text.lock().unwrap().clone());
    for output in &seen {
        assert!(
            !output.contains(KEY),
            "the pasted key leaked into: {output}"
        );
    }
}

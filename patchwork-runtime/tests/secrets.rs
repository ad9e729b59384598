//! The API key never appears in messages, unsent lines, diagnostics or Debug output.
#![cfg(feature = "test-util")]

mod common;

use common::{TextSubscriber, fast_config, marker, payload, resolved};
use patchwork_runtime::collector::Collector;
use patchwork_runtime::{Deliverer, Options, capture_unsent, submit_feedback};

const SECRET: &str = "sk-live-SECRET-7f3a9c";

#[tokio::test]
async fn api_key_never_appears_in_any_output() {
    let subscriber = TextSubscriber::default();
    let text = subscriber.text.clone();
    let _guard = tracing::subscriber::set_default(subscriber);
    let capture = capture_unsent();
    let deliverer = Deliverer::new(fast_config()).unwrap();
    let mut seen = Vec::new();

    // The collector expects another key, so every path is exercised: 401, 503s, timeouts.
    let collector = Collector::builder().api_key("other").start().unwrap();
    let opts = Options {
        api_key: Some(SECRET.into()),
        ..collector.options("s")
    };
    let mark = marker("secret");
    for script in [None, Some(503), Some(0)] {
        match script {
            Some(0) => collector.never_answer_next(3),
            Some(status) => collector.fail_next(3, status),
            None => {}
        }
        let outcome = submit_feedback(&payload(&mark), &resolved(&opts), &deliverer).await;
        seen.push(format!("{outcome:?} {}", outcome.message()));
    }
    let insecure = Options {
        patchwork_url: Some("http://192.0.2.1".into()),
        ..opts.clone()
    };
    let outcome = submit_feedback(&payload(&mark), &resolved(&insecure), &deliverer).await;
    seen.push(format!("{outcome:?} {}", outcome.message()));
    // With the key the collector expects, the request carries it (the header is the only place).
    let good = Collector::builder().api_key(SECRET).start().unwrap();
    let outcome = submit_feedback(&payload(&mark), &resolved(&good.options("s")), &deliverer).await;
    assert!(matches!(
        outcome,
        patchwork_runtime::SendOutcome::Delivered { .. }
    ));
    assert_eq!(
        good.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );

    seen.push(format!("{opts:?} {opts:#?}"));
    seen.push(format!("{:?} {:#?}", resolved(&opts), resolved(&opts)));
    seen.push(format!("{deliverer:?}"));
    seen.push(format!("{collector:?} {good:?}"));
    seen.extend(capture.lines());
    seen.push(text.lock().unwrap().clone());

    assert!(capture.lines().iter().filter(|l| l.contains(&mark)).count() >= 4);
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

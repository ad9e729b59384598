//! Delivery over TLS on loopback with the TLS backend this build selected (`rustls-aws-lc` by default;
//! `.ci/run` also runs this file with `rustls-ring` and with `native-tls`): the collector serves HTTPS with a
//! certificate from an authority of its own, which the client trusts explicitly. Verification stays on: without
//! that authority, nothing is delivered.

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{FeedbackPayload, GapType, Outcome, Reason, RetryPolicy};

fn payload(what: &str) -> FeedbackPayload {
    FeedbackPayload {
        what_i_needed: what.into(),
        what_i_tried: "search".into(),
        gap_type: GapType::MissingTool,
        ..FeedbackPayload::default()
    }
}

#[tokio::test]
async fn feedback_is_delivered_over_tls_to_a_service_whose_authority_is_trusted() {
    let collector = Collector::builder().tls().start().expect("a TLS collector");
    assert!(collector.url().starts_with("https://127.0.0.1:"));
    let root = collector.root_certificate().expect("TLS mode").to_vec();
    let patchwork = collector
        .patchwork("tls")
        .no_outbox()
        .add_root_certificate(root)
        .build();
    let outcome = patchwork.deliver(&payload("over tls")).await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    let delivered = collector.feedback();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].what_i_needed, "over tls");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let collector = Collector::builder().tls().start().expect("a TLS collector");
    let patchwork = collector
        .patchwork("tls")
        .no_outbox()
        .await_retry(RetryPolicy::reference().with_max_attempts(1))
        .build();
    let capture = patchwork_runtime::testing::capture_unsent();
    let outcome = patchwork.deliver(&payload("untrusted")).await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::Certificate
        },
        "certificate verification is on, and the reason says it was the certificate"
    );
    assert!(collector.requests().is_empty());
    assert_eq!(
        capture.records_for("untrusted").len(),
        1,
        "kept as an unsent line"
    );
}

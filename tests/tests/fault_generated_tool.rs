//! Fault suite, through the generated tool: `#[patchwork_feedback]` above `#[tool_router]` with the default
//! `delivery = "background"`, called by a real rmcp client. The agent's reply does not wait for a collector that
//! never answers, the feedback is in the outbox when the reply comes, and it is delivered exactly once when the
//! service comes back.
//!
//! One test per binary: it installs the process-wide client the generated tool uses (pointed at the collector,
//! with a temporary outbox), which can happen once per process.

mod fault_common;
mod rmcp_common;

use std::time::Duration;

use fault_common::*;
use patchwork_runtime::testing::Collector;
use rmcp::model::CallToolRequestParams;
use rmcp::object;
use rmcp_common::TextServer;

#[test]
fn the_generated_tool_replies_before_the_service_answers_and_delivers_once_it_does() {
    let outbox = tempfile::tempdir().expect("tempdir");
    let hanging = Collector::start().expect("collector");
    hanging.never_answer_next(usize::MAX);
    let addr = hanging.addr();
    // No slug: the generated tool sends the attribute's.
    let guard = fast_unslugged(&hanging.url(), outbox.path())
        .retry(fast_retry().with_request_timeout(Duration::from_millis(500)))
        .install();

    rmcp_common::runtime().block_on(async {
        let client = rmcp_common::connect_as(TextServer, "fault-agent", "1.0.0").await;
        let call = client.call_tool(CallToolRequestParams::new("feedback").with_arguments(
            object!({
                "what_i_needed": "a sentence count",
                "what_i_tried": "word_count",
                "gap_type": "missing_tool",
            }),
        ));
        let result = tokio::time::timeout(WAIT, call)
            .await
            .expect("the reply does not wait for the service")
            .expect("tools/call gets a result");
        assert_eq!(result.is_error, Some(false), "{result:?}");
        let reply = rmcp_common::text(&result);
        assert!(
            reply.contains("saved and is queued for delivery"),
            "the reply says recorded, not delivered: {reply}"
        );
        // The collector has answered nothing, yet the agent has its reply and the feedback is on disk.
        assert!(hanging.feedback().is_empty(), "{:?}", hanging.requests());
        let kept = pending(outbox.path());
        assert_eq!(kept.len(), 1, "the feedback waits in the outbox: {kept:?}");
        let _ = client.cancel().await;

        // The service comes back on the same address.
        let hanging_requests = hanging.requests();
        // A fresh collector on the same listening socket, never released.
        let healthy = hanging.restart().expect("restart on the same socket");
        assert_eq!(healthy.addr(), addr);
        assert!(
            guard.patchwork().flush(WAIT).await.settled(),
            "delivered in time"
        );

        let markers: Vec<String> = kept.keys().cloned().collect();
        let requests = healthy.requests();
        assert_delivered_once_or_pending(&markers, &requests, &pending(outbox.path()));
        assert_eq!(accepted(&requests).len(), 1, "delivered, not left pending");
        // The hanging collector's attempts and the delivery carried the key the outbox item holds.
        let all: Vec<_> = hanging_requests.iter().chain(&requests).cloned().collect();
        assert_one_key_per_feedback(&all, &kept);
        let delivered = healthy.feedback();
        assert_eq!(delivered[0].what_i_needed, "a sentence count");
        assert_eq!(delivered[0].server_slug, "text-server");
        assert_eq!(delivered[0].client_type, "fault-agent/1.0.0");
        assert_eq!(delivered[0].tools_available, ["reverse", "word_count"]);
    });
}

//! Fault suite, through the generated tool: `#[patchwork_feedback]` above `#[tool_router]` with the default
//! `delivery = "background"`, called by a real rmcp client. The agent's reply does not wait for a collector that
//! never answers, the feedback is in the outbox when the reply comes, and it is delivered exactly once when the
//! service comes back.
//!
//! One test per binary: it sets the process environment the generated tool reads (`PATCHWORKMCP_URL`,
//! `PATCHWORKMCP_API_KEY`) and starts the process-wide reporter on a temporary outbox.

mod fault_common;
mod rmcp_common;

use std::time::Duration;

use fault_common::*;
use patchwork_runtime::collector::Collector;
use patchwork_runtime::reporter::{self, ReporterConfig};
use rmcp::model::CallToolRequestParams;
use rmcp::object;
use rmcp_common::TextServer;

#[test]
fn the_generated_tool_replies_before_the_service_answers_and_delivers_once_it_does() {
    let outbox = tempfile::tempdir().expect("tempdir");
    let hanging = Collector::start().expect("collector");
    hanging.never_answer_next(usize::MAX);
    let addr = hanging.addr();
    // SAFETY: set before any other thread of this test binary reads the environment (it runs this one test; the
    // collector's thread never reads it).
    unsafe {
        std::env::set_var("PATCHWORKMCP_URL", hanging.url());
        std::env::set_var("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY);
    }
    let config = ReporterConfig {
        delivery: patchwork_runtime::DeliveryConfig::default()
            .with_initial_backoff(Duration::from_millis(10))
            .with_request_timeout(Duration::from_millis(500)),
        ..fast_config(outbox.path())
    };
    let global = reporter::init_global(config).expect("the first use of the global reporter");

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
        let pending = pending_keys(outbox.path());
        assert_eq!(pending.len(), 1, "the feedback waits in the outbox");
        let _ = client.cancel().await;

        // The service comes back on the same address.
        hanging.shutdown();
        let healthy = Collector::builder()
            .bind(addr)
            .start()
            .expect("restart on the same port");
        assert!(global.flush(WAIT).await.settled(), "delivered in time");

        let keys: Vec<String> = pending.into_iter().collect();
        let accepted = accepted_keys(&healthy.requests());
        assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(outbox.path()));
        assert_eq!(accepted.len(), 1, "delivered, not left pending");
        let delivered = healthy.feedback();
        assert_eq!(delivered[0].what_i_needed, "a sentence count");
        assert_eq!(delivered[0].server_slug, "text-server");
        assert_eq!(delivered[0].client_type, "fault-agent/1.0.0");
        assert_eq!(delivered[0].tools_available, ["reverse", "word_count"]);
    });
}

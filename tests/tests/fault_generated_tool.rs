//! Fault suite, through the generated tool: `#[patchwork_feedback]` above `#[tool_router]` with the default
//! `delivery = "background"`, called by a real rmcp client. The agent's reply does not wait for a collector that
//! never answers, the feedback is in the outbox when the reply comes, and it is delivered exactly once when the
//! service comes back.
//!
//! One test per binary: it sets the process environment the generated tool reads (`PATCHWORKMCP_URL`,
//! `PATCHWORKMCP_API_KEY`) and starts the process-wide reporter on a temporary outbox.

mod fault_common;

use std::time::Duration;

use fault_common::*;
use patchwork_runtime::collector::Collector;
use patchwork_runtime::patchwork_feedback;
use patchwork_runtime::reporter::{self, ReporterConfig};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ServerCapabilities,
    ServerConfig,
};
use rmcp::{ServerHandler, ServiceExt, object, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct EchoArgs {
    /// What to echo.
    text: String,
}

#[derive(Debug, Clone, Default)]
struct Echo;

#[patchwork_feedback(slug = "echo-server")]
#[tool_router]
impl Echo {
    /// Echo a text.
    #[tool]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }
}

#[tool_handler]
impl ServerHandler for Echo {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

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

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let (server_io, client_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            if let Ok(running) = Echo.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let client = ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("fault-agent", "1.0.0"),
        )
        .serve(client_io)
        .await
        .expect("the client connects");
        let call = client.call_tool(CallToolRequestParams::new("feedback").with_arguments(
            object!({
                "what_i_needed": "an echo in capitals",
                "what_i_tried": "echo",
                "gap_type": "missing_parameter",
            }),
        ));
        let result = tokio::time::timeout(WAIT, call)
            .await
            .expect("the reply does not wait for the service")
            .expect("tools/call gets a result");
        assert_eq!(result.is_error, Some(false), "{result:?}");
        let reply: String = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect();
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
        assert_eq!(delivered[0].what_i_needed, "an echo in capitals");
        assert_eq!(delivered[0].server_slug, "echo-server");
        assert_eq!(delivered[0].client_type, "fault-agent/1.0.0");
        assert_eq!(delivered[0].tools_available, ["echo"]);
    });
}

//! Off means off, through a real rmcp client: with feedback off, agents are not told to call the tool (no directive
//! in the instructions), the tool is not in `tools/list`, and a client that calls it anyway gets an honest non-error
//! reply ("feedback is turned off"), never rmcp's "tool not found", with `#[tool_router(server_handler)]` (the attribute
//! writes the handler). The other wiring, a hand-written `#[tool_handler(router = self.tools)]` with
//! `patchwork_runtime::rmcp::{offered, call_offered}`, is the examples' own: `example_processes.rs` drives it.

mod rmcp_common;

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{Mode, Patchwork, patchwork_feedback};
use rmcp::model::CallToolRequestParams;
use rmcp::{tool, tool_router};
use rmcp_common::{Client, bounded, text};
use serde_json::json;

const OWN: &str = "Answers pings.";

#[derive(Debug, Clone, Default)]
struct Generated;

#[patchwork_feedback(slug = "off", instructions = "Answers pings.")]
#[tool_router(server_handler)]
impl Generated {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

async fn off_means_off(client: &Client, server: &str) {
    let instructions = client
        .peer_info()
        .and_then(|info| info.instructions.clone())
        .unwrap_or_default();
    assert_eq!(
        instructions, OWN,
        "{server}: no directive when feedback is off"
    );
    let tools: Vec<String> = bounded("tools/list", client.list_all_tools())
        .await
        .expect("tools/list")
        .into_iter()
        .map(|tool| tool.name.into_owned())
        .collect();
    assert_eq!(
        tools,
        ["ping"],
        "{server}: the feedback tool is not offered"
    );
    let arguments = json!({"what_i_needed": "x", "what_i_tried": "y", "gap_type": "other"});
    let result = bounded(
        "feedback call",
        client.call_tool(
            CallToolRequestParams::new("feedback")
                .with_arguments(arguments.as_object().cloned().unwrap_or_default()),
        ),
    )
    .await
    .unwrap_or_else(|error| panic!("{server}: a call anyway gets a tool result, not {error}"));
    assert_eq!(result.is_error, Some(false), "{server}");
    assert!(
        text(&result).starts_with("Feedback is turned off on this server; nothing was recorded."),
        "{server}: {}",
        text(&result)
    );
    // The server's own tools still work.
    let ping = bounded("ping", client.call_tool(CallToolRequestParams::new("ping")))
        .await
        .expect("ping");
    assert_eq!(text(&ping), "pong");
}

#[test]
fn with_feedback_off_the_tool_is_neither_announced_nor_offered_and_a_call_is_answered_honestly() {
    let collector = Collector::start().expect("the local collector starts");
    let _guard = Patchwork::builder()
        .url(collector.url())
        .api_key(Collector::DEFAULT_API_KEY)
        .mode(Mode::Off)
        .install();
    rmcp_common::runtime().block_on(async {
        for (name, client) in [("server_handler", rmcp_common::connect(Generated).await)] {
            off_means_off(&client, name).await;
            bounded("client shutdown", client.cancel())
                .await
                .expect("the client shuts down cleanly");
        }
    });
    assert!(collector.requests().is_empty(), "nothing is sent");
}

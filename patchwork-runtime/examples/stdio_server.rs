//! A small MCP server over stdio with three useful tools and the PatchworkMCP feedback tool, to plug into
//! Claude Desktop, Claude Code or Cursor.
//!
//! ```text
//! cargo build -p patchwork-runtime --example stdio_server --features rmcp
//! # then point your MCP client at target/debug/examples/stdio_server, with
//! # PATCHWORKMCP_API_KEY and PATCHWORKMCP_SERVER_SLUG in its environment
//! ```
//!
//! Tools (in `toolbox/`, shared with the `http_server` example): `count_text`, `convert_units`, `days_between`
//! and `feedback`. Feedback is recorded in the outbox and delivered in the
//! background, so the agent's reply never waits for the network. Without `PATCHWORKMCP_API_KEY` the server still
//! works; each feedback is then written to stderr as one `PATCHWORKMCP_UNSENT_FEEDBACK` line, which MCP clients
//! keep in their server logs. With both variables set, it also sends the heartbeat (its tool list, at start and every
//! minute). stdout carries the protocol and nothing else; diagnostics go to stderr (`RUST_LOG` filters them). On
//! stdin EOF it exits at once, waiting at most the guard's flush timeout (1 s) for deliveries in flight: what is
//! not delivered stays in the outbox for the next start.

mod toolbox;

use rmcp::ServiceExt;
use toolbox::Toolbox;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    toolbox::log_to_stderr();
    // The feedback client, with the attribute's settings under the builder's and the environment's
    // (PATCHWORKMCP_*) under both. Installing it drains what earlier runs left in the outbox and starts the
    // heartbeat; the guard flushes in-flight deliveries when it drops at the end of main.
    let _guard = Toolbox::patchwork_builder()
        .heartbeat(toolbox::tool_names())
        .install();
    // `observe` watches the server (one line): calls of tools it lacks, refused arguments, tool errors, resources
    // and prompts not found become gap signals, reported aggregated; each request gets an MCP telemetry span.
    let running = patchwork_runtime::rmcp::observe(Toolbox::new())
        .serve(rmcp::transport::stdio())
        .await?;
    running.waiting().await?;
    Ok(())
}

//! What the rmcp end-to-end tests share: a small text server with two tools of its own and the feedback tool
//! added by `#[patchwork_feedback]` above `#[tool_router]` (default, background delivery), the same with
//! `delivery = "await"`, pointing the generated tools at the local collector with a private outbox, a real rmcp
//! client connected to any server over `tokio::io::duplex`, and bounded waits.

#![allow(dead_code)] // each rmcp_* binary uses a different part

use std::future::Future;
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{Guard, Patchwork, patchwork_feedback};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ClientCapabilities, ClientConfig, Implementation, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

/// A real rmcp client connected to a server of the test.
pub type Client = RunningService<RoleClient, ClientConfig>;

/// Bound on every step that waits for the server, the client or the collector (a loaded 2-core machine).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The arguments of the server's own tools.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct TextArgs {
    /// The text to work on.
    pub text: String,
}

/// A small server: counts words, reverses text, and has the feedback tool.
#[derive(Debug, Clone, Default)]
pub struct TextServer;

#[patchwork_feedback(
    slug = "text-server",
    instructions = "Tools for counting and reversing text."
)]
#[tool_router]
impl TextServer {
    /// Count the words in a text.
    #[tool]
    async fn word_count(&self, Parameters(args): Parameters<TextArgs>) -> String {
        args.text.split_whitespace().count().to_string()
    }

    /// Reverse a text, character by character.
    #[tool]
    async fn reverse(&self, Parameters(args): Parameters<TextArgs>) -> String {
        args.text.chars().rev().collect()
    }
}

#[tool_handler]
impl ServerHandler for TextServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("text-server", "0.3.0"))
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

/// [`TextServer`] whose feedback tool waits for delivery before it replies.
#[derive(Debug, Clone, Default)]
pub struct AwaitingTextServer;

#[patchwork_feedback(slug = "text-server", delivery = "await")]
#[tool_router]
impl AwaitingTextServer {
    /// Count the words in a text.
    #[tool]
    async fn word_count(&self, Parameters(args): Parameters<TextArgs>) -> String {
        args.text.split_whitespace().count().to_string()
    }
}

#[tool_handler]
impl ServerHandler for AwaitingTextServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

/// The process-wide client pointed at a collector, and its temporary outbox. Keep it until the test ends:
/// dropping it flushes the client, then removes the outbox.
pub struct Delivery {
    // Fields drop in this order: the flush first, then the directory.
    _guard: Guard,
    _outbox: tempfile::TempDir,
}

/// Points the generated feedback tools at `collector`: installs the process-wide client with the collector's URL
/// and key (no slug, so the attribute's is sent) and its outbox in a temporary directory (never the user's state
/// directory). A process installs one client: call it once, in a test binary that runs one test.
pub fn deliver_to(collector: &Collector) -> Delivery {
    let outbox = tempfile::tempdir().expect("a temporary directory");
    let guard = Patchwork::builder()
        .url(collector.url())
        .api_key(Collector::DEFAULT_API_KEY)
        .outbox_dir(outbox.path().join("outbox"))
        .install();
    Delivery {
        _guard: guard,
        _outbox: outbox,
    }
}

/// A two-worker tokio runtime for a test's body.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The client's name and version [`connect`] uses, as the server must report them in `client_type`.
pub const CLIENT_NAME: &str = "rmcp-e2e-agent";
pub const CLIENT_VERSION: &str = "1.2.3";

/// Starts `server` in this process and connects a real rmcp client (`CLIENT_NAME`/`CLIENT_VERSION`) to it.
pub async fn connect(server: impl ServerHandler) -> Client {
    connect_as(server, CLIENT_NAME, CLIENT_VERSION).await
}

/// Starts `server` in this process and connects a real rmcp client introducing itself as `name`/`version` to
/// it over an in-memory duplex pipe; bounded by [`STEP_TIMEOUT`].
pub async fn connect_as(server: impl ServerHandler, name: &str, version: &str) -> Client {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let client = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(name, version),
    )
    .serve(client_io);
    bounded("connect", client)
        .await
        .expect("the rmcp client connects to the server")
}

/// The text of a tool result (its text blocks, one per line).
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `future`'s output, or a panic naming `what` if it takes longer than [`STEP_TIMEOUT`].
pub async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP_TIMEOUT, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {STEP_TIMEOUT:?}"))
}

//! The rmcp servers and client the rmcp end-to-end tests share: a small text server with two tools of its own and
//! the feedback tool added by `#[patchwork_feedback]` above `#[tool_router]` (default, background delivery), the
//! same with `delivery = "await"`, and a real rmcp client connected to either over `tokio::io::duplex`.

#![allow(dead_code)]

use patchwork_runtime::patchwork_feedback;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ServerCapabilities, ServerConfig,
};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

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

/// Keeps the process-wide reporter's outbox in a temporary directory (instead of the user's state directory)
/// for as long as the returned guard lives. Call it before the first feedback call.
pub fn private_outbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = patchwork_runtime::reporter::ReporterConfig {
        outbox: patchwork_runtime::outbox::OutboxSetting::Dir(dir.path().join("outbox")),
        ..patchwork_runtime::reporter::ReporterConfig::default()
    };
    assert!(
        patchwork_runtime::reporter::init_global(config).is_ok(),
        "the reporter was not started before the test set its outbox"
    );
    dir
}

/// The client's name and version, as the server must report them in `client_type`.
pub const CLIENT_NAME: &str = "rmcp-e2e-agent";
pub const CLIENT_VERSION: &str = "1.2.3";

/// Starts `server` in this process and connects a real rmcp client to it over an in-memory duplex pipe.
pub async fn connect(server: impl ServerHandler) -> RunningService<RoleClient, ClientConfig> {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(CLIENT_NAME, CLIENT_VERSION),
    )
    .serve(client_io)
    .await
    .expect("the rmcp client connects to the server")
}

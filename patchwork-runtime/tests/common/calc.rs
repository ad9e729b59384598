//! An rmcp server with every kind of answer, for the tests of the watcher (`rmcp::observe`): a tool that works, one
//! whose result is `isError: true` (its text quotes an e-mail address), one that fails with a JSON-RPC internal error,
//! and resources and prompts that are never found. And an in-process client for it.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ClientCapabilities, ClientConfig, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, Implementation, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RunningService, ServiceExt};
use rmcp::{ErrorData, RoleClient, RoleServer, ServerHandler, schemars};
use rmcp::{tool, tool_handler, tool_router};
use serde::Deserialize;

#[derive(Debug, Clone, Default)]
pub struct Calc;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct Sum {
    a: i64,
    b: i64,
}

#[tool_router]
impl Calc {
    /// Adds.
    #[tool]
    async fn add(&self, Parameters(Sum { a, b }): Parameters<Sum>) -> String {
        (a + b).to_string()
    }

    /// Always answers a tool result with `isError: true`.
    #[tool]
    async fn flaky(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text(
            "upstream said no to alice@example.com",
        )])
    }

    /// Always fails with a JSON-RPC internal error.
    #[tool]
    async fn broken(&self) -> Result<CallToolResult, ErrorData> {
        // The message quotes what the user asked for: the span's status carries it redacted.
        Err(ErrorData::internal_error(
            "the database is down for ana@example.com",
            None,
        ))
    }
}

#[tool_handler]
impl ServerHandler for Calc {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .build(),
        )
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        Err(ErrorData::resource_not_found(
            format!("no {}", request.uri),
            None,
        ))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        Err(ErrorData::invalid_params(
            format!("prompt '{}' not found", request.name),
            None,
        ))
    }
}

/// `server` and a client named `name/version`, in process over a duplex pipe.
pub async fn connect_as(
    server: impl ServerHandler,
    name: &str,
    version: &str,
) -> RunningService<RoleClient, ClientConfig> {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(name, version),
    )
    .serve(client_io)
    .await
    .expect("the client connects")
}

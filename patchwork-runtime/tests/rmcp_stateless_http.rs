//! A generated rmcp tool behind rmcp's streamable HTTP server in stateless mode (`legacy_session_mode: false`), driven
//! over real loopback HTTP by plain JSON-RPC clients. A stateless server has no session and does not keep a client's
//! `initialize`: each request sees rmcp's placeholder client (`rmcp/<version>`). Reports must carry no client rather
//! than the placeholder, and identical reports from different users must each be recorded, never merged as repeats.
//! With the stateless 2026-07-28 lifecycle each request names its client, and that name is reported.
#![cfg(feature = "rmcp")]

use std::time::Duration;

use patchwork_runtime::patchwork_feedback;
use patchwork_runtime::testing::Collector;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};
use serde_json::{Value, json};

#[derive(Debug, Clone, Default)]
struct Echo;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct Text {
    /// The text.
    text: String,
}

#[patchwork_feedback(slug = "stateless")]
#[tool_router]
impl Echo {
    /// Returns the text.
    #[tool]
    async fn echo(&self, Parameters(Text { text }): Parameters<Text>) -> String {
        text
    }
}

#[tool_handler]
impl ServerHandler for Echo {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions(Self::patchwork_instructions())
    }
}

/// One JSON-RPC request as a client without a session sends it (legacy protocol, or the stateless 2026-07-28
/// one when `request` carries its per-request `_meta`); the answer's `result`.
async fn call(http: &reqwest::Client, url: &str, client: &str, request: Value) -> Value {
    let version = request["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"]
        .as_str()
        .unwrap_or("2025-11-25")
        .to_owned();
    let mut post = http.post(url);
    if version == "2026-07-28" {
        // The standard headers that lifecycle requires beside the body.
        post = post.header("mcp-method", request["method"].as_str().unwrap_or_default());
        if let Some(name) = request["params"]["name"].as_str() {
            post = post.header("mcp-name", name);
        }
    }
    let response = post
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", version)
        .header("content-type", "application/json")
        .body(request.to_string())
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    assert!(
        response.headers().get("mcp-session-id").is_none(),
        "a stateless server gives no session"
    );
    let text = response.text().await.expect("a body");
    assert!(status.is_success(), "{client}: {status} {text}");
    // JSON, or one SSE event whose data is the JSON answer.
    let json = text
        .lines()
        .find_map(|line| line.strip_prefix("data:"))
        .unwrap_or(&text)
        .trim();
    let answer: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {text}"));
    answer["result"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_http_reports_no_placeholder_client_and_never_merges_two_users() {
    let collector = Collector::start().expect("collector");
    // Each delivery takes a moment, so the first user's report is still in flight when the second's arrives.
    collector.set_delay(Duration::from_millis(200));
    let _guard = collector.patchwork("stateless").no_outbox().install();
    let service = StreamableHttpService::new(
        || Ok(Echo),
        LocalSessionManager::default().into(),
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}/mcp", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().nest_service("/mcp", service)).await
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");

    let mut replies = Vec::new();
    for client in ["alice-agent", "bob-agent"] {
        let initialized = call(
            &http,
            &url,
            client,
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": client, "version": "1.0.0"}}}),
        )
        .await;
        assert!(initialized["serverInfo"].is_object(), "{initialized}");
        // The same gap, word for word, from two different users.
        let result = call(
            &http,
            &url,
            client,
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                "name": "feedback",
                "arguments": {"what_i_needed": "a tool that converts time zones",
                              "what_i_tried": "echo", "gap_type": "missing_tool"}}}),
        )
        .await;
        assert_eq!(result["isError"], false, "{client}: {result}");
        replies.push(
            result["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    for reply in &replies {
        assert!(reply.starts_with("Thank you"), "{reply}");
        assert!(
            !reply.contains("already recorded"),
            "a user is told about a report another user sent: {reply}"
        );
    }
    // The stateless 2026-07-28 lifecycle: each request carries its client's identity, which is reported.
    for client in ["alice-agent", "bob-agent"] {
        let result = call(
            &http,
            &url,
            client,
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientInfo": {"name": client, "version": "2.0.0"},
                    "io.modelcontextprotocol/clientCapabilities": {}},
                "name": "feedback",
                "arguments": {"what_i_needed": "a tool that converts currencies",
                              "what_i_tried": "echo", "gap_type": "missing_tool"}}}),
        )
        .await;
        assert_eq!(result["isError"], false, "{client}: {result}");
        let reply = result["content"][0]["text"].as_str().unwrap_or_default();
        assert!(!reply.contains("already recorded"), "{client}: {reply}");
    }
    let patchwork = _guard.patchwork();
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    let feedback = collector.feedback();
    assert_eq!(
        feedback.len(),
        4,
        "each user's report is recorded: {feedback:?}"
    );
    let (legacy, identified): (Vec<_>, Vec<_>) = feedback
        .iter()
        .partition(|f| f.what_i_needed == "a tool that converts time zones");
    let mut clients: Vec<&str> = identified.iter().map(|f| f.client_type.as_str()).collect();
    clients.sort_unstable();
    assert_eq!(clients, ["alice-agent/2.0.0", "bob-agent/2.0.0"]);
    let placeholder = rmcp::model::Implementation::default();
    for report in &legacy {
        assert_eq!(
            report.client_type, "",
            "no client rather than rmcp's placeholder {}/{}",
            placeholder.name, placeholder.version
        );
    }
    for report in &feedback {
        assert_eq!(report.tools_available, ["echo"]);
    }
    for request in collector.requests() {
        assert_eq!(
            request.header("patchwork-repeat-count"),
            None,
            "{request:?}"
        );
    }
    server.abort();
}

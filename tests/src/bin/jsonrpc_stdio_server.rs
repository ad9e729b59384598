//! A minimal MCP server over stdio, written by hand (no MCP framework): newline-delimited JSON-RPC 2.0 on
//! stdin/stdout, one tool of its own (`forecast`) plus the feedback tool from `#[patchwork_feedback]`.
//!
//! It shows the hand-written integration: `patchwork_instructions()` in `initialize`, `patchwork_tool()` in
//! `tools/list` (left out when feedback is off), and one `patchwork_dispatch_with` line before the server's own
//! `match` in `tools/call`, telling the runtime what the server knows: the client's `name/version` from
//! `initialize`, its own tools, and that stdio carries one session per process. Delivery is
//! configured by the environment (`PATCHWORKMCP_URL`, `PATCHWORKMCP_API_KEY`, `PATCHWORKMCP_OUTBOX`) through the
//! process-wide client it installs at start; the slug is set in the attribute. Driven end to end by
//! `tests/jsonrpc_stdio.rs`.

use patchwork_runtime::patchwork_feedback;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The server's state: the client's `name/version` from `initialize`.
#[derive(Default)]
struct Weather {
    client: std::sync::Mutex<Option<String>>,
}

/// The server's own tools.
const TOOLS: [&str; 1] = ["forecast"];

#[patchwork_feedback(
    dispatch = "manual",
    slug = "weather-stdio",
    instructions = "Weather forecasts for European cities."
)]
impl Weather {
    /// Today's forecast for a city.
    fn forecast(&self, city: &str) -> String {
        format!("Sunny in {city}")
    }

    /// `tools/call`: the feedback tool is routed first, then the server's own tools.
    async fn call_tool(&self, name: &str, arguments: &Value) -> Value {
        let context = patchwork_runtime::CallContext {
            client_type: self.client.lock().ok().and_then(|client| client.clone()),
            tools_available: Some(TOOLS.map(str::to_owned).to_vec()),
            one_session_per_process: true, // stdio: one client per process
            ..Default::default()
        };
        if let Some(reply) = self.patchwork_dispatch_with(name, arguments, context).await {
            return reply.to_json();
        }
        match name {
            "forecast" => match arguments.get("city").and_then(Value::as_str) {
                Some(city) => text_result(&self.forecast(city), false),
                None => text_result("`city` (a string) is required", true),
            },
            other => text_result(&format!("unknown tool `{other}`"), true),
        }
    }

    fn list_tools(&self) -> Value {
        let mut tools = vec![json!(
            {
                "name": "forecast",
                "description": "Today's forecast for a European city.",
                "inputSchema": {
                    "type": "object",
                    "properties": { "city": { "type": "string" } },
                    "required": ["city"]
                }
            }
        )];
        // With PATCHWORKMCP_MODE=off the feedback tool is not offered (a call still gets an honest reply).
        if patchwork_runtime::mode() != patchwork_runtime::Mode::Off {
            tools.push(Self::patchwork_tool().to_json());
        }
        json!({ "tools": tools })
    }

    /// One JSON-RPC message in, at most one response out (notifications get none).
    async fn handle(&self, message: &Value) -> Option<Value> {
        let id = message.get("id").cloned();
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        let result = match method {
            "initialize" => Ok({
                self.remember_client(&params);
                json!({
                "protocolVersion": params.get("protocolVersion").cloned().unwrap_or(json!("2025-06-18")),
                "capabilities": { "tools": {} },
                "serverInfo": { "name": "weather-stdio", "version": env!("CARGO_PKG_VERSION") },
                "instructions": Self::patchwork_instructions(),
                })
            }),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(self.list_tools()),
            "tools/call" => match params.get("name").and_then(Value::as_str) {
                Some(name) => {
                    let arguments = params
                        .get("arguments")
                        .cloned()
                        .unwrap_or_else(|| json!({}));
                    Ok(self.call_tool(name, &arguments).await)
                }
                None => Err((-32602, "tools/call needs `params.name`".to_owned())),
            },
            _ if id.is_none() => return None, // notifications (e.g. notifications/initialized)
            other => Err((-32601, format!("method not found: {other}"))),
        };
        let id = id?;
        Some(match result {
            Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            Err((code, message)) => {
                json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
            }
        })
    }
}

impl Weather {
    /// Keeps `initialize`'s `clientInfo` as `name/version`.
    fn remember_client(&self, params: &Value) {
        let info = &params["clientInfo"];
        let label = match (info["name"].as_str(), info["version"].as_str()) {
            (Some(name), Some(version)) => format!("{name}/{version}"),
            (Some(name), None) => name.to_owned(),
            _ => return,
        };
        if let Ok(mut client) = self.client.lock() {
            *client = Some(label);
        }
    }
}

fn text_result(text: &str, is_error: bool) -> Value {
    json!({ "content": [{ "type": "text", "text": text }], "isError": is_error })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    // The process-wide client the generated tool uses: the attribute's settings (the slug), then the
    // environment. Installing it drains earlier runs' feedback and starts the heartbeat with the server's tool
    // list. Keep the guard until `main` returns: dropping it flushes.
    let _guard = Weather::patchwork_builder()
        .heartbeat(TOOLS.into_iter().chain([Weather::PATCHWORK_TOOL_NAME]))
        .install();
    let server = Weather::default();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Value>(&line) {
            Ok(message) => server.handle(&message).await,
            Err(error) => Some(json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": { "code": -32700, "message": format!("parse error: {error}") }
            })),
        };
        if let Some(response) = response {
            stdout.write_all(format!("{response}\n").as_bytes()).await?;
            stdout.flush().await?;
        }
    }
    // stdin closed: wait briefly for feedback still being delivered (the rest stays in the outbox).
    let _ = patchwork_runtime::flush(std::time::Duration::from_secs(2)).await;
    Ok(())
}

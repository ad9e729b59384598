//! A minimal MCP server over stdio, written by hand (no MCP framework): newline-delimited JSON-RPC 2.0 on
//! stdin/stdout, one tool of its own (`forecast`) plus the feedback tool from `#[patchwork_feedback]`.
//!
//! It shows the hand-written integration: `PATCHWORK_INSTRUCTIONS` in `initialize`, `patchwork_tool()` in
//! `tools/list`, and one `patchwork_dispatch` line before the server's own `match` in `tools/call`. Delivery is
//! configured by the environment (`PATCHWORKMCP_URL`, `PATCHWORKMCP_API_KEY`, `PATCHWORKMCP_OUTBOX`) through the
//! process-wide client it installs at start; the slug is set in the attribute. Driven end to end by
//! `tests/jsonrpc_stdio.rs`.

use patchwork_runtime::patchwork_feedback;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The server's state (none is needed here).
struct Weather;

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
        if let Some(reply) = self.patchwork_dispatch(name, arguments).await {
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
        json!({ "tools": [
            {
                "name": "forecast",
                "description": "Today's forecast for a European city.",
                "inputSchema": {
                    "type": "object",
                    "properties": { "city": { "type": "string" } },
                    "required": ["city"]
                }
            },
            Self::patchwork_tool().to_json(),
        ] })
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
            "initialize" => Ok(json!({
                "protocolVersion": params.get("protocolVersion").cloned().unwrap_or(json!("2025-06-18")),
                "capabilities": { "tools": {} },
                "serverInfo": { "name": "weather-stdio", "version": env!("CARGO_PKG_VERSION") },
                "instructions": Self::PATCHWORK_INSTRUCTIONS,
            })),
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

fn text_result(text: &str, is_error: bool) -> Value {
    json!({ "content": [{ "type": "text", "text": text }], "isError": is_error })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    // The process-wide client the generated tool uses: the attribute's settings (the slug), then the
    // environment. Installing it drains earlier runs' feedback and starts the heartbeat with the server's tool
    // list. Keep the guard until `main` returns: dropping it flushes.
    let _guard = Weather::patchwork_builder()
        .heartbeat(["forecast", Weather::PATCHWORK_TOOL_NAME])
        .install();
    let server = Weather;
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

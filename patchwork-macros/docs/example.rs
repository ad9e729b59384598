use patchwork_runtime::patchwork_feedback;
use serde_json::{Value, json};

/// A small weather server with a hand-written JSON-RPC loop.
pub struct Weather;

#[patchwork_feedback(
    slug = "weather",
    instructions = "Forecasts for European cities.",
    dispatch = "manual" // routed by the `call_tool` below, not by rmcp's `#[tool_router]`
)]
impl Weather {
    /// Today's forecast for a city.
    pub fn forecast(&self, city: &str) -> String {
        format!("Sunny in {city}")
    }
}

/// `tools/call`: the feedback tool is routed with one line before the server's own `match`.
pub async fn call_tool(server: &Weather, name: &str, arguments: &Value) -> Value {
    if let Some(reply) = server.patchwork_dispatch(name, arguments).await {
        return reply.to_json();
    }
    match name {
        "forecast" => {
            let city = arguments["city"].as_str().unwrap_or("Paris");
            json!({ "content": [{ "type": "text", "text": server.forecast(city) }], "isError": false })
        }
        _ => json!({ "content": [{ "type": "text", "text": "unknown tool" }], "isError": true }),
    }
}

/// `tools/list`: the server's tools plus the feedback tool's definition.
pub fn list_tools() -> Value {
    json!({ "tools": [
        { "name": "forecast", "inputSchema": { "type": "object" } },
        Weather::patchwork_tool().to_json(),
    ] })
}

//! End to end: the hand-written JSON-RPC stdio server (`src/bin/jsonrpc_stdio_server.rs`), which uses only
//! `patchwork_tool()`, `patchwork_dispatch_with` and `patchwork_instructions()`, run as a child process and driven over
//! its stdin/stdout like an MCP client would, delivering to the runtime's local collector.

use patchwork_runtime::testing::Collector;
use patchwork_runtime::tool_input_schema;
use patchwork_tests::stdio::{RESPONSE_TIMEOUT, StdioClient, text_of};
use serde_json::{Value, json};
use tokio::process::Command;

/// Starts the hand-written server delivering to `collector`, with a temporary outbox (kept alive by the caller)
/// so it never touches the user's own.
async fn start(collector: &Collector) -> (StdioClient, Value, tempfile::TempDir) {
    let outbox = tempfile::tempdir().expect("a temporary outbox");
    let mut command = Command::new(env!("CARGO_BIN_EXE_jsonrpc_stdio_server"));
    command
        .env("PATCHWORKMCP_OUTBOX", outbox.path())
        .env("PATCHWORKMCP_URL", collector.url())
        .env("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY)
        .env_remove("PATCHWORKMCP_SERVER_SLUG");
    let (client, initialized) = StdioClient::start(command, "jsonrpc-test").await;
    (client, initialized, outbox)
}

fn good_arguments() -> Value {
    json!({
        "what_i_needed": "a 10-day forecast",
        "what_i_tried": "forecast, which only covers today",
        "gap_type": "missing_tool",
        "suggestion": "add forecast_range(city, days)",
        "resolution": "partial"
    })
}

#[tokio::test]
async fn instructions_and_tool_list_show_the_feedback_tool() {
    let collector = Collector::start().expect("collector");
    let (mut client, initialized, _outbox) = start(&collector).await;

    let instructions = initialized["instructions"].as_str().expect("instructions");
    assert!(
        instructions.starts_with("Weather forecasts for European cities.\n\n"),
        "{instructions}"
    );
    assert!(
        instructions.contains("call the `feedback` tool BEFORE responding"),
        "{instructions}"
    );

    let listed = client.request("tools/list", json!({})).await;
    let tools = listed["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["forecast", "feedback"]);
    let feedback = &tools[1];
    assert_eq!(feedback["inputSchema"], tool_input_schema());
    assert_eq!(feedback["annotations"]["readOnlyHint"], false);
    assert_eq!(feedback["annotations"]["openWorldHint"], true);
    assert!(
        feedback["description"]
            .as_str()
            .is_some_and(|d| d.contains("BEFORE giving your final answer"))
    );

    client.finish().await;
    assert!(
        collector
            .requests()
            .iter()
            .all(|r| r.path != "/api/v1/feedback/"),
        "listing delivers nothing"
    );
}

#[tokio::test]
async fn the_heartbeat_starts_with_the_server_under_the_attribute_s_slug() {
    let collector = Collector::start().expect("collector");
    let (client, _, _outbox) = start(&collector).await;
    // No call at all: the heartbeat comes from the start-up entry, with the slug only the attribute names.
    let beats = collector
        .wait_for_requests(1, RESPONSE_TIMEOUT)
        .await
        .expect("a heartbeat at start");
    client.finish().await;
    let beat = &beats[0];
    assert_eq!(beat.path, "/api/v1/heartbeat/");
    assert_eq!(beat.body["server_slug"], "weather-stdio");
    assert_eq!(beat.body["tool_names"], json!(["forecast", "feedback"]));
    assert_eq!(beat.body["tool_count"], 2);
    assert_eq!(
        beat.header("authorization"),
        Some(format!("Bearer {}", Collector::DEFAULT_API_KEY).as_str())
    );
}

#[tokio::test]
async fn tools_call_delivers_the_payload_to_the_collector() {
    let collector = Collector::start().expect("collector");
    let (mut client, _, _outbox) = start(&collector).await;

    let result = client.call_tool("feedback", good_arguments()).await;
    assert_eq!(result["isError"], false, "{result}");
    assert!(!text_of(&result).is_empty());

    let requests = collector
        .wait_for_feedback(1, RESPONSE_TIMEOUT)
        .await
        .expect("the feedback arrives");
    let request = &requests[0];
    assert_eq!(request.path, "/api/v1/feedback/");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {}", Collector::DEFAULT_API_KEY).as_str())
    );
    assert_eq!(
        request.body["server_slug"], "weather-stdio",
        "the slug comes from the attribute"
    );
    assert_eq!(request.body["what_i_needed"], "a 10-day forecast");
    assert_eq!(
        request.body["what_i_tried"],
        "forecast, which only covers today"
    );
    assert_eq!(request.body["gap_type"], "missing_tool");
    assert_eq!(request.body["suggestion"], "add forecast_range(city, days)");
    assert_eq!(request.body["resolution"], "partial");
    assert_eq!(
        request.body["client_type"], "jsonrpc-test/1.0.0",
        "the client's name/version from `initialize`"
    );
    assert_eq!(
        request.body["tools_available"],
        json!(["forecast"]),
        "the server's own tools"
    );

    // The server's own tool is still routed by its own `match`.
    let forecast = client
        .call_tool("forecast", json!({ "city": "Lyon" }))
        .await;
    assert_eq!(text_of(&forecast), "Sunny in Lyon");
    client.finish().await;
    assert_eq!(collector.feedback().len(), 1);
}

#[tokio::test]
async fn bad_arguments_get_an_error_reply_and_deliver_nothing() {
    let collector = Collector::start().expect("collector");
    let (mut client, _, _outbox) = start(&collector).await;

    let mut wrong_gap = good_arguments();
    wrong_gap["gap_type"] = json!(7);
    let result = client.call_tool("feedback", wrong_gap).await;
    assert_eq!(result["isError"], true, "{result}");
    assert!(
        text_of(&result).contains("gap_type"),
        "the reply names the field to fix: {result}"
    );

    let result = client
        .call_tool("feedback", json!({ "what_i_tried": "forecast" }))
        .await;
    assert_eq!(result["isError"], true, "{result}");
    assert!(text_of(&result).contains("what_i_needed"), "{result}");

    // A good call afterwards is the first and only request the collector sees: the bad ones sent nothing.
    let result = client.call_tool("feedback", good_arguments()).await;
    assert_eq!(result["isError"], false, "{result}");
    let requests = collector
        .wait_for_feedback(1, RESPONSE_TIMEOUT)
        .await
        .expect("the good call arrives");
    client.finish().await;
    assert_eq!(requests.len(), 1);
    assert_eq!(collector.feedback().len(), 1);
    assert_eq!(requests[0].body["gap_type"], "missing_tool");
}

#[tokio::test]
async fn over_stdio_one_agent_gets_twenty_reports_an_hour() {
    let collector = Collector::start().expect("collector");
    let (mut client, _, _outbox) = start(&collector).await;
    let mut limited = 0;
    for n in 0..25 {
        // A looping agent varies its text and makes up a session id each time.
        let result = client
            .call_tool(
                "feedback",
                json!({
                    "what_i_needed": format!("gap {n}"),
                    "what_i_tried": "forecast",
                    "gap_type": "other",
                    "session_id": format!("agent-{n}"),
                }),
            )
            .await;
        assert_eq!(result["isError"], false, "{result}");
        if text_of(&result).contains("nothing more is needed") {
            limited += 1;
        }
    }
    assert_eq!(
        limited, 5,
        "20 reports per session an hour; stdio is one session"
    );
    collector
        .wait_for_feedback(20, RESPONSE_TIMEOUT)
        .await
        .expect("the 20 recorded reports arrive");
    client.finish().await;
    assert_eq!(collector.feedback().len(), 20);
}

//! End to end in one process: a real rmcp client, connected over `tokio::io::duplex` to an rmcp server whose
//! feedback tool comes from `#[patchwork_feedback]` above `#[tool_router]`, delivering to the runtime's local
//! collector (a real HTTP server on loopback).
//!
//! The default delivery is in the background (the reply comes once the feedback is recorded in the outbox; a
//! worker delivers it), so the steps wait for the collector to receive; the collector-down step also runs a
//! server with `delivery = "await"`, whose reply says whether delivery worked.
//!
//! One test runs the steps in order, because they share the process-wide client that points the generated tool
//! at the collector (installed once per process), and the last step stops the collector.

mod rmcp_common;

use patchwork_runtime::FeedbackPayload;
use patchwork_runtime::testing::Collector;
use patchwork_runtime::testing::capture_unsent;
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp_common::{Client, STEP_TIMEOUT, bounded, text};
use serde_json::{Value, json};

#[test]
fn rmcp_client_lists_reads_and_calls_the_feedback_tool() {
    let collector = Collector::start().expect("the local collector starts");
    // The only test of this binary: the process-wide client is installed once.
    let _delivery = rmcp_common::deliver_to(&collector);
    rmcp_common::runtime().block_on(async {
        let client = rmcp_common::connect(rmcp_common::TextServer).await;
        lists_the_feedback_tool_with_its_schema(&client).await;
        instructions_carry_the_directive(&client);
        good_arguments_are_delivered_with_server_filled_context(&client, &collector).await;
        the_servers_facts_win_over_the_agents_guesses(&client, &collector).await;
        bad_arguments_get_an_error_result_naming_the_field(&client, &collector).await;
        delivered_on_the_third_attempt_after_two_503s(&client, &collector).await;
        collector_down_says_so_and_logs_the_unsent_line(collector).await;
        bounded("client shutdown", client.cancel())
            .await
            .expect("the client shuts down cleanly");
    });
}

async fn lists_the_feedback_tool_with_its_schema(client: &Client) {
    let tools = bounded("tools/list", client.list_all_tools())
        .await
        .expect("tools/list succeeds");
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(names, ["feedback", "reverse", "word_count"]);

    let feedback = tools
        .iter()
        .find(|t| t.name == "feedback")
        .expect("feedback is listed");
    let listed = serde_json::to_value(feedback).expect("a tool serializes");
    assert_eq!(
        listed["inputSchema"],
        patchwork_runtime::tool_input_schema(),
        "the listed schema is the runtime's"
    );
    assert_eq!(
        listed["inputSchema"]["required"],
        json!(["what_i_needed", "what_i_tried", "gap_type"])
    );
    // The routed tool says what the framework-neutral definition says.
    let neutral = rmcp_common::TextServer::patchwork_tool();
    assert_eq!(listed["title"], neutral.title);
    assert_eq!(listed["description"], neutral.description);
    let mut annotations = neutral.annotations.to_json();
    annotations["title"] = json!(neutral.title);
    assert_eq!(listed["annotations"], annotations);
}

fn instructions_carry_the_directive(client: &Client) {
    let info = client.peer_info().expect("the server answered initialize");
    let instructions = info
        .instructions
        .as_deref()
        .expect("the server sends instructions");
    assert!(
        instructions.starts_with("Tools for counting and reversing text.\n\n"),
        "{instructions}"
    );
    assert!(
        instructions.contains("call the `feedback` tool BEFORE responding to the user"),
        "{instructions}"
    );
}

async fn good_arguments_are_delivered_with_server_filled_context(
    client: &Client,
    collector: &Collector,
) {
    let before = collector.requests().len();
    let result = call(
        client,
        json!({
            "what_i_needed": "a tool that counts sentences",
            "what_i_tried": "word_count, which only counts words",
            "gap_type": "missing_tool",
            "suggestion": "add sentence_count",
        }),
    )
    .await;
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert!(text(&result).starts_with("Thank you"), "{}", text(&result));

    let requests = received(collector, before + 1).await;
    let request = &requests[before];
    assert_eq!(request.path, "/api/v1/feedback/");
    assert_eq!(request.status, Some(201));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {}", Collector::DEFAULT_API_KEY).as_str())
    );
    let payload = request.feedback().expect("the body is a feedback payload");
    assert_eq!(payload.server_slug, "text-server", "the attribute's slug");
    assert_eq!(payload.what_i_needed, "a tool that counts sentences");
    assert_eq!(payload.suggestion, "add sentence_count");
    assert_eq!(
        payload.client_type,
        format!(
            "{}/{}",
            rmcp_common::CLIENT_NAME,
            rmcp_common::CLIENT_VERSION
        ),
        "filled from the client's initialize"
    );
    assert_eq!(
        payload.tools_available,
        ["reverse", "word_count"],
        "filled from the server's own tools/list, without the feedback tool"
    );
}

async fn the_servers_facts_win_over_the_agents_guesses(client: &Client, collector: &Collector) {
    let before = collector.requests().len();
    let result = call(
        client,
        json!({
            "what_i_needed": "reverse by words, not characters",
            "what_i_tried": "reverse",
            "gap_type": "missing_parameter",
            "client_type": "cursor",
            "tools_available": ["reverse"],
        }),
    )
    .await;
    assert_eq!(result.is_error, Some(false), "{result:?}");
    received(collector, before + 1).await;
    let payload = delivered(collector, before);
    assert_ne!(
        payload.client_type, "cursor",
        "the client's declared name wins"
    );
    assert!(!payload.client_type.is_empty());
    assert_ne!(
        payload.tools_available,
        ["reverse"],
        "the server's own tool list wins"
    );
    assert!(!payload.tools_available.is_empty());
}

async fn bad_arguments_get_an_error_result_naming_the_field(
    client: &Client,
    collector: &Collector,
) {
    let before = collector.requests().len();
    let result = call(
        client,
        json!({"what_i_tried": "word_count", "gap_type": "missing_tool", "resolution": "gave_up"}),
    )
    .await;
    assert_eq!(
        result.is_error,
        Some(true),
        "a tool result with isError, not a JSON-RPC error"
    );
    let message = text(&result);
    assert!(message.contains("`what_i_needed` is missing"), "{message}");
    assert!(message.contains("`resolution` must be one of"), "{message}");

    let missing = bounded(
        "tools/call without arguments",
        client.call_tool(CallToolRequestParams::new("feedback")),
    )
    .await
    .expect("a call without arguments still gets a tool result");
    assert_eq!(missing.is_error, Some(true));
    let message = text(&missing);
    assert!(message.contains("`what_i_needed` is missing"), "{message}");
    assert_eq!(
        collector.requests().len(),
        before,
        "nothing is sent for invalid arguments"
    );
}

async fn delivered_on_the_third_attempt_after_two_503s(client: &Client, collector: &Collector) {
    let before = collector.requests().len();
    collector.fail_next(2, 503);
    let result = call(
        client,
        json!({"what_i_needed": "retry me", "what_i_tried": "word_count", "gap_type": "other"}),
    )
    .await;
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert!(text(&result).starts_with("Thank you"), "{}", text(&result));
    received(collector, before + 3).await;
    let statuses: Vec<Option<u16>> = collector.requests()[before..]
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(201)]);
    assert_eq!(delivered(collector, before + 2).what_i_needed, "retry me");
}

/// With `delivery = "await"` the reply waits for delivery, so it can say that delivery failed; the feedback is
/// then written to stderr as one unsent line.
async fn collector_down_says_so_and_logs_the_unsent_line(collector: Collector) {
    collector.shutdown();
    let client = rmcp_common::connect(rmcp_common::AwaitingTextServer).await;
    let unsent = capture_unsent();
    let result = call(
        &client,
        json!({"what_i_needed": "collector-down marker 7f3a", "what_i_tried": "word_count", "gap_type": "other"}),
    )
    .await;
    assert_eq!(
        result.is_error,
        Some(false),
        "delivery failures are not argument errors: {result:?}"
    );
    let reply = text(&result);
    assert!(!reply.starts_with("Thank you"), "{reply}");
    assert!(
        reply.contains("could not be delivered"),
        "the reply says it was not delivered: {reply}"
    );
    let records: Vec<_> = unsent
        .records()
        .into_iter()
        .filter(|r| r.payload.what_i_needed == "collector-down marker 7f3a")
        .collect();
    assert_eq!(records.len(), 1, "exactly one unsent line: {records:?}");
    assert_eq!(records[0].payload.tools_available, ["word_count"]);
    assert_eq!(
        records[0].payload.client_type,
        format!(
            "{}/{}",
            rmcp_common::CLIENT_NAME,
            rmcp_common::CLIENT_VERSION
        )
    );
    bounded("client shutdown", client.cancel())
        .await
        .expect("the client shuts down cleanly");
}

async fn call(client: &Client, arguments: Value) -> CallToolResult {
    let arguments: JsonObject =
        serde_json::from_value(arguments).expect("test arguments are an object");
    bounded(
        "tools/call",
        client.call_tool(CallToolRequestParams::new("feedback").with_arguments(arguments)),
    )
    .await
    .expect("tools/call gets a result")
}

/// The payload of the request at `index`, which must have been accepted.
fn delivered(collector: &Collector, index: usize) -> FeedbackPayload {
    let requests = collector.requests();
    let request = requests
        .get(index)
        .unwrap_or_else(|| panic!("request {index} arrived: {requests:?}"));
    assert_eq!(request.status, Some(201), "{request:?}");
    request.feedback().expect("the body is a feedback payload")
}

/// Waits (without polling) until the collector has received `count` requests in all.
async fn received(
    collector: &Collector,
    count: usize,
) -> Vec<patchwork_runtime::testing::RecordedRequest> {
    collector
        .wait_for_requests(count, STEP_TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("the collector did not receive {count} requests: {e}"))
}

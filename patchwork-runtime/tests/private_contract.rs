//! The `__private` contract the macro's generated code calls.
#![cfg(feature = "test-util")]

mod common;

use common::marker;
use patchwork_runtime::__private::{
    CallContext, FeedbackConfig, dispatch, handle_call, handle_call_with, tool_definition,
};
use patchwork_runtime::collector::Collector;
use patchwork_runtime::{TOOL_DESCRIPTION, TOOL_INPUT_SCHEMA_JSON, capture_unsent};
use serde_json::json;

static CONFIG: FeedbackConfig = FeedbackConfig {
    tool_name: "report_gap",
    server_slug: Some("attr-slug"),
    base_url: Some("http://127.0.0.1:9"),
    api_key_env: Some("PATCHWORK_TEST_KEY_THAT_IS_NEVER_SET"),
    server_tools: &["search", "fetch"],
};

#[test]
fn tool_definition_is_mcp_tools_list_json() {
    let definition = tool_definition(&CONFIG, TOOL_DESCRIPTION, TOOL_INPUT_SCHEMA_JSON);
    let value = definition.to_json();
    assert_eq!(value["name"], "report_gap");
    assert_eq!(value["inputSchema"]["required"][1], "what_i_tried");
    assert_eq!(value["annotations"]["openWorldHint"], true);
    assert_eq!(value["annotations"]["readOnlyHint"], false);
    let broken = tool_definition(&CONFIG, TOOL_DESCRIPTION, "{not json");
    assert_eq!(broken.input_schema, patchwork_runtime::tool_input_schema());
}

#[tokio::test]
async fn bad_arguments_reply_is_error_telling_what_to_fix() {
    let reply = handle_call(
        &CONFIG,
        &json!({"what_i_needed": ""}),
        CallContext::default(),
    )
    .await;
    assert!(reply.is_error);
    assert!(
        reply.text.contains("`what_i_needed` is empty"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("`what_i_tried` is missing"),
        "{}",
        reply.text
    );
    assert_eq!(reply.to_json()["isError"], true);
}

#[tokio::test]
async fn dispatch_only_answers_its_own_tool_name() {
    assert!(dispatch(&CONFIG, "search", &json!({})).await.is_none());
    let reply = dispatch(&CONFIG, "report_gap", &json!(null)).await.unwrap();
    assert!(reply.is_error);
}

#[tokio::test]
async fn good_arguments_are_delivered_with_server_facts_filled_in() {
    let collector = Collector::start().unwrap();
    let mark = marker("private");
    let context = CallContext {
        client_type: Some("claude-code/2.0.1".into()),
        tools_available: None,
    };
    let args = json!({"what_i_needed": mark, "what_i_tried": "search", "gap_type": "wrong_format"});
    let reply = handle_call_with(&CONFIG, &args, context, Some(&collector.options(""))).await;
    assert!(!reply.is_error, "{}", reply.text);
    assert!(reply.text.starts_with("Thank you"));
    let sent = collector.feedback().pop().unwrap();
    assert_eq!(
        sent.server_slug, "attr-slug",
        "the attribute's slug wins over an empty override"
    );
    assert_eq!(sent.client_type, "claude-code/2.0.1");
    assert_eq!(sent.tools_available, ["search", "fetch"]);
    assert_eq!(sent.what_i_needed, mark);
}

#[tokio::test]
async fn undeliverable_feedback_is_not_an_error_and_is_kept() {
    let capture = capture_unsent();
    let mark = marker("nokey-private");
    // CONFIG's api_key_env names a variable that is never set: no key.
    let args = json!({"what_i_needed": mark, "what_i_tried": "x", "gap_type": "other"});
    let reply = handle_call(&CONFIG, &args, CallContext::default()).await;
    assert!(!reply.is_error, "the agent must not retry: {}", reply.text);
    let records = common::unsent_with(capture.records(), &mark);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason, "missing_api_key");
}

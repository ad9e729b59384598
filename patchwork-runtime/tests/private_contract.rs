//! The `__private` contract the macro's generated code calls.
#![cfg(feature = "test-util")]

mod common;

use common::marker;
use std::sync::OnceLock;
use std::time::Duration;

use patchwork_runtime::__private::{
    CallContext, Delivery, FeedbackConfig, dispatch, handle_call, handle_call_with, tool_definition,
};
use patchwork_runtime::collector::Collector;
use patchwork_runtime::outbox::OutboxSetting;
use patchwork_runtime::reporter::{self, IDEMPOTENCY_KEY_HEADER, Reporter, ReporterConfig};
use patchwork_runtime::{TOOL_DESCRIPTION, TOOL_INPUT_SCHEMA_JSON, capture_unsent};
use serde_json::json;

/// The awaiting mode: the reply comes after delivery (the reference behaviour).
static CONFIG: FeedbackConfig = FeedbackConfig {
    tool_name: "report_gap",
    server_slug: Some("attr-slug"),
    base_url: Some("http://127.0.0.1:9"),
    api_key_env: Some("PATCHWORK_TEST_KEY_THAT_IS_NEVER_SET"),
    server_tools: &["search", "fetch"],
    delivery: Delivery::Await,
};

/// The default mode: recorded, replied to, delivered by the global reporter.
static BACKGROUND: FeedbackConfig = FeedbackConfig {
    delivery: Delivery::Background,
    ..CONFIG
};

/// The global reporter with its outbox in this binary's own temporary directory, never the user's.
fn isolated_global_reporter() -> &'static Reporter {
    static OUTBOX: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = OUTBOX.get_or_init(|| tempfile::tempdir().expect("a temporary outbox"));
    let config = ReporterConfig {
        outbox: OutboxSetting::Dir(dir.path().to_path_buf()),
        ..ReporterConfig::default()
    };
    reporter::init_global(config).unwrap_or_else(|already| already)
}

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
async fn background_mode_replies_once_recorded_and_the_reporter_delivers() {
    let global = isolated_global_reporter();
    let collector = Collector::start().unwrap();
    let mark = marker("background");
    let args = json!({"what_i_needed": mark, "what_i_tried": "search", "gap_type": "other"});
    let reply = handle_call_with(
        &BACKGROUND,
        &args,
        CallContext::default(),
        Some(&collector.options("")),
    )
    .await;
    assert!(!reply.is_error, "{}", reply.text);
    assert!(
        reply.text.contains("saved and is queued for delivery"),
        "the reply says it is recorded, not delivered: {}",
        reply.text
    );
    let requests = collector
        .wait_for_requests(1, Duration::from_secs(60))
        .await
        .expect("the reporter delivers it");
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].header(IDEMPOTENCY_KEY_HEADER).is_some());
    let sent = requests[0].feedback().expect("a feedback body");
    assert_eq!(sent.what_i_needed, mark);
    assert_eq!(sent.server_slug, "attr-slug");
    assert_eq!(sent.tools_available, ["search", "fetch"]);
    assert!(global.flush(Duration::from_secs(60)).await.settled());
    let outbox = global.outbox().expect("the temporary outbox is writable");
    assert!(
        outbox.pending().expect("list").is_empty(),
        "delivered feedback leaves the outbox"
    );
}

#[tokio::test]
async fn background_mode_without_a_key_says_so_and_keeps_the_line() {
    isolated_global_reporter();
    let capture = capture_unsent();
    let mark = marker("nokey-background");
    let args = json!({"what_i_needed": mark, "what_i_tried": "x", "gap_type": "other"});
    let reply = handle_call(&BACKGROUND, &args, CallContext::default()).await;
    assert!(!reply.is_error, "the agent must not retry: {}", reply.text);
    assert!(
        reply.text.contains("no PatchworkMCP API key"),
        "{}",
        reply.text
    );
    let records = common::unsent_with(capture.records(), &mark);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason, "missing_api_key");
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

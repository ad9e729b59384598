//! The watcher (`rmcp::observe`) with a real rmcp client in process: the client sees exactly what the unwatched
//! server answers, and the collector receives the aggregated gap signals, marked as signals, with their kinds and
//! counts and no argument values; signals off, the error-text opt-in, delivery before the reply, a window that
//! closes by itself.
#![cfg(feature = "rmcp")]

mod common;

use std::time::Duration;

use common::calc::{Calc, connect_as};
use patchwork_runtime::rmcp::observe;
use patchwork_runtime::testing::Collector;
use rmcp::RoleClient;
use rmcp::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientConfig, GetPromptRequestParams,
    ReadResourceRequestParams,
};
use rmcp::service::RunningService;
use serde_json::{Value, json};

async fn connect(server: impl ServerHandler) -> RunningService<RoleClient, ClientConfig> {
    connect_as(server, "watch-test", "1.2.3").await
}

/// Every request of the scenario, and what the client saw for each (result or error, as JSON).
async fn scenario(client: &RunningService<RoleClient, ClientConfig>) -> Vec<Value> {
    let call = |name: &str, arguments: Value| {
        let mut params = CallToolRequestParams::new(name.to_owned());
        if let Value::Object(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        client.call_tool(params)
    };
    let as_json = |result: Result<CallToolResult, rmcp::ServiceError>| match result {
        Ok(result) => serde_json::to_value(result).expect("json"),
        Err(error) => json!({ "error": error.to_string() }),
    };
    let mut seen = vec![json!(client.list_all_tools().await.expect("tools").len())];
    for _ in 0..2 {
        seen.push(as_json(call("search_docs", json!({"q": "x"})).await));
    }
    seen.push(as_json(call("add", json!({"a": 1})).await));
    seen.push(as_json(
        call("add", json!({"a": 1, "b": "seven-secret-value"})).await,
    ));
    for _ in 0..3 {
        seen.push(as_json(call("flaky", json!({})).await));
    }
    seen.push(as_json(call("add", json!({"a": 2, "b": 3})).await));
    let read = client
        .read_resource(ReadResourceRequestParams::new("file:///srv/missing.txt"))
        .await;
    seen.push(json!(read.map_err(|e| e.to_string()).err()));
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("summarise"))
        .await;
    seen.push(json!(prompt.map_err(|e| e.to_string()).err()));
    seen
}

#[tokio::test]
async fn the_client_sees_what_the_unwrapped_server_answers_and_the_collector_gets_each_signal_once_aggregated()
 {
    let collector = Collector::start().expect("collector");
    let patchwork = collector
        .patchwork("calc")
        .no_outbox()
        .signal_window(Duration::from_secs(3600))
        .build();

    let plain = connect(Calc).await;
    let expected = scenario(&plain).await;
    let watched = connect(observe(Calc).with_client(patchwork.clone())).await;
    let seen = scenario(&watched).await;
    assert_eq!(
        seen, expected,
        "the watcher changes nothing the client sees"
    );

    let flushed = patchwork.flush(Duration::from_secs(10)).await;
    assert!(flushed.settled(), "{flushed:?}");
    let requests = collector.requests();
    let mut signals: Vec<(String, String, String)> = requests
        .iter()
        .map(|request| {
            assert_eq!(request.header("Patchwork-Origin"), Some("signal"));
            let payload = request.feedback().expect("a report");
            let kind_and_count = payload
                .what_i_tried
                .strip_prefix("patchwork gap signal ")
                .and_then(|rest| rest.split_once(" from "))
                .map(|(head, _)| head.to_owned())
                .expect("a signal's text");
            (kind_and_count, payload.what_i_needed, payload.client_type)
        })
        .collect();
    signals.sort();
    let bodies: String = requests.iter().map(|r| r.body.to_string()).collect();
    assert!(
        !bodies.contains("seven-secret-value"),
        "never an argument's value"
    );
    assert!(
        !bodies.contains("alice@example.com"),
        "no error text without the opt-in"
    );
    let kinds: Vec<&str> = signals.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "invalid_arguments: 1 call",
            "invalid_arguments: 1 call",
            "prompt_not_found: 1 call",
            "resource_not_found: 1 call",
            "tool_error: 3 calls",
            "unknown_tool: 2 calls",
        ],
        "{signals:#?}"
    );
    let needs: String = signals.iter().map(|(_, need, _)| need.as_str()).collect();
    assert!(needs.contains("`search_docs`"), "{needs}");
    assert!(needs.contains("(missing_field at b)"), "{needs}");
    assert!(
        needs.contains("(invalid_type at b)"),
        "the path from the listed schema: {needs}"
    );
    assert!(needs.contains("`file:///srv/missing.txt`"), "{needs}");
    assert!(needs.contains("`summarise`"), "{needs}");
    assert!(
        signals
            .iter()
            .all(|(_, _, client)| client == "watch-test/1.2.3")
    );
}

/// Calls the `isError` tool once through a server watched by `patchwork`, then reports the window and waits for it.
async fn call_flaky_watched_by(patchwork: &patchwork_runtime::Patchwork) {
    let client = connect(observe(Calc).with_client(patchwork.clone())).await;
    let _ = client
        .call_tool(CallToolRequestParams::new("flaky"))
        .await
        .expect("a tool result");
    assert!(patchwork.flush(Duration::from_secs(10)).await.settled());
}

#[tokio::test]
async fn with_signals_off_nothing_is_sent_and_with_the_opt_in_the_error_text_goes_redacted() {
    let collector = Collector::start().expect("collector");
    let off = collector
        .patchwork("calc")
        .no_outbox()
        .signals(false)
        .build();
    call_flaky_watched_by(&off).await;
    assert!(collector.requests().is_empty());

    let with_text = collector
        .patchwork("calc")
        .no_outbox()
        .signal_error_text(true)
        .build();
    call_flaky_watched_by(&with_text).await;
    let payload = collector.feedback().pop().expect("one signal");
    assert_eq!(payload.suggestion, "upstream said no to [REDACTED:email]");
}

/// On a host that may freeze after the reply, the signals of a request are stored before the watcher answers:
/// when the answer arrives, the outbox already holds the signal (the service never answers, so only the outbox
/// can have it).
#[tokio::test]
async fn with_delivery_before_the_reply_a_signal_is_stored_before_the_answer() {
    let collector = Collector::start().expect("collector");
    collector.never_answer_next(usize::MAX);
    let outbox = tempfile::tempdir().expect("outbox");
    let patchwork = collector
        .patchwork("calc")
        .outbox_dir(outbox.path())
        .signal_window(Duration::from_secs(3600))
        .deliver_before_reply(Duration::from_secs(1))
        .build();
    let client = connect(observe(Calc).with_client(patchwork.clone())).await;
    let pending = || {
        std::fs::read_dir(outbox.path().join("pending"))
            .map(|items| items.count())
            .unwrap_or(0)
    };
    assert_eq!(pending(), 0);
    let _ = client
        .call_tool(CallToolRequestParams::new("no_such_tool"))
        .await;
    assert_eq!(pending(), 1, "stored before the answer");
    let item = std::fs::read_dir(outbox.path().join("pending"))
        .expect("pending")
        .filter_map(Result::ok)
        .map(|entry| std::fs::read_to_string(entry.path()).expect("an item"))
        .next()
        .expect("one item");
    assert!(
        item.contains("no_such_tool") && item.contains("\"origin\":\"signal\""),
        "{item}"
    );
}

/// A window closes by itself after its time, on the client's own runtime: no flush, no guard.
#[tokio::test]
async fn the_window_closes_by_itself_after_its_time() {
    let collector = Collector::start().expect("collector");
    let patchwork = collector
        .patchwork("calc")
        .no_outbox()
        .signal_window(Duration::from_secs(1))
        .build();
    let client = connect(observe(Calc).with_client(patchwork.clone())).await;
    let _ = client
        .call_tool(CallToolRequestParams::new("no_such_tool"))
        .await;
    let delivered = collector
        .wait_for_feedback(1, Duration::from_secs(30))
        .await
        .expect("the window's report arrives without a flush");
    let payload = delivered[0].feedback().expect("a report");
    assert!(
        payload
            .what_i_tried
            .starts_with("patchwork gap signal unknown_tool: 1 call from"),
        "{payload:?}"
    );
}

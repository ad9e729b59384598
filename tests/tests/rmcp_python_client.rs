//! End to end out of process, with an MCP client not written in Rust: the official MCP Python SDK (`mcp` on PyPI,
//! pinned below) drives the `stdio_server` example binary over stdio, once with the `initialize` handshake and
//! once with the stateless 2026-07-28 lifecycle (`server/discover`), while the runtime's local collector stands in for PatchworkMCP.
//!
//! The test prepares what it needs: it builds the example with cargo, and creates `<repo>/.venv` with the pinned
//! SDK when it is missing (`python3 -m venv` + pip from PyPI; `.venv` is git-ignored). Set `PATCHWORK_PYTHON` to
//! use another interpreter that already has the SDK.

use std::process::Command;
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_tests::python::python_with_sdk;
use patchwork_tests::{build_example, repo_root, run_bounded};
use serde_json::{Value, json};

const CLIENT: &str = "patchwork-e2e-python/0.9.1";
/// `legacy`: the `initialize` handshake; `auto`: `server/discover`, which rmcp answers with the stateless
/// 2026-07-28 lifecycle (client name and version then come with each request, not from `initialize`).
const MODES: [&str; 2] = ["legacy", "auto"];

#[test]
fn python_sdk_drives_the_stdio_example() {
    let repo = repo_root();
    let server = build_example("stdio_server");
    let python = python_with_sdk();
    let collector = Collector::start().expect("the local collector starts");
    // The servers' outbox, so the test never touches the user's own.
    let outbox = tempfile::tempdir().expect("a temporary outbox");

    let output = run_bounded(
        Command::new(&python)
            .arg(repo.join("tests/e2e/client.py"))
            .arg(&server)
            .args(MODES)
            .env("PATCHWORKMCP_OUTBOX", outbox.path())
            .env("PATCHWORKMCP_URL", collector.url())
            .env("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY)
            .env("PATCHWORKMCP_SERVER_SLUG", "toolbox-e2e")
            .env("PYTHONUNBUFFERED", "1"),
        Duration::from_secs(300),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "client.py failed ({}):\n{stderr}",
        output.status
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "client.py printed no JSON ({e}):\n{}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(report["client"], CLIENT);

    for mode in MODES {
        let session = &report["modes"][mode];
        check_session(mode, session);
    }
    assert!(
        !stderr.contains("PATCHWORKMCP_UNSENT_FEEDBACK"),
        "everything was delivered:\n{stderr}"
    );

    // One delivery per mode, in order, with what the agent sent and what only the server knows. Delivery runs in
    // the background; the server flushes it before exiting, so it has normally arrived already.
    let arrived = bounded_wait(&collector, MODES.len());
    assert!(
        arrived,
        "the collector did not receive {} feedback requests: {:?}\n{stderr}",
        MODES.len(),
        collector.requests()
    );
    let feedback = collector.feedback();
    assert_eq!(feedback.len(), MODES.len(), "{feedback:?}");
    for (payload, mode) in feedback.iter().zip(MODES) {
        assert_eq!(
            payload.what_i_needed,
            format!("a tool that converts time zones ({mode})")
        );
        assert_eq!(
            payload.server_slug, "toolbox-e2e",
            "slug from the environment"
        );
        assert_eq!(payload.gap_type, patchwork_runtime::GapType::MissingTool);
        assert_eq!(
            payload.client_type, CLIENT,
            "{mode}: the client's name/version, read by the server"
        );
        assert_eq!(
            payload.tools_available,
            ["convert_units", "count_text", "days_between"],
            "{mode}: the server's own tool list"
        );
    }
    for request in collector.requests() {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {}", Collector::DEFAULT_API_KEY).as_str())
        );
    }
}

/// Waits up to a minute for `count` feedback requests (the collector notifies; no polling).
fn bounded_wait(collector: &Collector, count: usize) -> bool {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(collector.wait_for_feedback(count, Duration::from_secs(60)))
        .is_ok()
}

fn check_session(mode: &str, session: &Value) {
    assert!(session.is_object(), "{mode}: no report: {session}");
    let expected_version = if mode == "legacy" {
        "2025-11-25"
    } else {
        "2026-07-28"
    };
    assert_eq!(
        session["protocol_version"], expected_version,
        "{mode}: the lifecycle under test"
    );
    let instructions = session["instructions"].as_str().unwrap_or_default();
    assert!(
        instructions.contains("call the `feedback` tool BEFORE responding"),
        "{mode}: {instructions}"
    );

    let tools = session["tools"].as_array().expect("a tool list");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names,
        ["convert_units", "count_text", "days_between", "feedback"],
        "{mode}"
    );
    let feedback = tools
        .iter()
        .find(|t| t["name"] == "feedback")
        .expect("feedback listed");
    assert_eq!(
        feedback["inputSchema"],
        patchwork_runtime::tool_input_schema(),
        "{mode}"
    );
    assert_eq!(feedback["title"], "Report a limitation", "{mode}");
    assert_eq!(feedback["annotations"]["readOnlyHint"], false, "{mode}");
    assert_eq!(feedback["annotations"]["openWorldHint"], true, "{mode}");

    assert_eq!(
        session["count_text"],
        json!({"is_error": false, "text": "words: 4\nlines: 2\ncharacters: 18\nbytes: 18"}),
        "{mode}: the server's own tool still works"
    );
    assert_eq!(session["good"]["is_error"], false, "{mode}");
    let good = session["good"]["text"].as_str().unwrap_or_default();
    assert!(good.starts_with("Thank you"), "{mode}: {good}");

    assert_eq!(session["bad"]["is_error"], true, "{mode}");
    let bad = session["bad"]["text"].as_str().unwrap_or_default();
    assert!(bad.contains("`what_i_needed` is missing"), "{mode}: {bad}");
    assert!(bad.contains("`resolution` must be one of"), "{mode}: {bad}");
}

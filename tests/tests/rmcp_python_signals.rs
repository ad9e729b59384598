//! Gap signals end to end, with an MCP client not written in Rust: the official MCP Python SDK drives the example
//! servers, which wrap their rmcp server with `patchwork_runtime::rmcp::observe`, over stdio and over streamable
//! HTTP (a session, then the stateless 2026-07-28 lifecycle), while the runtime's local collector stands in for PatchworkMCP. The client calls a tool the server does
//! not offer, a tool with a missing argument and with one of the wrong type, and a tool that answers isError; it
//! gets the toolbox's own answers (rmcp's errors and argument errors, the tool's error; `glue/observe/tests.rs`
//! compares watched and unwatched answers exactly), and when the server exits (stdin EOF; SIGTERM) the collector has
//! the aggregated signals, each once, with its kind and count, marked `Patchwork-Origin: signal`, and never an
//! argument's value.

use std::process::Command;
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_tests::http_example::{deliver_to, start_http_example};
use patchwork_tests::python::python_with_sdk;
use patchwork_tests::{build_example, repo_root, run_bounded};
use serde_json::Value;

const CLIENT: &str = "patchwork-e2e-python-signals/0.9.3";
const FEEDBACK_PATH: &str = "/api/v1/feedback/";
/// Generous bounds for a loaded 2-core machine; only reached when something is broken.
const LIMIT: Duration = Duration::from_secs(300);

/// The signals one run of the client's calls stands for: (kind, calls, what the report says was needed). The
/// feedback tool's refusal of an incomplete report is none of them.
const EXPECTED: [(&str, usize, &str); 4] = [
    (
        "invalid_arguments",
        1,
        "The tool `convert_units` to accept the arguments agents sent: it refused them (invalid_type at value).",
    ),
    (
        "invalid_arguments",
        1,
        "The tool `convert_units` to accept the arguments agents sent: it refused them (missing_field at to).",
    ),
    (
        "tool_error",
        3,
        "The tool `convert_units` to succeed: it answered isError.",
    ),
    (
        "unknown_tool",
        2,
        "A tool named `translate_text`: agents called it, and this server does not offer it.",
    ),
];

#[test]
fn python_sdk_mistakes_over_stdio_reach_the_collector_as_aggregated_signals() {
    let server = build_example("stdio_server");
    let collector = Collector::start().expect("the local collector starts");
    let outbox = tempfile::tempdir().expect("a temporary outbox");
    let mut client = Command::new(python_with_sdk());
    client
        .arg(repo_root().join("tests/e2e/signals_client.py"))
        .arg("stdio")
        .arg(&server)
        .env("PYTHONUNBUFFERED", "1");
    let output = run_bounded(
        deliver_to(&mut client, &collector, outbox.path(), "toolbox-signals"),
        LIMIT,
    );
    let report = client_report(&output);
    check_client_saw_the_servers_own_answers(&report, &["legacy"]);
    // The server exited on stdin EOF when the client closed: its guard closed the window and flushed.
    check_signals(&collector, 1);
}

#[test]
fn python_sdk_mistakes_over_streamable_http_reach_the_collector_as_aggregated_signals() {
    let collector = Collector::start().expect("the local collector starts");
    let outbox = tempfile::tempdir().expect("a temporary outbox");
    let server = start_http_example(&collector, outbox.path(), "toolbox-signals", LIMIT);
    let url = server.url.clone();
    let output = run_bounded(
        Command::new(python_with_sdk())
            .arg(repo_root().join("tests/e2e/signals_client.py"))
            .arg("http")
            .arg(&url)
            .args(["legacy", "auto"])
            .env("PYTHONUNBUFFERED", "1"),
        LIMIT,
    );
    let report = client_report(&output);
    check_client_saw_the_servers_own_answers(&report, &["legacy", "auto"]);
    // SIGTERM: graceful shutdown, then the guard closes the window and flushes.
    let _ = server.terminate(LIMIT);
    // The session's and the stateless client's calls in one window: each count doubled.
    check_signals(&collector, 2);
}

fn client_report(output: &std::process::Output) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "signals_client.py failed ({}):\n{stderr}",
        output.status
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "signals_client.py printed no JSON ({e}):\n{}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(report["client"], CLIENT);
    report
}

/// What the client saw is what the toolbox answers unwatched: rmcp's errors, its argument errors, the tool's own
/// error, and the good call's answer.
fn check_client_saw_the_servers_own_answers(report: &Value, modes: &[&str]) {
    for mode in modes {
        check_run(&report["runs"][*mode]);
    }
}

fn check_run(run: &Value) {
    let calls = run["calls"].as_array().expect("calls");
    let texts: Vec<String> = calls
        .iter()
        .map(|call| match &call["error"] {
            Value::String(error) => format!("error: {error}"),
            _ => format!(
                "is_error={}: {}",
                call["is_error"],
                call["text"].as_str().unwrap_or_default()
            ),
        })
        .collect();
    assert!(
        texts[0].starts_with("error: ") && texts[0].contains("tool not found"),
        "{texts:#?}"
    );
    assert_eq!(texts[0], texts[1]);
    assert!(
        texts[2].starts_with("is_error=true: failed to deserialize parameters: missing field `to`"),
        "{texts:#?}"
    );
    assert!(
        texts[3].starts_with("is_error=true: failed to deserialize parameters: invalid type"),
        "{texts:#?}"
    );
    for text in &texts[4..7] {
        assert!(
            text.starts_with("is_error=true: ") && text.contains("kg"),
            "{texts:#?}"
        );
    }
    assert!(
        texts[7].starts_with("is_error=false: 5 km = 3.1"),
        "{texts:#?}"
    );
    assert!(
        texts[8].starts_with("is_error=true: ") && texts[8].contains("what_i_needed"),
        "the feedback tool refuses an incomplete report: {texts:#?}"
    );
}

fn check_signals(collector: &Collector, runs: usize) {
    let requests: Vec<_> = collector
        .requests()
        .into_iter()
        .filter(|request| request.path == FEEDBACK_PATH)
        .collect();
    let mut signals: Vec<(String, String)> = requests
        .iter()
        .map(|request| {
            assert_eq!(
                request.header("Patchwork-Origin"),
                Some("signal"),
                "{request:?}"
            );
            let payload = request
                .feedback()
                .expect("a report in the contract's schema");
            assert_eq!(payload.server_slug, "toolbox-signals");
            assert_eq!(
                payload.client_type, CLIENT,
                "the client's declared name, never a placeholder"
            );
            let head = payload
                .what_i_tried
                .strip_prefix("patchwork gap signal ")
                .and_then(|rest| rest.split_once(" from "))
                .map(|(head, _)| head.to_owned())
                .unwrap_or_else(|| panic!("a signal's text: {payload:?}"));
            (head, payload.what_i_needed)
        })
        .collect();
    signals.sort();
    let expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(kind, calls, need)| {
            let calls = calls * runs;
            let noun = if calls == 1 { "call" } else { "calls" };
            (format!("{kind}: {calls} {noun}"), (*need).to_owned())
        })
        .collect();
    assert_eq!(signals, expected);
    let bodies: String = requests.iter().map(|r| r.body.to_string()).collect();
    assert!(
        !bodies.contains("three-point-two-secret"),
        "never an argument's value"
    );
}

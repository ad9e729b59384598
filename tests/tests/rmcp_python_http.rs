//! End to end over streamable HTTP, with an MCP client not written in Rust: the official MCP Python SDK drives
//! the `http_server` example (rmcp's streamable HTTP transport on axum) as a separate process, while the
//! runtime's local collector stands in for PatchworkMCP.
//!
//! Three sessions send identical feedback, as agents of three users hitting the same gap would: each is its own
//! report, with its own transport session, never merged as repeats of one another. A client with the stateless
//! 2026-07-28 lifecycle (no session) works too, and is identified by its declared name and version. The server
//! stops on SIGTERM and flushes what is in flight first.
//!
//! Prepares what it needs like `rmcp_python_client.rs`: builds the example, and the pinned SDK in `<repo>/.venv`.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_tests::http_example::start_http_example;
use patchwork_tests::python::python_with_sdk;
use patchwork_tests::{pending_files, repo_root, run_bounded};
use serde_json::Value;

const CLIENT: &str = "patchwork-e2e-python-http/0.9.2";
const SESSIONS: usize = 3;
const SLUG: &str = "toolbox-http";
/// Generous bounds for a loaded 2-core machine; only reached when something is broken.
const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn python_sdk_sessions_over_streamable_http_are_reported_apart_and_sigterm_flushes() {
    let python = python_with_sdk();
    let collector = Collector::start().expect("the local collector starts");
    // Deliveries take a moment, so some are still in flight when SIGTERM arrives: the server must flush them.
    collector.set_delay(Duration::from_millis(300));
    let outbox = tempfile::tempdir().expect("a temporary outbox");

    let server = start_http_example(&collector, outbox.path(), SLUG, LIMIT);
    let url = server.url.clone();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp") && !url.contains(":0/"),
        "the bound port, not 0: {url}"
    );

    let output = run_bounded(
        Command::new(&python)
            .arg(repo_root().join("tests/e2e/http_client.py"))
            .arg(&url)
            .arg(SESSIONS.to_string())
            .env("PYTHONUNBUFFERED", "1"),
        Duration::from_secs(300),
    );
    let client_stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "http_client.py failed ({}):\n{client_stderr}\nserver:\n{}",
        output.status,
        server.stderr.text()
    );
    // SIGTERM at once, while deliveries are still on their way (each answer takes 300 ms).
    let server_log = server.terminate(LIMIT);

    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "http_client.py printed no JSON ({e}):\n{}\n{client_stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let sessions = report["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), SESSIONS);
    for (n, session) in sessions.iter().enumerate() {
        assert_eq!(session["protocol_version"], "2025-11-25", "session {n}");
        assert_eq!(session["is_error"], false, "session {n}: {session}");
        let text = session["text"].as_str().unwrap_or_default();
        assert!(text.starts_with("Thank you"), "session {n}: {text}");
        assert!(
            !text.contains("already recorded"),
            "session {n} is told about reports it never sent: {text}"
        );
    }
    let stateless = &report["stateless"];
    assert_eq!(stateless["protocol_version"], "2026-07-28", "{stateless}");
    assert_eq!(
        stateless["tools"],
        serde_json::json!(["convert_units", "count_text", "days_between", "feedback"])
    );
    assert_eq!(stateless["count_text"]["is_error"], false, "{stateless}");
    assert_eq!(stateless["good"]["is_error"], false, "{stateless}");
    assert_eq!(stateless["bad"]["is_error"], true, "{stateless}");

    // Everything was delivered before the server exited: nothing is left in the outbox.
    let left = pending_files(outbox.path());
    assert!(
        left.is_empty(),
        "SIGTERM left feedback undelivered: {left:?}\n{server_log}"
    );
    let feedback = collector.feedback();
    assert_eq!(
        feedback.len(),
        SESSIONS + 1,
        "one report per session and one from the stateless client: {feedback:?}"
    );
    let (same, other): (Vec<_>, Vec<_>) = feedback
        .iter()
        .partition(|f| f.what_i_needed == "a tool that converts time zones");
    assert_eq!(
        same.len(),
        SESSIONS,
        "identical feedback is never merged across sessions"
    );
    let session_ids: BTreeSet<&str> = same.iter().map(|f| f.session_id.as_str()).collect();
    assert_eq!(
        session_ids.len(),
        SESSIONS,
        "each report carries its own transport session: {session_ids:?}"
    );
    assert!(
        session_ids.iter().all(|id| !id.is_empty()),
        "{session_ids:?}"
    );
    for report in &feedback {
        assert_eq!(
            report.client_type, CLIENT,
            "the client's declared name/version"
        );
        assert_eq!(report.server_slug, SLUG);
        assert_eq!(
            report.tools_available,
            ["convert_units", "count_text", "days_between"]
        );
    }
    assert_eq!(other[0].what_i_needed, "a tool that converts currencies");
    assert_eq!(
        other[0].session_id, "",
        "a stateless request has no transport session"
    );
    for request in collector.requests() {
        if request.path == "/api/v1/feedback/" {
            assert_eq!(
                request.header("patchwork-repeat-count"),
                None,
                "{request:?}"
            );
        }
    }
}

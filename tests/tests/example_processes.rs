//! The `stdio_server` example run as real child processes, the way MCP clients start servers on a laptop, a CI
//! runner or a container: configured by its environment only, started and stopped through stdio.
//!
//! - Two servers with different API keys share one outbox: each delivers only what it accepted, under its own
//!   key; the other's feedback waits for its owner.
//! - A restarted server delivers what an earlier run left, at start, without any feedback call.
//! - On stdin EOF the server exits within the 2 s the MCP Python SDK waits before it sends SIGTERM, even while
//!   the service is down (what is not delivered stays in the outbox).
//! - With an outbox that cannot be written (a read-only disk), the reply promises no more than happened, the
//!   feedback is written to stderr at once as a replayable line, and it is still delivered.

mod fault_common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use fault_common::{collector_where, refusing_addr};
use patchwork_runtime::testing::Collector;
use patchwork_tests::stdio::{StdioClient, text_of};
use patchwork_tests::watch::StderrWatch;
use patchwork_tests::{build_example, pending_files};
use serde_json::{Value, json};
use tokio::process::Command;

/// Generous bound for a loaded 2-core machine; only reached when something is broken.
const LIMIT: Duration = Duration::from_secs(120);
/// How long the MCP Python SDK waits after closing a stdio server's stdin before it sends SIGTERM.
const CLIENT_GRACE: Duration = Duration::from_secs(2);

/// The example as a child server of `slug` with `key`, delivering to `url` with its outbox in `outbox`.
fn server(outbox: &Path, url: &str, key: &str, slug: &str) -> Command {
    let mut command = Command::new(build_example("stdio_server"));
    command
        .env("PATCHWORKMCP_OUTBOX", outbox)
        .env("PATCHWORKMCP_URL", url)
        .env("PATCHWORKMCP_API_KEY", key)
        .env("PATCHWORKMCP_SERVER_SLUG", slug)
        .env_remove("PATCHWORKMCP_MODE")
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped());
    command
}

async fn start(command: Command) -> (StdioClient, StderrWatch) {
    let (mut client, _) = StdioClient::start(command, "process-test").await;
    let stderr = StderrWatch::of_tokio(client.take_stderr().expect("stderr is piped"));
    (client, stderr)
}

fn feedback(what: &str) -> Value {
    json!({
        "what_i_needed": what,
        "what_i_tried": "convert_units, which has no time zones",
        "gap_type": "missing_tool",
        "resolution": "blocked"
    })
}

#[tokio::test]
async fn two_keys_on_one_outbox_each_deliver_their_own_and_a_restart_drains_without_a_call() {
    let outbox = tempfile::tempdir().expect("a shared outbox");
    // The service is down while server B accepts its feedback.
    let (refusing, addr) = refusing_addr();
    let url = format!("http://{addr}");

    let (mut b, b_log) = start(server(outbox.path(), &url, "key-b", "team-b")).await;
    let reply = b.call_tool("feedback", feedback("b's gap")).await;
    assert_eq!(reply["isError"], false, "{reply}");
    assert!(text_of(&reply).contains("queued for delivery"), "{reply}");
    let (status, _) = b.close().await;
    assert!(status.success(), "{status}\n{}", b_log.text());
    assert_eq!(
        pending_files(outbox.path()).len(),
        1,
        "b's feedback waits in the outbox"
    );

    // The service is back; server A, with another key, starts on the same outbox and gets no feedback call.
    let collector = collector_where(refusing, Collector::builder().any_api_key());
    let (a, a_log) = start(server(outbox.path(), &url, "key-a", "team-a")).await;
    let note = a_log.wait_for("left_for_other_keys=1", LIMIT);
    assert!(note.contains("items=0"), "a claims nothing: {note}");
    // A's heartbeat, sent from the same start-up call, under its own key and slug.
    let first = collector
        .wait_for_requests(1, LIMIT)
        .await
        .expect("a's heartbeat");
    assert_eq!(first[0].path, "/api/v1/heartbeat/", "{first:?}");
    assert_eq!(first[0].header("authorization"), Some("Bearer key-a"));
    assert_eq!(first[0].body["server_slug"], "team-a");
    a.finish().await;
    let sent: Vec<_> = collector
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/feedback/")
        .collect();
    assert!(
        sent.is_empty(),
        "a sent feedback it did not accept: {sent:?}"
    );
    assert_eq!(
        pending_files(outbox.path()).len(),
        1,
        "b's feedback is left for b"
    );

    // B restarts and, without any feedback call, delivers what it left, under its own key.
    let (b, b_log) = start(server(outbox.path(), &url, "key-b", "team-b")).await;
    let delivered = collector
        .wait_for_feedback(1, LIMIT)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "b's restart did not drain its item: {e:?}\n{}",
                b_log.text()
            )
        });
    // And b's heartbeat: a's, b's and b's feedback make three requests.
    let all = collector
        .wait_for_requests(3, LIMIT)
        .await
        .expect("b's heartbeat");
    b.finish().await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    let request = &delivered[0];
    assert_eq!(request.header("authorization"), Some("Bearer key-b"));
    assert_eq!(request.body["server_slug"], "team-b");
    assert_eq!(request.body["what_i_needed"], "b's gap");
    assert_eq!(request.status, Some(201));
    assert!(pending_files(outbox.path()).is_empty());
    let b_beat = all
        .iter()
        .find(|r| {
            r.path == "/api/v1/heartbeat/" && r.header("authorization") == Some("Bearer key-b")
        })
        .unwrap_or_else(|| panic!("b's heartbeat: {all:?}"));
    assert_eq!(b_beat.body["server_slug"], "team-b");
    assert_eq!(
        b_beat.body["tool_names"],
        json!(["convert_units", "count_text", "days_between", "feedback"])
    );
}

#[tokio::test]
async fn on_stdin_eof_the_server_exits_within_the_clients_grace_period_while_the_service_is_down() {
    let outbox = tempfile::tempdir().expect("an outbox");
    let (_refusing, addr) = refusing_addr();
    let (mut client, log) = start(server(
        outbox.path(),
        &format!("http://{addr}"),
        "key",
        "quick-exit",
    ))
    .await;
    let reply = client.call_tool("feedback", feedback("exit quickly")).await;
    assert_eq!(reply["isError"], false, "{reply}");
    let (status, took) = client.close().await;
    assert!(status.success(), "{status}\n{}", log.text());
    assert!(
        took < CLIENT_GRACE,
        "stdin EOF with the service down took {took:?} to exit; clients send SIGTERM after {CLIENT_GRACE:?}"
    );
    assert_eq!(
        pending_files(outbox.path()).len(),
        1,
        "what was not delivered stays in the outbox"
    );
}

#[tokio::test]
async fn an_unwritable_outbox_never_promises_more_than_happened() {
    let collector = Collector::start().expect("collector");
    let dir = tempfile::tempdir().expect("tempdir");
    // A path below a plain file cannot become a directory, for any user (root included): the same failure as
    // a read-only root filesystem.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"").expect("a plain file");
    let outbox = blocker.join("outbox");

    let (mut client, log) = start(server(
        &outbox,
        &collector.url(),
        Collector::DEFAULT_API_KEY,
        "read-only",
    ))
    .await;
    log.wait_for("feedback outbox not writable", LIMIT);
    let reply = client
        .call_tool("feedback", feedback("read-only gap"))
        .await;
    assert_eq!(reply["isError"], false, "{reply}");
    let text = text_of(&reply);
    assert!(
        text.contains("while the server keeps running") && !text.contains("saved"),
        "nothing was saved to disk, and the reply says so: {text}"
    );
    // Kept at once where the operator's logs keep it, so not even a crash can lose it.
    let line = log.wait_for("PATCHWORKMCP_UNSENT_FEEDBACK reason=", LIMIT);
    assert!(line.contains("read-only gap"), "{line}");
    let delivered = collector
        .wait_for_feedback(1, LIMIT)
        .await
        .expect("still delivered while the server runs");
    client.finish().await;
    assert_eq!(delivered[0].body["what_i_needed"], "read-only gap");
    assert!(!outbox.exists());
}

#[tokio::test]
async fn with_the_mode_off_the_feedback_tool_is_not_offered() {
    let collector = Collector::start().expect("collector");
    let outbox = tempfile::tempdir().expect("an outbox");
    let mut command = server(
        outbox.path(),
        &collector.url(),
        Collector::DEFAULT_API_KEY,
        "off",
    );
    command.env("PATCHWORKMCP_MODE", "off");
    let (mut client, initialized) = StdioClient::start(command, "process-test").await;
    let log = StderrWatch::of_tokio(client.take_stderr().expect("stderr is piped"));
    // The server's own text only: agents are not told to call a tool that is not offered.
    assert_eq!(
        initialized["instructions"],
        "Everyday helpers: count words and lines in a text, convert between units, and count the days between two \
         dates.",
    );
    let listed = client.request("tools/list", json!({})).await;
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["convert_units", "count_text", "days_between"],
        "{}",
        log.text()
    );
    // A client that calls it anyway gets an honest answer, not "tool not found".
    let result = client.call_tool("feedback", feedback("off gap")).await;
    assert_eq!(result["isError"], false, "{result}");
    assert!(
        text_of(&result).starts_with("Feedback is turned off on this server"),
        "{result}"
    );
    client.finish().await;
    assert!(
        collector.requests().is_empty(),
        "off sends nothing, not even a heartbeat"
    );
    assert!(pending_files(outbox.path()).is_empty());
}

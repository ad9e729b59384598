//! A JSON-RPC client for an MCP server run as a child process over stdio, written the way an MCP client speaks:
//! newline-delimited JSON-RPC 2.0, the `initialize` handshake, then requests answered in order.

use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// Generous bound for one response on a loaded 2-core machine; only reached when something is broken.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// A JSON-RPC client speaking to a server process.
pub struct StdioClient {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

impl StdioClient {
    /// Starts `command` (its stdin and stdout become pipes; stderr is as the caller set it, inherited by
    /// default), performs the `initialize` handshake as `client_name` 1.0.0, and returns the client and the
    /// `initialize` result.
    pub async fn start(mut command: Command, client_name: &str) -> (Self, Value) {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut client = Self {
            child,
            stdin,
            stdout,
            next_id: 1,
        };
        let initialized = client
            .request(
                "initialize",
                json!({
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": { "name": client_name, "version": "1.0.0" }
                }),
            )
            .await;
        client
            .send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
            .await;
        (client, initialized)
    }

    /// The server's stderr, when the command piped it.
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.child.stderr.take()
    }

    async fn send(&mut self, message: Value) {
        let line = format!("{message}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("write to the server");
        self.stdin.flush().await.expect("flush to the server");
    }

    /// Sends a request and returns its `result` (panics on a JSON-RPC error or no answer in time).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        let line = tokio::time::timeout(RESPONSE_TIMEOUT, self.stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("no answer to `{method}` in {RESPONSE_TIMEOUT:?}"))
            .expect("read from the server")
            .unwrap_or_else(|| panic!("the server closed stdout before answering `{method}`"));
        let response: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert_eq!(response["id"], id, "responses come in order: {response}");
        assert!(
            response.get("error").is_none(),
            "`{method}` failed: {response}"
        );
        response["result"].clone()
    }

    /// Calls a tool and returns the tool result.
    pub async fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Closes stdin (what an MCP client does first to stop a stdio server) and waits, bounded, for the server to
    /// exit on its own; returns its status and how long it took after stdin closed.
    pub async fn close(mut self) -> (ExitStatus, Duration) {
        let closed = Instant::now();
        drop(self.stdin);
        let status = tokio::time::timeout(RESPONSE_TIMEOUT, self.child.wait())
            .await
            .expect("the server exits when stdin closes")
            .expect("wait for the server");
        (status, closed.elapsed())
    }

    /// [`close`](Self::close), and the server must exit successfully.
    pub async fn finish(self) {
        let (status, _) = self.close().await;
        assert!(status.success(), "{status}");
    }
}

/// The text of a tool result's first content block.
pub fn text_of(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

//! The `http_server` example as a child process, delivering to a local collector.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use patchwork_runtime::testing::Collector;

use crate::watch::StderrWatch;
use crate::{build_example, wait_bounded};

/// A running `http_server` example, with its stderr watched and the URL it serves.
pub struct HttpExample {
    pub child: Child,
    pub stderr: StderrWatch,
    /// `http://127.0.0.1:<port>/mcp`.
    pub url: String,
}

/// Points `command` at `collector` (its URL and key) under `slug`, with `outbox` as its outbox, and clears the mode,
/// signal and log switches a developer's shell may hold.
pub fn deliver_to<'a>(
    command: &'a mut Command,
    collector: &Collector,
    outbox: &Path,
    slug: &str,
) -> &'a mut Command {
    command
        .env("PATCHWORKMCP_OUTBOX", outbox)
        .env("PATCHWORKMCP_URL", collector.url())
        .env("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY)
        .env("PATCHWORKMCP_SERVER_SLUG", slug)
        .env_remove("PATCHWORKMCP_MODE")
        .env_remove("PATCHWORKMCP_SIGNALS")
        .env_remove("RUST_LOG")
}

/// Builds and starts the `http_server` example on `127.0.0.1:0`, delivering to `collector`, and waits (at most
/// `limit`) until it says where it listens.
pub fn start_http_example(
    collector: &Collector,
    outbox: &Path,
    slug: &str,
    limit: Duration,
) -> HttpExample {
    let server = build_example("http_server");
    let mut command = Command::new(&server);
    command.args(["--bind", "127.0.0.1:0"]);
    let mut child = deliver_to(&mut command, collector, outbox, slug)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the http_server example");
    let stderr = StderrWatch::new(child.stderr.take().expect("stderr"));
    let listening = stderr.wait_for("listening on http://", limit);
    let url = listening
        .split("listening on ")
        .nth(1)
        .expect("the address follows")
        .trim()
        .to_string();
    HttpExample { child, stderr, url }
}

impl HttpExample {
    /// Sends SIGTERM (what container runtimes send) and waits, at most `limit`, for a clean exit: graceful shutdown,
    /// then the guard's flush. Returns what the server wrote to stderr; panics with it when it does not exit cleanly.
    pub fn terminate(self, limit: Duration) -> String {
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(terminated.success());
        let exit = wait_bounded(self.child, limit);
        assert!(
            exit.status.success(),
            "the server exits cleanly on SIGTERM ({}):\n{}",
            exit.status,
            self.stderr.text()
        );
        self.stderr.text()
    }
}

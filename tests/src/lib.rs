//! Shared helpers for patchwork's cross-crate tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The repository's root (the parent of `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

/// Runs `command` to completion (stdin closed, stdout and stderr captured), killing it and panicking if it
/// outlives `limit`, so a hung child fails the test instead of hanging it.
pub fn run_bounded(command: &mut Command, limit: Duration) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    wait_for(child, limit, &format!("{command:?}"))
}

/// Waits for `child` to exit and collects its piped output, killing it and panicking if it outlives `limit`.
pub fn wait_bounded(child: Child, limit: Duration) -> Output {
    let what = format!("child process {}", child.id());
    wait_for(child, limit, &what)
}

fn wait_for(child: Child, limit: Duration, what: &str) -> Output {
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let output = child.wait_with_output();
        let _ = done.send(());
        output
    });
    if finished.recv_timeout(limit).is_err() {
        // Stop the child we started, by its id.
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        panic!("{what} did not finish within {limit:?}");
    }
    waiter
        .join()
        .expect("the waiter thread does not panic")
        .unwrap_or_else(|e| panic!("waiting for {what} failed: {e}"))
}

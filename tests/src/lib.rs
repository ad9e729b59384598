//! Shared helpers for patchwork's cross-crate tests.

pub mod http_example;
pub mod python;
pub mod stdio;
pub mod watch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

use serde_json::Value;

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

/// Builds an example of `patchwork-runtime` with its `rmcp` feature (a no-op when it is fresh; once per test
/// process) and returns the executable's path.
pub fn build_example(name: &str) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    built
        .entry(name.to_string())
        .or_insert_with(|| cargo_build_example(name))
        .clone()
}

fn cargo_build_example(name: &str) -> PathBuf {
    let repo = repo_root();
    let output = run_bounded(
        Command::new(env!("CARGO")).current_dir(&repo).args([
            "build",
            "-p",
            "patchwork-runtime",
            "--example",
            name,
            "--features",
            "rmcp",
            "--message-format=json-render-diagnostics",
        ]),
        Duration::from_secs(1200),
    );
    assert!(
        output.status.success(),
        "building the {name} example failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // cargo reports where the executable is; do not guess the target directory.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo reported no executable for the {name} example"))
}

/// The item files in `<dir>/pending/` (an outbox directory), with the key each file's name gives.
pub fn pending_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let listing = match std::fs::read_dir(dir.join("pending")) {
        Ok(listing) => listing,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(error) => panic!("cannot list {}: {error}", dir.display()),
    };
    listing
        .filter_map(|entry| {
            let path = entry.expect("a directory entry").path();
            let key = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|name| name.strip_suffix(".json"))
                .and_then(|stem| stem.split_once('-'))
                .map(|(_, key)| key.to_string())?;
            Some((path, key))
        })
        .collect()
}

/// What `<dir>/pending/` holds: each item's marker and key. Checks that every item file is whole, that its
/// name's key is the key it holds, and that no feedback is in it twice.
pub fn pending(dir: &Path) -> BTreeMap<String, String> {
    let mut items = BTreeMap::new();
    for (path, name_key) in pending_files(dir) {
        let name = path.display();
        let text = std::fs::read_to_string(&path).expect("read an outbox item");
        let item: serde_json::Value = serde_json::from_str(text.trim_end())
            .unwrap_or_else(|e| panic!("outbox item {name} is not whole ({e}): {text:?}"));
        assert_eq!(item["key"], name_key.as_str(), "{name}: {item}");
        let marker = item["payload"]["what_i_needed"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} holds no feedback: {item}"))
            .to_string();
        let earlier = items.insert(marker.clone(), name_key);
        assert!(earlier.is_none(), "{marker:?} is pending twice");
    }
    items
}

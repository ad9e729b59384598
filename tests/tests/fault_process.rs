//! Fault suite, process side: a server killed right after replying, and two server processes
//! sharing one outbox. The children are this test binary run again with an `#[ignore]`d helper
//! test selected, so they are real separate processes with their own reporters.

mod fault_common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use fault_common::*;
use patchwork_runtime::collector::Collector;
use patchwork_runtime::outbox::{Outbox, OutboxItem, OutboxLimits};
use patchwork_runtime::reporter::{Reporter, Submitted};

const CHILD_OUTBOX: &str = "PATCHWORK_FAULT_CHILD_OUTBOX";
const CHILD_URL: &str = "PATCHWORK_FAULT_CHILD_URL";

fn child(test: &str, outbox: &std::path::Path, url: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command
        .args([
            "--ignored",
            "--exact",
            test,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_OUTBOX, outbox)
        .env(CHILD_URL, url)
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// The rest of `line` after `marker` (libtest may print its own text before a child's line).
fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|at| line[at + marker.len()..].trim())
}

fn child_env() -> Option<(std::path::PathBuf, String)> {
    Some((
        std::env::var_os(CHILD_OUTBOX)?.into(),
        std::env::var(CHILD_URL).ok()?,
    ))
}

/// Child: records one feedback, says so on stdout with its key, then waits to be killed.
#[tokio::test]
#[ignore = "helper: runs only as a child process of another test"]
async fn child_records_then_waits_to_be_killed() {
    let Some((outbox, url)) = child_env() else {
        return;
    };
    let reporter = Reporter::start(fast_config(&outbox));
    let submitted = reporter
        .submit(&payload("killed mid-delivery"), &options_at(&url))
        .await;
    let Submitted::Recorded { key, durable: true } = submitted else {
        panic!("not recorded durably: {submitted:?}");
    };
    // This is the moment the agent would get its reply.
    println!("RECORDED {key}");
    // Bounded: the parent kills us long before.
    tokio::time::sleep(Duration::from_secs(120)).await;
}

/// Child: drains the shared outbox until it is empty (bounded).
#[tokio::test]
#[ignore = "helper: runs only as a child process of another test"]
async fn child_drains_the_shared_outbox() {
    let Some((outbox, url)) = child_env() else {
        return;
    };
    let reporter = Reporter::start(fast_config(&outbox));
    reporter.register(&options_at(&url));
    let view = Outbox::open(&outbox, OutboxLimits::default()).expect("outbox");
    for _ in 0..1200 {
        if view.pending().expect("list").is_empty() && reporter.in_flight() == 0 {
            println!("DRAINED delivered={}", reporter.stats().delivered);
            return;
        }
        // Poll the shared directory (another process changes it); each wait is short.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("outbox not drained in time");
}

#[tokio::test]
async fn sigkill_right_after_the_reply_then_restart_delivers_it_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    // The child's own attempt hangs, so it cannot deliver before it dies.
    collector.never_answer_next(1);
    let mut process = child(
        "child_records_then_waits_to_be_killed",
        dir.path(),
        &collector.url(),
    )
    .stdout(Stdio::piped())
    .spawn()
    .expect("spawn child server");
    let stdout = process.stdout.take().expect("child stdout");
    let key = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take(200)
        .find_map(|line| after(&line, "RECORDED ").map(str::to_string))
        .expect("the child replied");
    process.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    let status = process.wait().expect("reap");
    assert!(!status.success());

    let pending = pending_keys(dir.path());
    assert!(
        pending.contains(&key),
        "the killed process's feedback is in the outbox"
    );

    // The next run of the server drains it.
    let reporter = Reporter::start(fast_config(dir.path()));
    reporter.register(&options_at(&collector.url()));
    // Two requests: the dead child's hung one (or, if it died before sending, the restarted
    // run's first, which hangs until its timeout), then the restarted run's.
    collector
        .wait_for_requests(2, WAIT)
        .await
        .expect("the restarted run sends it");
    assert!(reporter.flush(WAIT).await.settled());
    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.get(&key), Some(&1), "{accepted:?}");
    assert_delivered_once_or_pending(&[key], &accepted, &pending_keys(dir.path()));
}

#[test]
fn two_processes_draining_one_outbox_send_each_feedback_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    collector.set_delay(Duration::from_millis(5));
    let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    let keys: Vec<String> = (0..200)
        .map(|n| {
            let body = serde_json::to_value(payload(&format!("shared {n}"))).expect("json");
            let item = OutboxItem::new(collector.url(), body);
            outbox.append(&item).expect("append");
            item.key.to_string()
        })
        .collect();

    let children: Vec<_> = (0..2)
        .map(|_| {
            child(
                "child_drains_the_shared_outbox",
                dir.path(),
                &collector.url(),
            )
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn child server")
        })
        .collect();
    let mut delivered_by_child = Vec::new();
    for process in children {
        let output = process.wait_with_output().expect("child output");
        assert!(output.status.success(), "a child failed");
        let text = String::from_utf8_lossy(&output.stdout);
        let delivered: u64 = text
            .lines()
            .find_map(|line| after(line, "DRAINED delivered="))
            .and_then(|n| n.trim().parse().ok())
            .expect("child reported");
        delivered_by_child.push(delivered);
    }
    let accepted = accepted_keys(&collector.requests());
    assert_eq!(accepted.len(), 200);
    assert_eq!(
        delivered_by_child.iter().sum::<u64>(),
        200,
        "{delivered_by_child:?}"
    );
    assert_delivered_once_or_pending(&keys, &accepted, &pending_keys(dir.path()));
}

//! Fault suite, process side: a server killed right after replying, and two server processes
//! sharing one outbox. The children are this test binary run again with an `#[ignore]`d helper
//! test selected, so they are real separate processes, each with its own installed client.

mod fault_common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fault_common::*;
use patchwork_runtime::Outcome;
use patchwork_runtime::testing::Collector;
use patchwork_tests::wait_bounded;

const CHILD_OUTBOX: &str = "PATCHWORK_FAULT_CHILD_OUTBOX";
const CHILD_URL: &str = "PATCHWORK_FAULT_CHILD_URL";
const KILLED_MARKER: &str = "killed mid-delivery";

/// A child server running `test`, configured through its environment; its stdin is a pipe the parent
/// closes (or never closes, for a child that is killed).
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
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
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

/// Resolves when this process's stdin is closed (or fails). Read on a plain thread, so a child that
/// gives up waiting is not held back at exit by a blocked read.
async fn stdin_closed() {
    let (closed, on_close) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    let _ = on_close.await;
}

/// Child: records one feedback, says so on stdout, then waits to be killed.
#[tokio::test]
#[ignore = "helper: runs only as a child process of another test"]
async fn child_records_then_waits_to_be_killed() {
    // Run by hand (`--ignored`) it has nothing to do: fail rather than pass having done nothing.
    let (outbox, url) = child_env().expect(
        "a helper of the parent tests in this file: run it through them, not with --ignored",
    );
    let guard = fast(&url, &outbox).install();
    let outcome = guard.patchwork().enqueue(&payload(KILLED_MARKER)).await;
    assert_eq!(outcome, Outcome::Queued, "not recorded durably");
    // This is the moment the agent would get its reply.
    println!("RECORDED {KILLED_MARKER}");
    // Bounded: the parent kills us long before.
    let _ = tokio::time::timeout(WAIT, stdin_closed()).await;
}

/// Child: drains the shared outbox until the parent closes its stdin (once the collector has
/// received every item), then settles its deliveries and reports how many it made.
#[tokio::test]
#[ignore = "helper: runs only as a child process of another test"]
async fn child_drains_the_shared_outbox() {
    // Run by hand (`--ignored`) it has nothing to do: fail rather than pass having done nothing.
    let (outbox, url) = child_env().expect(
        "a helper of the parent tests in this file: run it through them, not with --ignored",
    );
    // Building the client drains the outbox at once, then every 200 ms.
    let guard = fast(&url, &outbox).install();
    tokio::time::timeout(WAIT, stdin_closed())
        .await
        .expect("the parent says when to stop");
    assert!(guard.patchwork().flush(WAIT).await.settled());
    println!("DRAINED delivered={}", guard.patchwork().stats().delivered);
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
    .spawn()
    .expect("spawn child server");
    let stdout = process.stdout.take().expect("child stdout");
    // The child prints its line or exits within its own bound, ending this read.
    let recorded = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take(200)
        .find_map(|line| after(&line, "RECORDED ").map(str::to_string))
        .expect("the child replied");
    assert_eq!(recorded, KILLED_MARKER);
    process.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    let status = process.wait().expect("reap");
    assert!(!status.success());

    let kept = pending(dir.path());
    assert!(
        kept.contains_key(KILLED_MARKER),
        "the killed process's feedback is in the outbox: {kept:?}"
    );

    // The next run of the server drains it.
    let patchwork = fast(&collector.url(), dir.path()).build();
    // Two requests: the dead child's hung one (or, if it died before sending, the restarted
    // run's first, which hangs until its timeout), then the restarted run's.
    collector
        .wait_for_requests(2, WAIT)
        .await
        .expect("the restarted run sends it");
    assert!(patchwork.flush(WAIT).await.settled());
    let requests = collector.requests();
    let accepted = accepted(&requests);
    assert_eq!(accepted.get(KILLED_MARKER), Some(&1), "{accepted:?}");
    assert_delivered_once_or_pending(
        &[KILLED_MARKER.to_string()],
        &requests,
        &pending(dir.path()),
    );
    // Every attempt, the dead child's and the restarted run's, carried the key stored with it.
    assert_one_key_per_feedback(&requests, &kept);
}

#[test]
fn two_processes_draining_one_outbox_send_each_feedback_once() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    // An earlier run could not reach the service (bound, not listening: connections refused) and
    // left 200 items.
    let (refusing, addr) = refusing_addr();
    let url = format!("http://{addr}");
    let markers: Vec<String> = (0..200).map(|n| format!("shared {n}")).collect();
    let seeded = runtime.block_on(leave_in_outbox(dir.path(), &url, &markers));
    let collector = collector_where(refusing, Collector::builder());
    collector.set_delay(std::time::Duration::from_millis(5));

    let mut children: Vec<_> = (0..2)
        .map(|_| {
            child(
                "child_drains_the_shared_outbox",
                dir.path(),
                &collector.url(),
            )
            .spawn()
            .expect("spawn child server")
        })
        .collect();
    // Both run until the collector has received every item (or the bound passes: then the
    // assertions below say what is missing).
    let _ = runtime.block_on(collector.wait_for_requests(200, WAIT));
    let mut delivered_by_child = Vec::new();
    for process in &mut children {
        drop(process.stdin.take()); // tells the child to finish
    }
    for process in children {
        let output = wait_bounded(process, WAIT * 2);
        assert!(output.status.success(), "a child failed");
        let text = String::from_utf8_lossy(&output.stdout);
        let delivered: u64 = text
            .lines()
            .find_map(|line| after(line, "DRAINED delivered="))
            .and_then(|n| n.trim().parse().ok())
            .expect("child reported");
        delivered_by_child.push(delivered);
    }
    let requests = collector.requests();
    assert_eq!(accepted(&requests).len(), 200);
    assert_eq!(
        delivered_by_child.iter().sum::<u64>(),
        200,
        "{delivered_by_child:?}"
    );
    assert_delivered_once_or_pending(&markers, &requests, &pending(dir.path()));
    assert_one_key_per_feedback(&requests, &seeded);
}

//! The `patchwork-replay` command as users run it: its help, its refusal of a missing outbox, and a replay of an
//! unsent line from a log file against the local collector.

use std::process::{Command, Output, Stdio};

use patchwork_runtime::testing::Collector;

fn replay(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_patchwork-replay"));
    command
        .args(args)
        .env_remove("PATCHWORKMCP_API_KEY")
        .env_remove("PATCHWORKMCP_URL")
        .env_remove("PATCHWORKMCP_OUTBOX")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run patchwork-replay")
}

#[test]
fn help_documents_the_environment_each_count_and_how_to_install() {
    let output = replay(&["--help"], &[]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needed in [
        "PATCHWORKMCP_API_KEY",
        "PATCHWORKMCP_URL",
        "PATCHWORKMCP_OUTBOX",
        "delivered ",
        "already delivered",
        "failed ",
        "refused ",
        "unreadable ",
        "for another owner",
        "exit status",
        "cargo install --locked --path patchwork-runtime --bin patchwork-replay",
    ] {
        assert!(help.contains(needed), "--help lacks {needed:?}:\n{help}");
    }
}

#[test]
fn a_missing_outbox_directory_is_an_error_not_a_replay_without_a_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-outbox");
    let collector = Collector::start().expect("collector");
    let output = replay(
        &["--outbox", missing.to_str().expect("utf-8 path"), "-"],
        &[
            ("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY),
            ("PATCHWORKMCP_URL", &collector.url()),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the outbox directory does not exist"),
        "{stderr}"
    );
    assert!(!missing.exists(), "nothing is created in its place");
    assert!(collector.requests().is_empty());
}

#[test]
fn an_unsent_line_in_a_log_is_delivered_once_with_the_given_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = dir.path().join("outbox");
    std::fs::create_dir(&outbox).expect("an outbox (its ledger remembers what was sent)");
    let log = dir.path().join("server.log");
    std::fs::write(
        &log,
        "2026-12-03T10:00:00Z WARN something else\n\
         PATCHWORKMCP_UNSENT_FEEDBACK reason=status_503 payload={\"server_slug\":\"cli\",\"what_i_needed\":\"a replayed gap\",\"what_i_tried\":\"x\"}\n",
    )
    .expect("write the log");
    let collector = Collector::start().expect("collector");
    let env = [
        ("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY),
        ("PATCHWORKMCP_URL", &collector.url()),
    ];
    let args = [
        "--outbox",
        outbox.to_str().expect("utf-8 path"),
        log.to_str().expect("utf-8 path"),
    ];
    let first = replay(&args, &env);
    assert!(first.status.success(), "{first:?}");
    let counts = String::from_utf8_lossy(&first.stdout);
    assert!(
        counts.starts_with("delivered 1, already delivered 0"),
        "{counts}"
    );
    let second = replay(&args, &env);
    assert!(second.status.success(), "{second:?}");
    let counts = String::from_utf8_lossy(&second.stdout);
    assert!(
        counts.starts_with("delivered 0, already delivered 1"),
        "{counts}"
    );
    assert_eq!(collector.feedback().len(), 1);
    assert_eq!(collector.feedback()[0].what_i_needed, "a replayed gap");
}

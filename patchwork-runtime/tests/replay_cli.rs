//! The `patchwork-replay` command as users run it: its help, its refusal of a missing outbox, a replay of an
//! unsent line from a log file against the local collector, and the operator's `check` (each answer of the
//! service, an unsafe outbox, incomplete settings) and `status` (what waits per key, with the oldest age).

use std::process::{Command, Output, Stdio};

use patchwork_runtime::testing::{Collector, refusing_url};
use patchwork_runtime::{FeedbackPayload, Mode, Outcome, Patchwork};

fn replay(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_patchwork-replay"));
    command
        .args(args)
        .env_remove("PATCHWORKMCP_API_KEY")
        .env_remove("PATCHWORKMCP_URL")
        .env_remove("PATCHWORKMCP_OUTBOX")
        .env_remove("PATCHWORKMCP_SERVER_SLUG")
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

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts the exit status and a line of the output.
fn said(output: &Output, code: i32, needle: &str) {
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    let lines = stdout(output);
    assert!(lines.contains(needle), "{needle:?} is not in:\n{lines}");
}

/// `check` of the settings `key`, `url` and `slug`, with an outbox that does not exist yet.
fn check(key: &str, url: &str, slug: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = dir.path().join("outbox");
    let mut args = vec![
        "check",
        "--tools",
        "search, feedback",
        "--outbox",
        outbox.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    replay(
        &args,
        &[
            ("PATCHWORKMCP_API_KEY", key),
            ("PATCHWORKMCP_URL", url),
            ("PATCHWORKMCP_SERVER_SLUG", slug),
        ],
    )
}

#[test]
fn help_documents_check_status_and_their_exit_codes() {
    let help = stdout(&replay(&["--help"], &[]));
    for needed in [
        "patchwork-replay check [--tools NAME,...] [--offline] [--outbox DIR]",
        "patchwork-replay status [--outbox DIR]",
        "0 when every check passed",
        "1 when a check",
        "2 on a usage error or\nwhen the settings are incomplete",
        "0 when nothing is pending, 1 when items are pending",
    ] {
        assert!(help.contains(needed), "--help lacks {needed:?}:\n{help}");
    }
    let unknown = replay(&["check", "--loud"], &[]);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
}

#[test]
fn check_passes_when_the_service_accepts_the_key_and_the_slug() {
    let collector = Collector::start().expect("collector");
    let output = check(Collector::DEFAULT_API_KEY, &collector.url(), "cli", &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let lines = stdout(&output);
    let expected = [
        "ok      url     ",
        "ok      key     set (fingerprint ",
        "ok      slug    cli",
        "ok      service PatchworkMCP accepted the key and slug `cli`",
        "ok      outbox  ",
    ];
    let got: Vec<&str> = lines.lines().collect();
    assert_eq!(got.len(), expected.len(), "{lines}");
    for (line, start) in got.iter().zip(expected) {
        assert!(
            line.starts_with(start),
            "{line:?} should start with {start:?}"
        );
    }
    assert!(!lines.contains(Collector::DEFAULT_API_KEY));
    let requests = collector.requests();
    assert_eq!(requests.len(), 1, "one heartbeat: {requests:?}");
    assert_eq!(requests[0].path, "/api/v1/heartbeat/");
    assert_eq!(requests[0].body["server_slug"], "cli");
    assert_eq!(
        requests[0].body["tool_names"],
        serde_json::json!(["search", "feedback"]),
        "the server's tools, never an empty list"
    );
    assert_eq!(requests[0].body["tool_count"], 2);
}

#[test]
fn check_without_the_servers_tools_does_not_ask_the_service() {
    let collector = Collector::start().expect("collector");
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = dir.path().join("outbox");
    let output = replay(
        &["check", "--outbox", outbox.to_str().expect("utf-8 path")],
        &[
            ("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY),
            ("PATCHWORKMCP_URL", &collector.url()),
            ("PATCHWORKMCP_SERVER_SLUG", "cli"),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        stdout(&output)
            .contains("skipped service not asked: give the server's tool names (--tools a,b,c)"),
        "{}",
        stdout(&output)
    );
    assert!(
        collector.requests().is_empty(),
        "a heartbeat without the tools would tell the service the server has none"
    );
}

#[test]
fn check_fails_when_the_service_refuses_the_key() {
    let collector = Collector::start().expect("collector");
    let output = check("wrong-key", &collector.url(), "cli", &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let lines = stdout(&output);
    assert!(
        lines.contains("FAILED  service PatchworkMCP refused the API key (HTTP 401"),
        "{lines}"
    );
    assert!(
        !lines.contains("wrong-key")
            && !String::from_utf8_lossy(&output.stderr).contains("wrong-key")
    );
}

#[test]
fn check_fails_when_the_service_does_not_know_the_slug() {
    let collector = Collector::start().expect("collector");
    collector.fail_next(1, 404);
    let output = check(Collector::DEFAULT_API_KEY, &collector.url(), "nobody", &[]);
    said(
        &output,
        1,
        "FAILED  service PatchworkMCP does not know the slug `nobody` (HTTP 404",
    );
}

#[tokio::test]
async fn check_fails_when_the_service_is_unreachable() {
    let (_socket, url) = refusing_url().expect("a refusing address");
    let output = check(Collector::DEFAULT_API_KEY, &url, "cli", &[]);
    said(
        &output,
        1,
        "FAILED  service PatchworkMCP could not be reached to check the key and slug `cli` (unreachable:connect)",
    );
}

#[test]
fn check_offline_asks_nothing_and_incomplete_settings_exit_2() {
    let collector = Collector::start().expect("collector");
    let offline = check(
        Collector::DEFAULT_API_KEY,
        &collector.url(),
        "cli",
        &["--offline"],
    );
    assert_eq!(offline.status.code(), Some(0), "{offline:?}");
    assert!(stdout(&offline).contains("skipped service not asked (--offline)"));
    let no_key = check("", &collector.url(), "cli", &[]);
    assert_eq!(no_key.status.code(), Some(2), "{no_key:?}");
    let lines = stdout(&no_key);
    assert!(
        lines.contains("FAILED  key     not set: set PATCHWORKMCP_API_KEY"),
        "{lines}"
    );
    assert!(
        lines.contains("skipped service not asked: the settings above are incomplete"),
        "{lines}"
    );
    assert!(collector.requests().is_empty());
}

#[cfg(unix)]
#[test]
fn check_fails_on_an_outbox_other_users_can_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let output = replay(
        &[
            "check",
            "--offline",
            "--outbox",
            dir.path().to_str().expect("utf-8 path"),
        ],
        &[
            ("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY),
            ("PATCHWORKMCP_SERVER_SLUG", "cli"),
        ],
    );
    said(
        &output,
        1,
        "can be written by other users (mode 777); patchwork does not use it",
    );
}

#[tokio::test]
async fn status_counts_what_waits_per_key_with_the_oldest_age_and_never_the_contents() {
    let (_socket, url) = refusing_url().expect("a refusing address");
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = dir.path().join("outbox");
    for (key, reports) in [("key-one", 2), ("key-two", 1)] {
        let patchwork = Patchwork::builder()
            .url(&url)
            .api_key(key)
            .slug("cli")
            .mode(Mode::Live)
            .outbox_dir(&outbox)
            .build();
        for n in 0..reports {
            let payload = FeedbackPayload {
                what_i_needed: format!("secret-plan-{n}"),
                what_i_tried: "t".into(),
                ..FeedbackPayload::default()
            };
            assert_eq!(patchwork.enqueue(&payload).await, Outcome::Queued);
        }
    }
    // The oldest of the three was recorded two hours ago (an item's file name carries its time).
    let pending = outbox.join("pending");
    let mut names: Vec<_> = std::fs::read_dir(&pending)
        .expect("pending/")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .collect();
    names.sort();
    let (created, rest) = names[0].split_once('-').expect("an item name");
    let earlier: u64 = created.parse::<u64>().expect("ms") - 2 * 3_600_000;
    std::fs::rename(
        pending.join(&names[0]),
        pending.join(format!("{earlier:013}-{rest}")),
    )
    .expect("rename");
    std::fs::write(outbox.join("rejected").join("refused.json"), "{}").expect("a rejected item");

    let env = [
        ("PATCHWORKMCP_API_KEY", "key-one"),
        ("PATCHWORKMCP_URL", url.as_str()),
    ];
    let output = replay(
        &["status", "--outbox", outbox.to_str().expect("utf-8 path")],
        &env,
    );
    assert_eq!(output.status.code(), Some(1), "items wait: {output:?}");
    let lines = stdout(&output);
    let of = |count: &str| {
        lines
            .lines()
            .find(|line| line.starts_with(&format!("pending  {count} for {url} under key ")))
            .unwrap_or_else(|| panic!("no line for {count}:\n{lines}"))
    };
    assert!(of("2").contains("(this key), oldest 2h "), "{lines}");
    assert!(
        !of("1").contains("this key") && of("1").contains("oldest "),
        "{lines}"
    );
    assert!(
        lines.contains("rejected 1 ") && lines.contains("corrupt  0 "),
        "{lines}"
    );
    assert!(
        !lines.contains("secret-plan") && !lines.contains("key-one") && !lines.contains("key-two")
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let none = replay(
        &[
            "status",
            "--outbox",
            empty.path().to_str().expect("utf-8 path"),
        ],
        &env,
    );
    assert_eq!(none.status.code(), Some(0), "{none:?}");
    assert!(stdout(&none).contains("pending  none"));
}

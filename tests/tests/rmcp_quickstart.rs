//! The README's quickstart command works: `cargo run -p patchwork-runtime --example quickstart` (with the `rmcp` and
//! `test-util` features) shows the whole loop against the local collector, with no account and no network.

use std::process::Command;
use std::time::Duration;

use patchwork_tests::{repo_root, run_bounded};

#[test]
fn quickstart_shows_the_whole_loop_locally() {
    // Bounded: the first run builds the example; a hung quickstart fails the test instead of hanging it.
    let output = run_bounded(
        Command::new(env!("CARGO"))
            .current_dir(repo_root())
            .args([
                "run",
                "--quiet",
                "-p",
                "patchwork-runtime",
                "--example",
                "quickstart",
                "--features",
                "rmcp,test-util",
            ])
            // The local mode is chosen when the service is not configured.
            .env_remove("PATCHWORKMCP_API_KEY")
            .env_remove("PATCHWORKMCP_SERVER_SLUG")
            .env_remove("PATCHWORKMCP_URL"),
        Duration::from_secs(1200),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "quickstart failed ({}):\n{stdout}\n{stderr}",
        output.status
    );

    let sections: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("== "))
        .collect();
    assert_eq!(
        sections,
        [
            "== Local collector ==",
            "== tools/list ==",
            "== The feedback tool's description ==",
            "== The feedback tool's input schema ==",
            "== Server instructions (initialize) ==",
            "== The agent calls `feedback` ==",
            "== Reply to the agent ==",
            "== What the collector received (body pretty-printed) ==",
            "== Bad arguments get an isError reply the agent can act on ==",
        ],
        "{stdout}"
    );
    for expected in [
        "- feedback: Report a limitation",
        "- word_count: Count the words in a text",
        "call the `feedback` tool BEFORE responding to the user",
        "isError: false\nThank you.",
        "POST /api/v1/feedback/ -> 201",
        "authorization: Bearer <key>",
        "\"client_type\": \"quickstart-agent/1.0.0\"",
        "\"server_slug\": \"quickstart-demo\"",
        "\"tools_available\": [\n    \"word_count\"\n  ]",
        "isError: true\nFeedback not recorded. Fix these arguments",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("patchwork-test-key"),
        "the key is not printed"
    );
    assert!(
        !stderr.contains("PATCHWORKMCP_UNSENT_FEEDBACK"),
        "nothing was left unsent:\n{stderr}"
    );
}

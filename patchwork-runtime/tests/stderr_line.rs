//! The unsent line really reaches the process's stderr, exactly once, and
//! parses back: a child process (this test binary, running the ignored helper
//! test) sends feedback without a key, and the parent reads its stderr.

use std::process::Command;

use patchwork_runtime::{FeedbackPayload, GapType, Options, send_feedback};

const CHILD_MARKER: &str = "stderr-child-needs-a-calendar-tool";

fn child_payload() -> FeedbackPayload {
    FeedbackPayload {
        server_slug: "child".into(),
        what_i_needed: CHILD_MARKER.into(),
        what_i_tried: "line one\nline two".into(),
        gap_type: GapType::MissingTool,
        ..FeedbackPayload::default()
    }
}

#[tokio::test]
#[ignore = "helper: runs only as a child process of unsent_line_reaches_real_stderr_once"]
async fn child_sends_without_a_key() {
    let opts = Options {
        patchwork_url: Some("http://127.0.0.1:9".into()),
        api_key: Some(String::new()),
        server_slug: Some("child".into()),
    };
    // The key variable may exist in the parent's environment; the child clears it below.
    let message = send_feedback(&child_payload(), Some(&opts)).await;
    assert!(message.contains("no PatchworkMCP API key"), "{message}");
}

#[test]
fn unsent_line_reaches_real_stderr_once() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_sends_without_a_key",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove("PATCHWORKMCP_API_KEY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the helper ran: {stdout}");
    let lines: Vec<_> = stderr
        .lines()
        .filter(|l| l.contains("PATCHWORKMCP_UNSENT_FEEDBACK"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let rest = lines[0]
        .strip_prefix("PATCHWORKMCP_UNSENT_FEEDBACK reason=")
        .expect("the line's prefix");
    let (reason, json) = rest.split_once(" payload=").expect("reason, then payload");
    assert_eq!(reason, "missing_api_key");
    let payload: FeedbackPayload = serde_json::from_str(json).expect("the payload parses back");
    assert_eq!(payload, child_payload());
    assert!(
        !stdout.contains("PATCHWORKMCP_UNSENT_FEEDBACK"),
        "nothing on stdout"
    );
}

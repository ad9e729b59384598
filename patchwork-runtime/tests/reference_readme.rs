//! Exactly the reference Rust client's README calls
//! (github.com/Brightwing-Systems-LLC/patchworkmcp-rust), with only the crate
//! name changed from `patchworkmcp` to `patchwork_runtime`.
//!
//! The reference calls read the environment, so they run in a child process (this test binary, running the
//! ignored helper) whose environment the parent sets; the parent's collector receives what it sends.

use std::process::Command;
use std::time::Duration;

use patchwork_runtime::testing::Collector;

#[test]
fn reference_readme_calls_compile_and_deliver() {
    let collector = Collector::start().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "reference_calls_in_a_configured_environment",
            "--ignored",
            "--test-threads=1",
        ])
        .env("PATCHWORKMCP_URL", collector.url())
        .env("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY)
        .env("PATCHWORKMCP_SERVER_SLUG", "env-slug")
        .env_remove("PATCHWORKMCP_OUTBOX")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 passed"), "the helper ran: {stdout}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let received = runtime
        .block_on(collector.wait_for_requests(1, Duration::from_secs(30)))
        .unwrap();
    assert!(
        received.iter().all(|r| r.status == Some(201)),
        "{received:?}"
    );
    let via_env = collector.feedback();
    assert_eq!(
        via_env.len(),
        1,
        "the environment's call, and only it, came here"
    );
    assert_eq!(via_env[0].server_slug, "env-slug");
    assert_eq!(via_env[0].what_i_needed, "a bulk export tool");
}

#[tokio::test]
#[ignore = "helper: runs only as a child process of reference_readme_calls_compile_and_deliver"]
async fn reference_calls_in_a_configured_environment() {
    let args = serde_json::json!({
        "what_i_needed": "a bulk export tool",
        "what_i_tried": "list_items, paging by hand",
        "gap_type": "missing_tool",
    });

    // ## Usage
    {
        use patchwork_runtime::{payload_from_args, send_feedback};

        // Build payload from MCP call_tool arguments:
        let payload = payload_from_args(&args, None);

        // Send feedback:
        let message = send_feedback(&payload, None).await;
        assert!(message.starts_with("Thank you"), "{message}");
    }

    // ### With options
    let other = Collector::builder().api_key("my-key").start().unwrap();
    {
        use patchwork_runtime::{Options, payload_from_args, send_feedback};

        let opts = Options {
            patchwork_url: Some(other.url()), // README: "https://custom.example.com"
            api_key: Some("my-key".to_string()),
            server_slug: Some("my-server".to_string()),
        };

        let payload = payload_from_args(&args, Some(&opts));
        let message = send_feedback(&payload, Some(&opts)).await;
        assert!(message.starts_with("Thank you"), "{message}");
    }

    // ### Tool registration
    {
        use patchwork_runtime::{TOOL_DESCRIPTION, TOOL_NAME, tool_input_schema};

        // Register with your MCP framework:
        let schema = tool_input_schema();
        assert_eq!(TOOL_NAME, "feedback");
        assert!(TOOL_DESCRIPTION.contains("BEFORE"));
        assert_eq!(schema["required"][0], "what_i_needed");
    }

    // ### Server Instructions
    assert!(patchwork_runtime::SERVER_INSTRUCTIONS.contains("call the `feedback` tool BEFORE"));

    let via_options = other.feedback();
    assert_eq!(via_options.len(), 1);
    assert_eq!(via_options[0].server_slug, "my-server");
}

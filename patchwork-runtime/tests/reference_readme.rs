//! Exactly the reference Rust client's README calls
//! (github.com/Brightwing-Systems-LLC/patchworkmcp-rust), with only the crate
//! name changed from `patchworkmcp` to `patchwork_runtime`.
//!
//! One test in this binary, so setting the process environment is race-free.
#![cfg(feature = "test-util")]

use patchwork_runtime::collector::Collector;

#[tokio::test]
async fn reference_readme_calls_compile_and_deliver() {
    let collector = Collector::start().unwrap();
    // SAFETY: this binary runs a single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("PATCHWORKMCP_URL", collector.url());
        std::env::set_var("PATCHWORKMCP_API_KEY", Collector::DEFAULT_API_KEY);
        std::env::set_var("PATCHWORKMCP_SERVER_SLUG", "env-slug");
    }
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

    let via_env = collector.feedback();
    assert_eq!(via_env.len(), 1);
    assert_eq!(via_env[0].server_slug, "env-slug");
    assert_eq!(via_env[0].what_i_needed, "a bulk export tool");
    let via_options = other.feedback();
    assert_eq!(via_options.len(), 1);
    assert_eq!(via_options[0].server_slug, "my-server");
}

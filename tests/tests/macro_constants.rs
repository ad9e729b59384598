//! The values `#[patchwork_feedback]` generates, checked against the runtime: the schema literal is the
//! runtime's schema, the texts are the runtime's texts, the instructions name the configured tool, and the
//! registration carries the right name, title, annotations and schema.

use patchwork_runtime::{
    SERVER_INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, patchwork_feedback, tool_input_schema,
};
use serde_json::{Value, json};

struct Plain;

#[patchwork_feedback(dispatch = "manual")]
impl Plain {}

struct Configured;

#[patchwork_feedback(
    dispatch = "manual",
    slug = "weather",
    tool_name = "report_gap",
    instructions = "Weather forecasts for European cities.",
    url = "http://127.0.0.1:9",
    api_key_env = "WEATHER_PATCHWORK_KEY"
)]
impl Configured {}

#[test]
fn input_schema_equals_the_runtime_schema() {
    let generated: Value =
        serde_json::from_str(Plain::PATCHWORK_INPUT_SCHEMA).expect("the schema literal is JSON");
    assert_eq!(generated, tool_input_schema());
    assert_eq!(generated["type"], "object");
    // The configuration does not change the schema.
    assert_eq!(
        Configured::PATCHWORK_INPUT_SCHEMA,
        Plain::PATCHWORK_INPUT_SCHEMA
    );
}

#[test]
fn description_is_the_runtime_description() {
    assert_eq!(Plain::PATCHWORK_TOOL_DESCRIPTION, TOOL_DESCRIPTION);
    assert_eq!(Configured::PATCHWORK_TOOL_DESCRIPTION, TOOL_DESCRIPTION);
}

#[test]
fn instructions_are_the_directive_naming_the_tool() {
    assert_eq!(Plain::PATCHWORK_TOOL_NAME, "feedback");
    assert_eq!(Plain::PATCHWORK_INSTRUCTIONS, SERVER_INSTRUCTIONS);
    assert!(Plain::PATCHWORK_INSTRUCTIONS.contains("call the `feedback` tool BEFORE responding"));
}

#[test]
fn configured_instructions_start_with_the_servers_own_and_name_the_renamed_tool() {
    assert_eq!(Configured::PATCHWORK_TOOL_NAME, "report_gap");
    // The runtime's directive names the default tool once; the configured one names `report_gap` instead.
    let default_name = format!("`{TOOL_NAME}`");
    assert_eq!(SERVER_INSTRUCTIONS.matches(&default_name).count(), 1);
    assert_eq!(
        Configured::PATCHWORK_INSTRUCTIONS,
        format!(
            "Weather forecasts for European cities.\n\n{}",
            SERVER_INSTRUCTIONS.replace(&default_name, "`report_gap`")
        )
    );
    assert!(Configured::PATCHWORK_INSTRUCTIONS.contains("`report_gap`"));
    assert!(!Configured::PATCHWORK_INSTRUCTIONS.contains("`feedback`"));
}

#[test]
fn registration_describes_the_tool() {
    let tool = Configured::patchwork_tool();
    assert_eq!(tool.name, "report_gap");
    assert_eq!(tool.description, TOOL_DESCRIPTION);
    assert_eq!(tool.input_schema, tool_input_schema());
    assert!(!tool.title.is_empty());
    let listed = tool.to_json();
    assert_eq!(listed["name"], "report_gap");
    assert_eq!(
        listed["annotations"],
        json!({"readOnlyHint": false, "destructiveHint": false, "idempotentHint": false, "openWorldHint": true})
    );
}

#[test]
fn a_block_without_tool_attributes_lists_no_server_tools() {
    assert!(Plain::PATCHWORK_SERVER_TOOLS.is_empty());
}

/// That bad arguments deliver nothing is checked against a collector by `jsonrpc_stdio`.
#[tokio::test]
async fn dispatch_ignores_other_tools_and_names_the_field_to_fix() {
    assert!(
        Configured
            .patchwork_dispatch("forecast", &json!({}))
            .await
            .is_none()
    );
    assert!(
        Configured
            .patchwork_dispatch("feedback", &json!({}))
            .await
            .is_none(),
        "renamed: `feedback` is not ours"
    );

    let reply = Configured
        .patchwork_dispatch(
            "report_gap",
            &json!({ "what_i_tried": "forecast", "gap_type": "missing_tool" }),
        )
        .await
        .expect("the configured name is routed");
    assert!(reply.is_error, "{reply:?}");
    assert!(
        reply.text.contains("what_i_needed"),
        "the reply names the field to fix: {}",
        reply.text
    );
}

/// rmcp's `#[tool]` methods are the server's tools: listed by their `name = "..."`, else the method's name.
/// A real rmcp server: the attribute sits above `#[tool_router]`, where rmcp mode wants it.
#[derive(Clone)]
struct WithTools;

#[patchwork_feedback]
#[rmcp::tool_router]
impl WithTools {
    /// Today's forecast.
    #[rmcp::tool(name = "get_forecast")]
    async fn forecast(&self) -> String {
        "sunny".to_owned()
    }

    /// Tomorrow's forecast.
    #[rmcp::tool]
    async fn tomorrow(&self) -> String {
        "rain".to_owned()
    }

    fn helper(&self) -> u8 {
        1
    }
}

#[rmcp::tool_handler]
impl rmcp::ServerHandler for WithTools {}

#[tokio::test]
async fn tool_methods_are_the_server_tools() {
    assert_eq!(
        WithTools::PATCHWORK_SERVER_TOOLS,
        ["get_forecast", "tomorrow"]
    );
    assert_eq!(WithTools.forecast().await, "sunny");
    assert_eq!(WithTools.tomorrow().await, "rain");
    assert_eq!(WithTools.helper(), 1);
}

/// Hand-written servers spawn a task per request: the dispatch future must be `Send` (and `'static` data only
/// is borrowed from the config).
#[test]
fn dispatch_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let arguments = json!({});
    let future = Plain.patchwork_dispatch("feedback", &arguments);
    assert_send(&future);
}

//! patchwork-runtime: the PatchworkMCP feedback tool for Rust MCP servers.
//!
//! Agents call the `feedback` tool when they hit a limitation (a missing tool,
//! incomplete results, a missing parameter, a wrong format); the feedback is
//! delivered to PatchworkMCP so server authors learn what to build next.
//!
//! # One attribute
//!
//! [`#[patchwork_feedback]`](patchwork_feedback) on the server's `impl` block
//! generates at compile time the tool's registration, its input schema (a JSON
//! literal), the dispatch and the server instructions. With the `rmcp` feature
//! and the attribute written above rmcp's `#[tool_router]`, it also adds a
//! routed `#[tool]` method. Its documentation has the keys, an example and
//! the expansion.
//!
//! ```
//! use patchwork_runtime::patchwork_feedback;
//!
//! struct Weather;
//!
//! #[patchwork_feedback(slug = "weather", instructions = "Forecasts for European cities.")]
//! impl Weather {
//!     async fn call_tool(&self, name: &str, arguments: &serde_json::Value) -> serde_json::Value {
//!         if let Some(reply) = self.patchwork_dispatch(name, arguments).await {
//!             return reply.to_json(); // the feedback tool's result; `isError` for bad arguments
//!         }
//!         serde_json::json!({ "content": [], "isError": true }) // the server's own tools go here
//!     }
//! }
//!
//! assert_eq!(Weather::PATCHWORK_TOOL_NAME, "feedback");
//! assert!(Weather::PATCHWORK_INSTRUCTIONS.contains("call the `feedback` tool BEFORE responding"));
//! let schema: serde_json::Value = serde_json::from_str(Weather::PATCHWORK_INPUT_SCHEMA).unwrap();
//! assert_eq!(schema, patchwork_runtime::tool_input_schema());
//! assert_eq!(Weather::patchwork_tool().name, "feedback");
//! ```
//!
//! # Delivery
//!
//! By default the generated tool replies as soon as the feedback is written
//! to a durable [`outbox`]; the [`reporter`]'s background worker delivers it
//! with retries, `Retry-After`, an idempotency key and a per-item deadline,
//! and [`reporter::flush`] drains it on exit. What cannot be delivered stays in
//! the outbox, or (when the outbox cannot be written) goes to stderr as one
//! `PATCHWORKMCP_UNSENT_FEEDBACK reason=… payload=…` line; [`replay`] re-sends
//! both. [`heartbeat`] optionally reports the server's tool inventory.
//!
//! # Reference-compatible API
//!
//! Code written for the reference client compiles after changing the crate
//! name in its `use` lines. [`send_feedback`] awaits delivery: one shared HTTP
//! client; 2 s connect and 5 s request timeouts; up to 2 retries (500 ms, then
//! 1000 ms) on 429, 5xx, connection errors and timeouts; other 4xx are final.
//!
//! ```no_run
//! use patchwork_runtime::{Options, payload_from_args, send_feedback};
//! # async fn demo(args: serde_json::Value) {
//! let opts = Options {
//!     patchwork_url: Some("https://custom.example.com".to_string()),
//!     api_key: Some("my-key".to_string()),
//!     server_slug: Some("my-server".to_string()),
//! };
//! let payload = payload_from_args(&args, Some(&opts));
//! let message = send_feedback(&payload, Some(&opts)).await;
//! # }
//! ```
//!
//! Nothing is ever written to stdout (it carries the protocol on stdio
//! servers); diagnostics go through `tracing`. The API key never appears in
//! logs, errors or `Debug` output.
//!
//! # Features
//!
//! - `rmcp`: the attribute's rmcp mode (a routed `#[tool]` method with
//!   server-verified context).
//! - `test-util`: the `collector` module, a real local PatchworkMCP collector on
//!   loopback for testing your own server's feedback tool.

pub use patchwork_macros::patchwork_feedback;

#[allow(dead_code)]
mod contract;
mod delivery;
pub mod heartbeat;
mod options;
pub mod outbox;
mod payload;
pub mod replay;
pub mod reporter;
mod schema;
mod tool;
mod unsent;
mod validate;

#[cfg(feature = "test-util")]
pub mod collector;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use delivery::{
    AttemptOutcome, Deliverer, DelivererInitError, DeliveryOutcome, Receipt, SendOutcome,
    USER_AGENT, send_feedback, submit_feedback,
};
pub use options::{
    ApiKey, DEFAULT_SERVER_SLUG, DEFAULT_URL, DeliveryConfig, ENV_API_KEY, ENV_SERVER_SLUG,
    ENV_URL, EndpointError, FEEDBACK_PATH, HEARTBEAT_PATH, Options, ResolvedOptions, endpoint_url,
};
pub use payload::{
    FeedbackPayload, GapType, MAX_FIELD_BYTES, MAX_PAYLOAD_BYTES, MAX_TOOL_NAME_BYTES,
    MAX_TOOLS_AVAILABLE, Resolution, TRUNCATION_MARKER, payload_from_args, truncate_with_marker,
};
pub use schema::{TOOL_INPUT_SCHEMA_JSON, tool_input_schema};
pub use tool::{ToolAnnotations, ToolDefinition, ToolReply};
pub use unsent::{UNSENT_PREFIX, UnsentRecord, log_unsent, parse_unsent_line, unsent_line};
#[cfg(feature = "test-util")]
pub use unsent::{UnsentCapture, capture_unsent};
pub use validate::{ArgumentError, validate_arguments};

/// The tool's default name.
pub const TOOL_NAME: &str = "feedback";

/// The description agents read to decide when to call the tool.
pub const TOOL_DESCRIPTION: &str = concat!(
    "Report when you cannot find what you need or when the available tools do not fully ",
    "address the task; this feedback directly improves this server. Call this tool whenever: ",
    "(1) a tool or resource you looked for does not exist, ",
    "(2) a tool returned incomplete or unhelpful results, ",
    "(3) you had to work around a limitation or approximate an answer, ",
    "(4) a new tool or parameter would have made the task easier. ",
    "If you could not fully satisfy the user's request with the available tools, ",
    "call this BEFORE giving your final answer."
);

/// The directive for the MCP `initialize` result's `instructions` field, for
/// a tool named [`TOOL_NAME`]. Without it agents rarely call the tool. For
/// another name use [`server_instructions`].
pub const SERVER_INSTRUCTIONS: &str = concat!(
    "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap ",
    "that prevents you from fully completing the user's request — call the `feedback` tool ",
    "BEFORE responding to the user. Be specific about what you needed, what you tried, and ",
    "what would have helped."
);

/// [`SERVER_INSTRUCTIONS`] for a feedback tool named `tool_name`.
///
/// ```
/// let text = patchwork_runtime::server_instructions("report_gap");
/// assert!(text.contains("call the `report_gap` tool BEFORE responding"));
/// ```
pub fn server_instructions(tool_name: &str) -> String {
    SERVER_INSTRUCTIONS.replace("`feedback`", &format!("`{tool_name}`"))
}

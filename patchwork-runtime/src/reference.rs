//! The reference client's API, name for name: code written for it compiles after changing the crate name in
//! its `use` lines. Every value comes from the contract.

use serde_json::Value;

use crate::config::{Layer, Options, process_env, resolve};
use crate::contract::{fields, texts};
use crate::delivery::{Client, Destination, RetryPolicy, deliver_now};
use crate::feedback::redact::{Filled, Redaction};
use crate::feedback::validate::{self, ArgumentError};
use crate::feedback::{FeedbackPayload, Prepared};

/// The tool's default name.
///
/// ```
/// assert_eq!(patchwork_runtime::TOOL_NAME, "feedback");
/// ```
pub const TOOL_NAME: &str = texts::DEFAULT_TOOL_NAME;

/// The description agents read to decide when to call the tool.
///
/// ```
/// use patchwork_runtime::{TOOL_DESCRIPTION, TOOL_NAME, tool_input_schema};
/// // a `tools/list` entry written by hand (the attribute's `patchwork_tool()` does this for you)
/// let entry = serde_json::json!({
///     "name": TOOL_NAME,
///     "description": TOOL_DESCRIPTION,
///     "inputSchema": tool_input_schema(),
/// });
/// assert_eq!(entry["description"], TOOL_DESCRIPTION);
/// ```
pub const TOOL_DESCRIPTION: &str = texts::TOOL_DESCRIPTION;

/// The directive for the MCP `initialize` result's `instructions` field, for a tool named [`TOOL_NAME`].
/// Without it agents rarely call the tool. The attribute generates it for any tool name as
/// `PATCHWORK_INSTRUCTIONS`.
///
/// ```
/// // `initialize`'s `instructions`: the server's own text, then the directive
/// let instructions = format!("Forecasts for European cities.\n\n{}", patchwork_runtime::SERVER_INSTRUCTIONS);
/// assert!(instructions.contains("call the `feedback` tool BEFORE responding"));
/// ```
pub const SERVER_INSTRUCTIONS: &str = concat!(
    "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents ",
    "you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. ",
    "Be specific about what you needed, what you tried, and what would have helped."
);

/// The tool's input schema as a `serde_json::Value` (a JSON object schema), for registering the tool with an
/// MCP framework by hand.
///
/// ```
/// let schema = patchwork_runtime::tool_input_schema();
/// assert_eq!(schema["type"], "object");
/// assert_eq!(schema["required"][0], "what_i_needed");
/// ```
#[must_use]
pub fn tool_input_schema() -> Value {
    // The contract writes valid JSON (a unit test proves it); `Null` keeps this panic-free.
    serde_json::from_str(&fields::input_schema_json()).unwrap_or_default()
}

/// Builds a payload from a tool call's arguments, leniently, like the reference client: missing or non-string
/// fields become `""`, non-string entries of `tools_available` are dropped, an unknown or empty `gap_type`
/// becomes `other`, an unknown `resolution` is left out. The slug comes from `opts`, then
/// `PATCHWORKMCP_SERVER_SLUG`, then `"unknown"`. The result is within the caps.
///
/// For tool calls, prefer [`validate_arguments`], which tells the agent what to fix.
///
/// ```
/// use patchwork_runtime::{GapType, Options, payload_from_args};
/// let args = serde_json::json!({"what_i_needed": "a search tool", "gap_type": "nonsense"});
/// let opts = Options { server_slug: Some("my-server".into()), ..Options::default() };
/// let payload = payload_from_args(&args, Some(&opts));
/// assert_eq!(payload.gap_type, GapType::Other);
/// assert_eq!(payload.what_i_tried, "");
/// assert_eq!(payload.server_slug, "my-server");
/// ```
#[must_use]
pub fn payload_from_args(args: &Value, opts: Option<&Options>) -> FeedbackPayload {
    let slug = settings(opts).slug_or_default().to_string();
    Prepared::new(
        validate::lenient(args, slug),
        &Redaction::standard(),
        Filled::default(),
    )
    .payload
}

/// Validates a tool call's arguments and builds the payload (within the caps), or says which arguments to
/// fix. The slug resolves like [`payload_from_args`]'s.
///
/// ```
/// use patchwork_runtime::validate_arguments;
/// let err = validate_arguments(&serde_json::json!({"what_i_tried": "search"}), None).unwrap_err();
/// assert!(err.to_string().contains("`what_i_needed`"));
/// ```
pub fn validate_arguments(
    args: &Value,
    opts: Option<&Options>,
) -> Result<FeedbackPayload, ArgumentError> {
    let mut payload = validate::check(args)?;
    payload.server_slug = settings(opts).slug_or_default().to_string();
    Ok(Prepared::new(payload, &Redaction::standard(), Filled::default()).payload)
}

/// Sends feedback to PatchworkMCP and waits for the answer, as the reference client does: options from
/// `opts`, then the environment, then defaults; the reference schedule ([`RetryPolicy::reference`]: up to 3
/// attempts, 500 ms then 1000 ms apart, on 429, 5xx, connection errors and timeouts; other 4xx are final).
/// Returns the short message for the agent; on final failure (or without an API key) writes one
/// `PATCHWORKMCP_UNSENT_FEEDBACK` line to stderr. Never panics. For the outcome itself use
/// [`Patchwork::deliver`](crate::Patchwork::deliver); to return at once, [`Patchwork::enqueue`](crate::Patchwork::enqueue).
///
/// ```no_run
/// # async fn demo(args: serde_json::Value) {
/// use patchwork_runtime::{payload_from_args, send_feedback};
/// let payload = payload_from_args(&args, None);
/// let message = send_feedback(&payload, None).await;
/// # }
/// ```
pub async fn send_feedback(payload: &FeedbackPayload, opts: Option<&Options>) -> String {
    let settings = settings(opts);
    let prepared = Prepared::new(payload.clone(), &Redaction::standard(), Filled::default());
    deliver_now(
        &prepared,
        &Destination::new(settings),
        Client::shared(),
        &RetryPolicy::reference(),
    )
    .await
    .message()
}

fn settings(opts: Option<&Options>) -> crate::config::Settings {
    let layer = opts.map(Layer::from).unwrap_or_default();
    resolve(&[&layer], &process_env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_are_the_contract_texts() {
        assert_eq!(SERVER_INSTRUCTIONS, texts::directive(TOOL_NAME));
        assert_eq!(TOOL_NAME, "feedback");
        let schema = tool_input_schema();
        assert_eq!(schema["type"], "object");
        assert_eq!(
            schema["properties"].as_object().map(|p| p.len()),
            Some(fields::FIELDS.len())
        );
    }
}

//! Framework-neutral descriptions of the feedback tool and of its replies.
//!
//! These types carry exactly what MCP's `tools/list` and `tools/call` need, as
//! JSON, so any MCP framework (or a hand-written JSON-RPC loop) can use them.

use serde_json::{Value, json};

use crate::contract::texts::{ANNOTATIONS, Annotations};

/// MCP tool annotations (hints to clients about how the tool behaves).
///
/// The feedback tool writes to an outside service, so the defaults say: not
/// read-only, not destructive, not idempotent, open world.
///
/// ```
/// # use patchwork_runtime::patchwork_feedback;
/// # struct Weather;
/// # #[patchwork_feedback(slug = "weather", dispatch = "manual")]
/// # impl Weather {}
/// let hints = Weather::patchwork_tool().annotations;
/// assert!(!hints.read_only_hint && hints.open_world_hint); // it writes to an outside service
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolAnnotations {
    /// `readOnlyHint`: the tool does not modify its environment.
    pub read_only_hint: bool,
    /// `destructiveHint`: the tool may perform destructive updates.
    pub destructive_hint: bool,
    /// `idempotentHint`: calling it twice with the same arguments has no extra effect.
    pub idempotent_hint: bool,
    /// `openWorldHint`: the tool talks to entities outside the server.
    pub open_world_hint: bool,
}

impl Default for ToolAnnotations {
    /// The feedback tool's annotations, from the contract.
    fn default() -> Self {
        Self::from(ANNOTATIONS)
    }
}

impl From<Annotations> for ToolAnnotations {
    fn from(a: Annotations) -> Self {
        Self {
            read_only_hint: a.read_only,
            destructive_hint: a.destructive,
            idempotent_hint: a.idempotent,
            open_world_hint: a.open_world,
        }
    }
}

impl ToolAnnotations {
    /// The annotations as the MCP `annotations` JSON object.
    ///
    /// ```
    /// # use patchwork_runtime::patchwork_feedback;
    /// # struct Weather;
    /// # #[patchwork_feedback(slug = "weather", dispatch = "manual")]
    /// # impl Weather {}
    /// let hints = Weather::patchwork_tool().annotations.to_json();
    /// assert_eq!(hints["destructiveHint"], false);
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "readOnlyHint": self.read_only_hint,
            "destructiveHint": self.destructive_hint,
            "idempotentHint": self.idempotent_hint,
            "openWorldHint": self.open_world_hint,
        })
    }
}

/// Everything an MCP `tools/list` entry needs for the feedback tool.
///
/// ```
/// # use patchwork_runtime::patchwork_feedback;
/// # struct Weather;
/// # #[patchwork_feedback(slug = "weather", dispatch = "manual")]
/// # impl Weather {}
/// let tool = Weather::patchwork_tool(); // the feedback tool as the attribute configured it
/// assert_eq!(tool.name, "feedback");
/// assert_eq!(tool.input_schema, patchwork_runtime::tool_input_schema());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDefinition {
    /// The tool's name (`feedback` unless configured otherwise).
    pub name: String,
    /// A short human-readable title.
    pub title: String,
    /// The description the agent reads to decide when to call the tool.
    pub description: String,
    /// The JSON Schema of the tool's arguments (an object schema).
    pub input_schema: Value,
    /// Behaviour hints for clients.
    pub annotations: ToolAnnotations,
}

impl ToolDefinition {
    /// The definition as one entry of an MCP `tools/list` result
    /// (`name`, `title`, `description`, `inputSchema`, `annotations`).
    ///
    /// ```
    /// # use patchwork_runtime::patchwork_feedback;
    /// # struct Weather;
    /// # #[patchwork_feedback(slug = "weather", dispatch = "manual")]
    /// # impl Weather {}
    /// // one entry of your `tools/list` result
    /// let tools = serde_json::json!({ "tools": [Weather::patchwork_tool().to_json()] });
    /// assert_eq!(tools["tools"][0]["inputSchema"]["type"], "object");
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": self.annotations.to_json(),
        })
    }
}

/// The result of one feedback tool call: a text for the agent and whether it
/// is an error the agent should fix (bad arguments), as MCP's `isError`.
///
/// Delivery failures are *not* errors: the feedback is kept for later and the
/// agent must not retry in a loop.
///
/// ```
/// # use patchwork_runtime::patchwork_feedback;
/// # struct Weather;
/// # #[patchwork_feedback(slug = "weather", dispatch = "manual")]
/// # impl Weather {}
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = Weather;
/// let arguments = serde_json::json!({ "what_i_needed": "hourly forecasts" }); // `what_i_tried` missing
/// let reply = server.patchwork_dispatch("feedback", &arguments).await.expect("the feedback tool");
/// assert!(reply.is_error); // the agent has an argument to fix
/// assert!(reply.text.contains("`what_i_tried`"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolReply {
    /// The text shown to the agent.
    pub text: String,
    /// `true` when the agent sent arguments it has to fix.
    pub is_error: bool,
}

impl ToolReply {
    /// A successful reply with the given text.
    ///
    /// ```
    /// let reply = patchwork_runtime::ToolReply::success("Thanks, recorded.");
    /// assert!(!reply.is_error);
    /// ```
    pub fn success(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: false,
        }
    }

    /// An error reply (`isError: true`) telling the agent what to fix.
    ///
    /// ```
    /// let reply = patchwork_runtime::ToolReply::error("`what_i_needed` is required");
    /// assert_eq!(reply.to_json()["isError"], true);
    /// ```
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: true,
        }
    }

    /// The reply as an MCP `CallToolResult` object:
    /// `{"content":[{"type":"text","text":…}],"isError":…}`.
    ///
    /// ```
    /// let result = patchwork_runtime::ToolReply::success("Thanks, recorded.").to_json();
    /// assert_eq!(result["content"][0]["text"], "Thanks, recorded.");
    /// assert_eq!(result["isError"], false);
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "content": [{ "type": "text", "text": self.text }],
            "isError": self.is_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_json_is_a_call_tool_result() {
        let reply = ToolReply::error("fix `what_i_needed`");
        assert_eq!(
            reply.to_json(),
            json!({"content":[{"type":"text","text":"fix `what_i_needed`"}],"isError":true})
        );
    }

    #[test]
    fn default_annotations_mark_an_open_world_writer() {
        assert_eq!(
            ToolAnnotations::default().to_json(),
            json!({"readOnlyHint":false,"destructiveHint":false,"idempotentHint":false,"openWorldHint":true})
        );
    }
}

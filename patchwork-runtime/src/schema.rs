//! The feedback tool's input schema: one JSON text, shared by the runtime and
//! (as a compile-time copy, checked by a test) by the `#[patchwork_feedback]` macro.

use serde_json::Value;

/// The JSON Schema of the feedback tool's arguments, as text.
///
/// Every property except `server_slug` of the wire contract (the slug comes
/// from configuration, never from the agent). `what_i_needed`, `what_i_tried`
/// and `gap_type` are required.
pub const TOOL_INPUT_SCHEMA_JSON: &str = r#"{
  "type": "object",
  "properties": {
    "what_i_needed": {
      "type": "string",
      "description": "What capability, data, or tool were you looking for?"
    },
    "what_i_tried": {
      "type": "string",
      "description": "What tools or approaches did you try? Include tool names and brief results."
    },
    "gap_type": {
      "type": "string",
      "enum": ["missing_tool", "incomplete_results", "missing_parameter", "wrong_format", "other"],
      "description": "The category of gap encountered."
    },
    "suggestion": {
      "type": "string",
      "description": "Your idea for what would have helped."
    },
    "user_goal": {
      "type": "string",
      "description": "The user's original request or goal."
    },
    "resolution": {
      "type": "string",
      "enum": ["blocked", "worked_around", "partial"],
      "description": "What happened after hitting the gap."
    },
    "tools_available": {
      "type": "array",
      "items": { "type": "string" },
      "description": "Tool names you considered or tried."
    },
    "agent_model": {
      "type": "string",
      "description": "Your model identifier, if known."
    },
    "session_id": {
      "type": "string",
      "description": "Conversation or session identifier."
    },
    "client_type": {
      "type": "string",
      "description": "The MCP client in use, if known (e.g. 'claude-desktop', 'cursor', 'claude-code')."
    }
  },
  "required": ["what_i_needed", "what_i_tried", "gap_type"]
}"#;

/// The tool input schema as a `serde_json::Value` (a JSON object schema).
///
/// Use it to register the feedback tool with an MCP framework by hand.
///
/// ```
/// let schema = patchwork_runtime::tool_input_schema();
/// assert_eq!(schema["type"], "object");
/// ```
pub fn tool_input_schema() -> Value {
    // The text is a constant proven valid by `schema_text_is_an_object_schema`;
    // `Null` is unreachable but keeps this function panic-free.
    serde_json::from_str(TOOL_INPUT_SCHEMA_JSON).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_text_is_an_object_schema() {
        let schema: Value = serde_json::from_str(TOOL_INPUT_SCHEMA_JSON).expect("valid JSON");
        assert_eq!(schema["type"], "object");
        assert_eq!(
            schema["required"],
            serde_json::json!(["what_i_needed", "what_i_tried", "gap_type"])
        );
        let properties = schema["properties"].as_object().expect("properties");
        assert_eq!(properties.len(), 10);
        assert!(!properties.contains_key("server_slug"));
        for (name, property) in properties {
            let description = property["description"].as_str().unwrap_or_default();
            assert!(!description.is_empty(), "{name} lacks a description");
            assert!(!description.contains('\n'), "{name}: one line");
        }
    }
}

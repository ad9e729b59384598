#[doc(hidden)]
#[allow(unused_imports)]
mod __patchwork_once_3f5ca574daf4605b {
    use super::*;
    pub(super) use ::patchwork_runtime::__private::first_feedback_block as __patchwork_feedback_block_Weather_74049d4831f5e2ab;
}
#[allow(unused_imports)]
use __patchwork_once_3f5ca574daf4605b::*;
impl Weather {
    #[doc = " Today's forecast for a city."]
    pub fn forecast(&self, city: &str) -> String {
        format!("Sunny in {city}")
    }
    #[doc = " The feedback tool's name: `feedback`."]
    #[allow(dead_code, unreachable_pub)]
    pub const PATCHWORK_TOOL_NAME: &'static ::core::primitive::str = "feedback";
    #[doc = r" The feedback tool's description, written for the agent: when to call it."]
    #[allow(dead_code, unreachable_pub)]
    pub const PATCHWORK_TOOL_DESCRIPTION: &'static ::core::primitive::str = "Report when you cannot find what you need or when the available tools do not fully address the task; this feedback directly improves this server. Call this tool whenever: (1) a tool or resource you looked for does not exist, (2) a tool returned incomplete or unhelpful results, (3) you had to work around a limitation or approximate an answer, (4) a new tool or parameter would have made the task easier. If you could not fully satisfy the user's request with the available tools, call this BEFORE giving your final answer.";
    #[doc = r" The feedback tool's input schema (JSON Schema, as JSON text), built at compile time."]
    #[allow(dead_code, unreachable_pub)]
    pub const PATCHWORK_INPUT_SCHEMA: &'static ::core::primitive::str = r#"{
  "type": "object",
  "properties": {
    "what_i_needed": {
      "type": "string",
      "minLength": 1,
      "pattern": "\\S",
      "description": "What capability, data, or tool were you looking for?"
    },
    "what_i_tried": {
      "type": "string",
      "minLength": 1,
      "pattern": "\\S",
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
      "description": "The tools this server offers, as you know them (the server fills this in itself when it can)."
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
      "description": "The MCP client in use, if known (e.g. 'claude-desktop', 'cursor', 'claude-code'); the server's own knowledge of it wins."
    }
  },
  "required": ["what_i_needed", "what_i_tried", "gap_type"]
}"#;
    #[doc = r" The server's instructions for the MCP `initialize` result: the server's own instructions followed by"]
    #[doc = r" the directive that makes agents call the feedback tool. Fixed at compile time: `patchwork_instructions()`"]
    #[doc = r" follows the run-time wording and leaves the directive out when feedback is off."]
    #[allow(dead_code, unreachable_pub)]
    pub const PATCHWORK_INSTRUCTIONS: &'static ::core::primitive::str = r#"Forecasts for European cities.

If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. Be specific about what you needed, what you tried, and what would have helped."#;
    #[doc = " The server's own tools visible to `#[patchwork_feedback]` (methods marked `#[tool]`): none."]
    #[doc = r" Sent as `tools_available` when the agent names none."]
    #[allow(dead_code, unreachable_pub)]
    pub const PATCHWORK_SERVER_TOOLS: &'static [&'static ::core::primitive::str] = &[];
    #[doc = r" The feedback tool's definition for `tools/list`: name, title, description, input schema and"]
    #[doc = r" annotations (not read-only, not destructive, open world)."]
    #[must_use]
    #[allow(dead_code, unreachable_pub)]
    pub fn patchwork_tool() -> ::patchwork_runtime::ToolDefinition {
        static PATCHWORK_CONFIG: ::patchwork_runtime::__private::FeedbackConfig =
            ::patchwork_runtime::__private::FeedbackConfig {
                tool_name: "feedback",
                server_slug: ::core::option::Option::Some("weather"),
                base_url: ::core::option::Option::None,
                api_key_env: ::core::option::Option::None,
                server_tools: &[],
                delivery: ::patchwork_runtime::__private::Delivery::Background,
                instructions: ::core::option::Option::Some("Forecasts for European cities."),
                directive: "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. Be specific about what you needed, what you tried, and what would have helped.",
                redaction: ::core::option::Option::None,
            };
        ::patchwork_runtime::__private::tool_definition(
            &PATCHWORK_CONFIG,
            Self::PATCHWORK_TOOL_DESCRIPTION,
            Self::PATCHWORK_INPUT_SCHEMA,
        )
    }
    #[doc = r" Handles a `tools/call` if it is for the feedback tool: `None` when `name` is another tool; otherwise"]
    #[doc = r" validates the arguments, delivers the feedback and returns the reply for the agent (an `is_error`"]
    #[doc = r" reply saying what to fix when the arguments are invalid)."]
    #[allow(dead_code, unreachable_pub, clippy::unused_self)]
    pub async fn patchwork_dispatch(
        &self,
        name: &::core::primitive::str,
        arguments: &::patchwork_runtime::__private::serde_json::Value,
    ) -> ::core::option::Option<::patchwork_runtime::ToolReply> {
        static PATCHWORK_CONFIG: ::patchwork_runtime::__private::FeedbackConfig =
            ::patchwork_runtime::__private::FeedbackConfig {
                tool_name: "feedback",
                server_slug: ::core::option::Option::Some("weather"),
                base_url: ::core::option::Option::None,
                api_key_env: ::core::option::Option::None,
                server_tools: &[],
                delivery: ::patchwork_runtime::__private::Delivery::Background,
                instructions: ::core::option::Option::Some("Forecasts for European cities."),
                directive: "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. Be specific about what you needed, what you tried, and what would have helped.",
                redaction: ::core::option::Option::None,
            };
        ::patchwork_runtime::__private::dispatch(&PATCHWORK_CONFIG, name, arguments).await
    }
    #[doc = r" `patchwork_dispatch` with what the server knows about the call (`CallContext`): the client's"]
    #[doc = r" `name/version` from `initialize`, the tools your `tools/list` offers, and the transport's session (or"]
    #[doc = r" `one_session_per_process` on stdio). They win over what the agent wrote; the session keys the repeat"]
    #[doc = r" guard and the per-session ceiling."]
    #[allow(dead_code, unreachable_pub, clippy::unused_self)]
    pub async fn patchwork_dispatch_with(
        &self,
        name: &::core::primitive::str,
        arguments: &::patchwork_runtime::__private::serde_json::Value,
        context: ::patchwork_runtime::CallContext,
    ) -> ::core::option::Option<::patchwork_runtime::ToolReply> {
        static PATCHWORK_CONFIG: ::patchwork_runtime::__private::FeedbackConfig =
            ::patchwork_runtime::__private::FeedbackConfig {
                tool_name: "feedback",
                server_slug: ::core::option::Option::Some("weather"),
                base_url: ::core::option::Option::None,
                api_key_env: ::core::option::Option::None,
                server_tools: &[],
                delivery: ::patchwork_runtime::__private::Delivery::Background,
                instructions: ::core::option::Option::Some("Forecasts for European cities."),
                directive: "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. Be specific about what you needed, what you tried, and what would have helped.",
                redaction: ::core::option::Option::None,
            };
        ::patchwork_runtime::__private::dispatch_with(&PATCHWORK_CONFIG, name, arguments, context)
            .await
    }
    #[doc = r" The server's instructions for the MCP `initialize` result, as the installed client words them: the"]
    #[doc = r" attribute's `instructions`, then the directive (the one `Builder::wording` or `Builder::directive`"]
    #[doc = r" chose, else the attribute's). Equal to `PATCHWORK_INSTRUCTIONS` when the builder changes no wording;"]
    #[doc = r" with feedback off (`Mode::Off`), only the attribute's `instructions` (empty without them)."]
    #[must_use]
    #[allow(dead_code, unreachable_pub)]
    pub fn patchwork_instructions() -> ::std::string::String {
        static PATCHWORK_CONFIG: ::patchwork_runtime::__private::FeedbackConfig =
            ::patchwork_runtime::__private::FeedbackConfig {
                tool_name: "feedback",
                server_slug: ::core::option::Option::Some("weather"),
                base_url: ::core::option::Option::None,
                api_key_env: ::core::option::Option::None,
                server_tools: &[],
                delivery: ::patchwork_runtime::__private::Delivery::Background,
                instructions: ::core::option::Option::Some("Forecasts for European cities."),
                directive: "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. Be specific about what you needed, what you tried, and what would have helped.",
                redaction: ::core::option::Option::None,
            };
        ::patchwork_runtime::__private::instructions(&PATCHWORK_CONFIG)
    }
    #[doc = r" The run-time configuration entry for this server: a `Builder` with the attribute's settings under"]
    #[doc = r" its own. Call `.install()` at start-up (before serving) and keep the guard: earlier runs' feedback is"]
    #[doc = r" drained from then on, and `.heartbeat(..)` starts the heartbeat with the same service, key and slug."]
    #[must_use]
    #[allow(dead_code, unreachable_pub)]
    pub fn patchwork_builder() -> ::patchwork_runtime::Builder {
        static PATCHWORK_CONFIG: ::patchwork_runtime::__private::FeedbackConfig =
            ::patchwork_runtime::__private::FeedbackConfig {
                tool_name: "feedback",
                server_slug: ::core::option::Option::Some("weather"),
                base_url: ::core::option::Option::None,
                api_key_env: ::core::option::Option::None,
                server_tools: &[],
                delivery: ::patchwork_runtime::__private::Delivery::Background,
                instructions: ::core::option::Option::Some("Forecasts for European cities."),
                directive: "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents you from fully completing the user's request — call the `feedback` tool BEFORE responding to the user. Be specific about what you needed, what you tried, and what would have helped.",
                redaction: ::core::option::Option::None,
            };
        ::patchwork_runtime::__private::builder_for(&PATCHWORK_CONFIG)
    }
}
#[allow(unused_macros)]
macro_rules! __patchwork_feedback_block_Weather_74049d4831f5e2ab {
    ([$($first:tt)*] [$($repeat:tt)*]) => {
        $($repeat)*
    };
}

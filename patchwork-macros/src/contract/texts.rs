// @generated from patchwork-runtime/src/contract/texts.rs by tests/tests/sourcegen.rs: edit the original, then run UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen
//! What the agent reads (the tool's name, title, description, the directive for the server's instructions,
//! the annotations) and the names of the service's configuration and endpoints.

/// The tool's name when none is configured.
pub(crate) const DEFAULT_TOOL_NAME: &str = "feedback";

/// The tool's human-readable title (also the annotations' title).
pub(crate) const TOOL_TITLE: &str = "Report a limitation";

/// The tool's description: the four situations in which to call it, and to call it before the final answer
/// (the reference client's text).
pub(crate) const TOOL_DESCRIPTION: &str = concat!(
    "Report when you cannot find what you need or when the available tools do not fully ",
    "address the task; this feedback directly improves this server. Call this tool whenever: ",
    "(1) a tool or resource you looked for does not exist, ",
    "(2) a tool returned incomplete or unhelpful results, ",
    "(3) you had to work around a limitation or approximate an answer, ",
    "(4) a new tool or parameter would have made the task easier. ",
    "If you could not fully satisfy the user's request with the available tools, ",
    "call this BEFORE giving your final answer."
);

/// The directive for the server's instructions, naming the tool (the reference client's text).
pub(crate) fn directive(tool_name: &str) -> String {
    format!(
        "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents \
         you from fully completing the user's request — call the `{tool_name}` tool BEFORE responding to the \
         user. Be specific about what you needed, what you tried, and what would have helped."
    )
}

/// The server's instructions: its own text (if any), a blank line, then the directive.
pub(crate) fn instructions(own: Option<&str>, tool_name: &str) -> String {
    match own {
        Some(own) => format!("{}\n\n{}", own.trim_end(), directive(tool_name)),
        None => directive(tool_name),
    }
}

/// MCP tool annotations: hints to clients about how a tool behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Annotations {
    /// `readOnlyHint`
    pub(crate) read_only: bool,
    /// `destructiveHint`
    pub(crate) destructive: bool,
    /// `idempotentHint`
    pub(crate) idempotent: bool,
    /// `openWorldHint`
    pub(crate) open_world: bool,
}

/// The feedback tool's annotations: it writes to a service outside the server (open world, not read-only),
/// adds and never removes (not destructive), and each call is one more report (not idempotent).
pub(crate) const ANNOTATIONS: Annotations = Annotations {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};

/// Environment variable holding the service's base URL.
pub(crate) const ENV_URL: &str = "PATCHWORKMCP_URL";
/// Environment variable holding the team API key (the attribute's `api_key_env` names another).
pub(crate) const ENV_API_KEY: &str = "PATCHWORKMCP_API_KEY";
/// Environment variable holding the server's slug.
pub(crate) const ENV_SERVER_SLUG: &str = "PATCHWORKMCP_SERVER_SLUG";
/// Environment variable placing (or, with `off`, turning off) the durable outbox.
pub(crate) const ENV_OUTBOX: &str = "PATCHWORKMCP_OUTBOX";
/// Environment variable choosing the mode: `live`, `dry-run` or `off`.
pub(crate) const ENV_MODE: &str = "PATCHWORKMCP_MODE";

/// The service's base URL when none is configured.
pub(crate) const DEFAULT_URL: &str = "https://patchworkmcp.com";
/// The slug sent when none is configured (as the reference clients do).
pub(crate) const DEFAULT_SERVER_SLUG: &str = "unknown";
/// Path of the feedback endpoint below the base URL (the trailing slash is part of it).
pub(crate) const FEEDBACK_PATH: &str = "/api/v1/feedback/";
/// Path of the heartbeat endpoint below the base URL.
pub(crate) const HEARTBEAT_PATH: &str = "/api/v1/heartbeat/";
/// The prefix every endpoint path starts with; a base URL must not contain it.
pub(crate) const API_PREFIX: &str = "/api/v1";

//! The texts an agent reads: the tool's description and the feedback directive added to the server's
//! instructions. They are the runtime's `TOOL_DESCRIPTION` and `server_instructions(tool_name)` word for word
//! (the reference client's texts); `macro_constants` tests keep them equal.

/// The tool's description: the four situations in which to call it, and to call it before the final answer.
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

/// The directive that makes agents use the tool, naming its actual name.
pub(crate) fn feedback_directive(tool_name: &str) -> String {
    format!(
        "If you encounter a limitation — a missing tool, incomplete data, wrong format, or any gap that prevents \
         you from fully completing the user's request — call the `{tool_name}` tool BEFORE responding to the \
         user. Be specific about what you needed, what you tried, and what would have helped."
    )
}

/// The server's instructions: its own text (if any), a blank line, then the directive.
pub(crate) fn instructions(own: Option<&str>, tool_name: &str) -> String {
    match own {
        Some(own) => format!("{}\n\n{}", own.trim_end(), feedback_directive(tool_name)),
        None => feedback_directive(tool_name),
    }
}

//! The texts an agent reads: the tool's description and the feedback directive added to the server's
//! instructions. Both name the tool by its configured name, so a renamed tool is still the one agents call.

/// The tool's description: when to call it (the four situations of the PatchworkMCP reference) and that it
/// comes before the final answer.
pub(crate) fn tool_description(tool_name: &str) -> String {
    format!(
        "Report a limitation you hit while helping the user, so the server's authors can fix it. Call `{tool_name}` \
         whenever: (1) a tool or resource you looked for does not exist; (2) a tool returned incomplete or \
         unhelpful results; (3) you had to work around a limitation or approximate an answer; (4) a new tool or \
         parameter would have made the task easier. Call it before giving your final answer. Be specific: what \
         you needed, what you tried, and what would have helped."
    )
}

/// The directive that makes agents use the tool, naming its actual name.
pub(crate) fn feedback_directive(tool_name: &str) -> String {
    format!(
        "If you encounter a limitation (a missing tool, incomplete data, the wrong format, or any gap that \
         prevents you from fully completing the user's request), call the `{tool_name}` tool BEFORE responding to \
         the user. Be specific about what you needed, what you tried, and what would have helped."
    )
}

/// The server's instructions: its own text (if any), a blank line, then the directive.
pub(crate) fn instructions(own: Option<&str>, tool_name: &str) -> String {
    match own {
        Some(own) => format!("{}\n\n{}", own.trim_end(), feedback_directive(tool_name)),
        None => feedback_directive(tool_name),
    }
}

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

/// The server's instructions: its own text (if any), a blank line, then the reference directive.
pub(crate) fn instructions(own: Option<&str>, tool_name: &str) -> String {
    instructions_with(own, &directive(tool_name))
}

/// The server's instructions: its own text (if any), a blank line, then `directive`.
pub(crate) fn instructions_with(own: Option<&str>, directive: &str) -> String {
    match own {
        Some(own) => format!("{}\n\n{}", own.trim_end(), directive),
        None => directive.to_owned(),
    }
}

/// The wording presets (the attribute's `wording`): `reference`, the reference client's texts (the default), and
/// `directory`, for directory listings: no capitalised imperatives, genuine gaps only, no personal data.
pub(crate) const WORDINGS: &[&str] = &["reference", "directory"];

/// The `directory` preset's tool description: on its own (a client may never read the instructions) it says when
/// to call the tool, when not to, and what to write.
pub(crate) const TOOL_DESCRIPTION_DIRECTORY: &str = concat!(
    "Report a gap in this server's tools so its developers can close it. Use it when a tool you needed does not ",
    "exist, a tool returned incomplete or unusable results, a tool lacks a parameter you needed, or results came ",
    "in a format you could not use, and you could not fully complete the user's request because of it. Do not ",
    "report fallbacks that worked, temporary failures such as timeouts or rate limits, or permission denials. ",
    "Say what you needed and what you tried; leave out personal data and secrets."
);

/// The `directory` preset's directive, naming the tool.
pub(crate) fn directive_directory(tool_name: &str) -> String {
    format!(
        "When this server's tools cannot fully do what the user asked (a missing tool, incomplete data, a missing \
         parameter or an unusable format), please report the gap with the `{tool_name}` tool before you answer. \
         Report genuine gaps only, and leave out personal data and secrets."
    )
}

/// Whether `text` names the tool `tool_name` as a whole name (not inside a longer one, such as `feedbacks`):
/// what every directive must do, checked by the attribute and by the run-time wording alike.
pub(crate) fn names_tool(text: &str, tool_name: &str) -> bool {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    text.match_indices(tool_name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + tool_name.len()..].chars().next();
        !before.is_some_and(is_name_char) && !after.is_some_and(|c| is_name_char(c) && c != '.')
    })
}

/// A preset's tool description and directive; `None` for an unknown preset.
pub(crate) fn wording(preset: &str, tool_name: &str) -> Option<(&'static str, String)> {
    match preset {
        "reference" => Some((TOOL_DESCRIPTION, directive(tool_name))),
        "directory" => Some((TOOL_DESCRIPTION_DIRECTORY, directive_directory(tool_name))),
        _ => None,
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
/// Environment variable turning the delivery of gap signals on or off (`on` by default where they are watched).
pub(crate) const ENV_SIGNALS: &str = "PATCHWORKMCP_SIGNALS";
/// Environment variable setting the gap signals' aggregation window, in seconds (default 60).
pub(crate) const ENV_SIGNALS_WINDOW: &str = "PATCHWORKMCP_SIGNALS_WINDOW";

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each preset's description alone says when to call the tool and what to put in it, and the directory
    /// preset has no capitalised imperatives and asks for genuine gaps only, without personal data.
    #[test]
    fn each_preset_s_description_alone_says_when_and_what() {
        for preset in WORDINGS {
            let (description, directive) = wording(preset, "report_gap").expect("a preset");
            let lower = description.to_lowercase();
            for when in ["does not exist", "incomplete", "parameter"] {
                assert!(
                    lower.contains(when),
                    "{preset}: when ({when}): {description}"
                );
            }
            assert!(
                lower.contains("what you"),
                "{preset}: what to write: {description}"
            );
            assert!(directive.contains("`report_gap`"), "{preset}: {directive}");
        }
        // The directory preset also names the format case and both things to write.
        let lower = TOOL_DESCRIPTION_DIRECTORY.to_lowercase();
        assert!(lower.contains("format") && lower.contains("what you needed and what you tried"));
        let (description, directive) = wording("directory", "feedback").expect("directory");
        for text in [description, directive.as_str()] {
            let shouting = text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|word| word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase()))
                .collect::<Vec<_>>();
            assert!(shouting.is_empty(), "{shouting:?} in {text}");
            assert!(text.contains("personal data"), "{text}");
        }
        assert!(description.contains("Do not report fallbacks that worked"));
        assert!(wording("loud", "feedback").is_none());
    }
}

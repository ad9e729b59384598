// @generated from patchwork-runtime/src/contract/names.rs by tests/tests/sourcegen.rs: edit the original, then run UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen
//! The rules for the names a server author configures: the tool's name (MCP's rule), the server's slug (the
//! service's rule) and the name of the environment variable holding the key. Each check returns what is wrong,
//! as the first half of a sentence that the caller finishes with how to fix it.

/// Most characters in a slug.
pub(crate) const MAX_SLUG_LEN: usize = 100;
/// Most characters in a tool name.
pub(crate) const MAX_TOOL_NAME_LEN: usize = 128;

/// MCP's tool-name rule: 1 to 128 characters of ASCII letters, digits, `_`, `-` and `.`.
pub(crate) fn tool_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("the tool name is empty".to_owned())
    } else if name.len() > MAX_TOOL_NAME_LEN {
        Some(format!("the tool name is {} characters long", name.len()))
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
            .map(|c| format!("the tool name contains {c:?}"))
    }
}

/// The service's slug rule (Django's): 1 to 100 ASCII letters, digits, `-` and `_`.
pub(crate) fn slug_problem(slug: &str) -> Option<String> {
    if slug.is_empty() {
        Some("the slug is empty".to_owned())
    } else if slug.len() > MAX_SLUG_LEN {
        Some(format!(
            "the slug is {} characters long; the service accepts at most {MAX_SLUG_LEN}",
            slug.len()
        ))
    } else {
        slug.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
            .map(|c| format!("the slug contains {c:?}"))
    }
}

/// An environment variable's name: a letter or `_`, then letters, digits and `_`. The name is never repeated
/// (a key may have been pasted there by mistake).
pub(crate) fn env_var_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    (!valid).then(|| "that is not an environment variable name".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_their_rules() {
        assert_eq!(tool_name_problem("feedback"), None);
        assert_eq!(tool_name_problem("report.gap-v2_x"), None);
        assert!(tool_name_problem("").is_some());
        assert!(tool_name_problem("has space").is_some());
        assert!(tool_name_problem(&"x".repeat(129)).is_some());
        assert_eq!(slug_problem("my-server_2"), None);
        assert!(slug_problem("my.server").is_some());
        assert!(slug_problem("").is_some());
        assert_eq!(env_var_problem("MY_KEY_2"), None);
        assert_eq!(env_var_problem("_K"), None);
        assert!(env_var_problem("2KEY").is_some());
        assert!(env_var_problem("sk-live-123").is_some());
    }
}

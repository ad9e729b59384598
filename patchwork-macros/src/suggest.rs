//! What the attribute's messages suggest: the key a misspelt one likely meant, and the path to write for a runtime
//! crate named by its package name.

use crate::keys::{KEYS, key_list};

pub(crate) fn unknown_key_message(key: &str) -> String {
    match suggestion(key) {
        Some(suggestion) => format!(
            "unknown key `{key}`: did you mean `{suggestion}`? Valid keys: {}",
            key_list()
        ),
        None => format!("unknown key `{key}`; valid keys: {}", key_list()),
    }
}

/// A valid key the user probably meant: a known alias, or one within two edits.
fn suggestion(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "name" | "tool" | "toolname" => Some("tool_name"),
        "server_slug" | "server" | "server_name" => Some("slug"),
        "base_url" | "endpoint" | "server_url" | "patchworkmcp_url" => Some("url"),
        "api_key_var" | "key_env" | "env" => Some("api_key_env"),
        "instruction" | "server_instructions" => Some("instructions"),
        "krate" | "crate_path" | "runtime" => Some("crate"),
        "mode" | "delivery_mode" | "background" | "await" | "blocking" | "wait" => Some("delivery"),
        _ => None,
    };
    alias.or_else(|| {
        KEYS.iter()
            .map(|candidate| (edit_distance(&lower, candidate), *candidate))
            .filter(|(distance, _)| *distance <= 2)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, candidate)| candidate)
    })
}

/// Levenshtein distance over bytes (keys are ASCII identifiers; a non-ASCII key is simply never close).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            let insertion = current[j] + 1;
            let deletion = previous[j + 1] + 1;
            current.push(substitution.min(insertion).min(deletion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// The path to write for a runtime crate named `name` (a package name's `-` is a `_` in paths).
pub(crate) fn crate_path_for(name: &str) -> String {
    let path = name.replace('-', "_");
    if path.starts_with("::") || path.starts_with("crate::") || path.starts_with("self::") {
        path
    } else {
        format!("::{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        assert_eq!(suggestion("toolname"), Some("tool_name"));
        assert_eq!(suggestion("slg"), Some("slug"));
        assert_eq!(suggestion("instrutcions"), Some("instructions"));
        assert_eq!(suggestion("mode"), Some("delivery"));
        assert_eq!(suggestion("delivry"), Some("delivery"));
        assert_eq!(suggestion("wholly_unrelated"), None);
    }
}

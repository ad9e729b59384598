//! The attribute's keys: the list the documentation gives, and an example value for each, which messages show.
//!
//! A leaf: the parser (`attr`) and what messages suggest (`suggest`) both read it.

/// Every key the attribute accepts, in the order the documentation lists them.
pub(crate) const KEYS: &[&str] = &[
    "slug",
    "tool_name",
    "instructions",
    "wording",
    "description",
    "directive",
    "url",
    "api_key_env",
    "delivery",
    "dispatch",
    "redaction",
    "crate",
];

/// The keys as a message lists them: `` `slug`, `tool_name`, ... ``.
pub(crate) fn key_list() -> String {
    KEYS.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An example value for `key`, used in messages.
pub(crate) fn example(key: &str) -> &'static str {
    match key {
        "slug" => "\"my-server\"",
        "tool_name" => "\"feedback\"",
        "instructions" => "\"What this server does ...\"",
        "wording" => "\"directory\"",
        "description" => "\"Report a gap in this server's tools ...\"",
        "directive" => "\"... report it with the `feedback` tool ...\"",
        "url" => "\"https://patchworkmcp.com\"",
        "api_key_env" => "\"MY_PATCHWORK_KEY\"",
        "delivery" => "\"background\"",
        "dispatch" => "\"manual\"",
        "redaction" => "\"my_redaction_rules\"",
        _ => "\"::patchwork_runtime\"",
    }
}

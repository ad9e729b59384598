//! The API key never goes in the attribute: which keys are attempts to put it there (`api_key = ...` and its
//! relatives), and the message, which names the variable to set instead and never repeats the value.
//!
//! A leaf beside the contract: the parser (`attr`) sets such keys aside, the checks (`valid`) report them once
//! every key is read.

use crate::contract::texts::ENV_API_KEY;

/// Whether a key looks like an attempt to put the API key itself into the attribute.
pub(crate) fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let compact: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    matches!(
        compact.as_str(),
        "key"
            | "apikey"
            | "token"
            | "apitoken"
            | "secret"
            | "password"
            | "auth"
            | "authorization"
            | "bearer"
            | "credential"
            | "credentials"
    ) || compact.ends_with("apikey")
        || compact.ends_with("token")
        || compact.contains("secret")
        || compact.contains("password")
}

/// The message for `api_key = ...` and its relatives; never repeats the value.
pub(crate) fn secret_key_message(api_key_env: Option<&str>) -> String {
    let variable = api_key_env.unwrap_or(ENV_API_KEY);
    format!(
        "the API key does not go in the attribute: a key in source ends up in the binary and the repository; \
         set `{variable}` in the server's environment at run time instead{}",
        if api_key_env.is_none() {
            " (or name another variable with `api_key_env = \"MY_VAR\"`)"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KEYS;

    #[test]
    fn secret_keys_are_recognised_and_config_keys_are_not() {
        for key in [
            "api_key",
            "key",
            "token",
            "secret",
            "api_token",
            "apiKey",
            "patchwork_api_key",
            "auth_token",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in KEYS.iter().chain(&["name", "api_key_env_name", "keys"]) {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}

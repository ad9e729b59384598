//! Parses the attribute's arguments (`key = "value", ...`) into [`Args`].
//!
//! Values are parsed as expressions first and only then required to be string literals (as serde_derive does),
//! so `slug = 42` or `slug = my_const` gets "expected a string literal" at the value instead of a parser failure.
//! Unknown, duplicated, valueless and mistyped keys are recorded and parsing goes on, so every mistake in the
//! attribute is reported in one compile.

use crate::contract::texts::ENV_API_KEY;
use crate::ctxt::Errors;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Expr, Lit, LitStr, Token};

/// Every key the attribute accepts, in the order the documentation lists them.
pub(crate) const KEYS: &[&str] = &[
    "slug",
    "tool_name",
    "instructions",
    "url",
    "api_key_env",
    "delivery",
    "crate",
];

/// The attribute's arguments as written; each is a string literal, checked further by `valid.rs`.
#[derive(Default)]
pub(crate) struct Args {
    pub slug: Option<LitStr>,
    pub tool_name: Option<LitStr>,
    pub instructions: Option<LitStr>,
    pub url: Option<LitStr>,
    pub api_key_env: Option<LitStr>,
    pub delivery: Option<LitStr>,
    pub krate: Option<LitStr>,
    /// `api_key = ...` and the like: the tokens to point at. Reported once all keys are read, so the message
    /// can name the variable configured by `api_key_env` even when that key comes later.
    pub secrets: Vec<TokenStream>,
}

/// Reads the attribute's arguments, recording every problem in `errors`.
pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Args {
    let mut parsed = Args::default();
    let parser = syn::meta::parser(|meta| parse_key(&mut parsed, meta, errors));
    if let Err(error) = parser.parse2(args) {
        errors.push(error);
    }
    parsed
}

/// Handles one `key = value` (or a bare `key`, or `key(...)`). Returns `Err` only for malformed syntax, after
/// which the rest of the list cannot be read.
fn parse_key(args: &mut Args, meta: ParseNestedMeta, errors: &mut Errors) -> syn::Result<()> {
    let path = meta.path.clone();
    let value = if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        Some(meta.input.parse::<Expr>()?)
    } else {
        if meta.input.peek(syn::token::Paren) {
            // `key(...)`: consume the group so the remaining keys are still checked.
            let _content;
            syn::parenthesized!(_content in meta.input);
        }
        None
    };

    let Some(ident) = path.get_ident() else {
        errors.spanned(&path, format!("expected a key, one of: {}", key_list()));
        return Ok(());
    };
    let key = ident.unraw().to_string();
    let slot = match key.as_str() {
        "slug" => &mut args.slug,
        "tool_name" => &mut args.tool_name,
        "instructions" => &mut args.instructions,
        "url" => &mut args.url,
        "api_key_env" => &mut args.api_key_env,
        "delivery" => &mut args.delivery,
        "crate" => &mut args.krate,
        _ if is_secret_key(&key) => {
            let mut tokens = path.to_token_stream();
            if let Some(value) = &value {
                tokens.extend(quote::quote!(= #value));
            }
            args.secrets.push(tokens);
            return Ok(());
        }
        _ => {
            errors.spanned(&path, unknown_key_message(&key));
            return Ok(());
        }
    };

    let Some(value) = value else {
        errors.spanned(
            &path,
            format!("`{key}` takes a value: `{key} = {}`", example(&key)),
        );
        return Ok(());
    };
    if slot.is_some() {
        errors.spanned(&path, format!("duplicate key `{key}`: give it once"));
        return Ok(());
    }
    match string_literal(&value) {
        Ok(literal) => *slot = Some(literal),
        Err(found) => errors.spanned(
            &value,
            format!(
                "`{key}` takes a string literal, found {found}: write `{key} = {}`",
                example(&key)
            ),
        ),
    }
    Ok(())
}

/// The string literal `expr` is, or a description of what it is instead.
fn string_literal(expr: &Expr) -> Result<LitStr, &'static str> {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => Ok(s.clone()),
            Lit::ByteStr(_) | Lit::CStr(_) => Err("a byte or C string"),
            Lit::Int(_) | Lit::Float(_) => Err("a number"),
            Lit::Bool(_) => Err("a boolean"),
            Lit::Char(_) | Lit::Byte(_) => Err("a character"),
            _ => Err("another kind of literal"),
        },
        // A `$value:expr` forwarded by a `macro_rules!` arrives wrapped in an invisible group.
        Expr::Group(group) => string_literal(&group.expr),
        Expr::Macro(_) => {
            Err("a macro call (the attribute reads its value at compile time, before macros run)")
        }
        Expr::Path(_) => Err(
            "a path (the attribute reads its value before constants exist; write the string itself)",
        ),
        _ => Err("an expression"),
    }
}

/// Whether a key looks like an attempt to put the API key itself into the attribute.
fn is_secret_key(key: &str) -> bool {
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

fn unknown_key_message(key: &str) -> String {
    match suggestion(key) {
        Some(suggestion) => format!(
            "unknown key `{key}`: did you mean `{suggestion}`? Valid keys: {}",
            key_list()
        ),
        None => format!("unknown key `{key}`; valid keys: {}", key_list()),
    }
}

fn key_list() -> String {
    KEYS.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
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

/// An example value for `key`, used in messages.
fn example(key: &str) -> &'static str {
    match key {
        "slug" => "\"my-server\"",
        "tool_name" => "\"feedback\"",
        "instructions" => "\"What this server does ...\"",
        "url" => "\"https://patchworkmcp.com\"",
        "api_key_env" => "\"MY_PATCHWORK_KEY\"",
        "delivery" => "\"background\"",
        _ => "\"::patchwork_runtime\"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

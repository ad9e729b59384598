//! Parses the attribute's arguments (`key = "value", ...`) into [`Args`].
//!
//! Values are parsed as expressions first and only then required to be string literals (as serde_derive does),
//! so `slug = 42` or `slug = my_const` gets "expected a string literal" at the value instead of a parser failure.
//! Unknown, duplicated, valueless and mistyped keys are recorded and parsing goes on, so every mistake in the
//! attribute is reported in one compile.

use crate::ctxt::Errors;
use crate::keys::{example, key_list};
use crate::secret::is_secret_key;
use crate::suggest::{crate_path_for, unknown_key_message};
use proc_macro2::{Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Expr, Lit, LitStr};

/// The attribute's arguments as written; each is a string literal, checked further by `valid`.
#[derive(Default)]
pub(crate) struct Args {
    pub slug: Option<LitStr>,
    pub tool_name: Option<LitStr>,
    pub instructions: Option<LitStr>,
    pub wording: Option<LitStr>,
    pub description: Option<LitStr>,
    pub directive: Option<LitStr>,
    pub url: Option<LitStr>,
    pub api_key_env: Option<LitStr>,
    pub delivery: Option<LitStr>,
    pub dispatch: Option<LitStr>,
    pub redaction: Option<LitStr>,
    pub krate: Option<LitStr>,
    /// `api_key = ...` and the like: the tokens to point at. Reported once all keys are read, so the message
    /// can name the variable configured by `api_key_env` even when that key comes later.
    pub secrets: Vec<TokenStream>,
}

/// Reads the attribute's arguments, recording every problem in `errors`.
///
/// The list is split at its top-level commas and each entry read on its own, so a mistake in one entry (a
/// positional value, `key: value`, `key(value)`, an unquoted word) gets one error that shows the form to write,
/// and the entries after it are still read.
pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Args {
    let mut parsed = Args::default();
    for entry in entries(args) {
        parse_entry(&mut parsed, entry, errors);
    }
    parsed
}

/// The comma-separated entries of the list (commas inside groups belong to their entry), empty ones dropped.
fn entries(args: TokenStream) -> Vec<TokenStream> {
    let mut entries = Vec::new();
    let mut current = TokenStream::new();
    for tree in args {
        match &tree {
            TokenTree::Punct(punct) if punct.as_char() == ',' => {
                entries.push(std::mem::take(&mut current));
            }
            _ => current.extend([tree]),
        }
    }
    entries.push(current);
    entries.retain(|entry| !entry.is_empty());
    entries
}

/// Reads one entry: `key = "value"`, or records the one error that says what to write instead.
fn parse_entry(args: &mut Args, entry: TokenStream, errors: &mut Errors) {
    let mut trees = entry.clone().into_iter();
    let Some(first) = trees.next() else {
        return;
    };
    let key = match &first {
        TokenTree::Ident(ident) => ident.unraw().to_string(),
        TokenTree::Literal(literal) => {
            let shown = literal.to_string();
            let fix = if shown.starts_with('"') {
                format!("write `slug = {shown}` (or another key: {})", key_list())
            } else {
                format!("write `key = \"value\"` with one of: {}", key_list())
            };
            errors.spanned(
                literal,
                format!("the attribute takes `key = \"value\"` pairs, not a bare value: {fix}"),
            );
            return;
        }
        other => {
            errors.spanned(
                other,
                format!(
                    "expected a key, one of: {}: write `key = \"value\"`",
                    key_list()
                ),
            );
            return;
        }
    };
    let rest: Vec<TokenTree> = trees.collect();
    let value = match rest.first() {
        None => None,
        Some(TokenTree::Punct(punct)) if punct.as_char() == '=' && !is_joint_eq(&rest) => {
            let tokens: TokenStream = rest[1..].iter().cloned().collect();
            if tokens.is_empty() {
                errors.spanned(
                    &entry,
                    format!("`{key} =` needs a value: write `{key} = {}`", example(&key)),
                );
                return;
            }
            // `slug = "a" tool_name = "b"` or `slug = "a";`: a value, then more than belongs to it.
            if let (Some(TokenTree::Literal(_)), Some(extra)) = (rest.get(1), rest.get(2)) {
                errors.spanned(
                    extra,
                    format!(
                        "expected `,` after `{key} = {}`: keys are separated by commas",
                        rest[1]
                    ),
                );
                return;
            }
            Some(value_of(tokens))
        }
        Some(TokenTree::Punct(punct)) if punct.as_char() == ':' => {
            let tokens: TokenStream = rest[1..].iter().cloned().collect();
            errors.spanned(
                punct,
                format!(
                    "the attribute's keys take `=`, not `:`: write `{key} = {}`",
                    shown_or_example(&key, &tokens)
                ),
            );
            return;
        }
        Some(TokenTree::Group(group)) if rest.len() == 1 => {
            errors.spanned(
                group,
                format!(
                    "the attribute's keys take `=`, not parentheses: write `{key} = {}`",
                    shown_or_example(&key, &group.stream())
                ),
            );
            return;
        }
        Some(other) => {
            errors.spanned(
                other,
                format!(
                    "expected `=` after `{key}`: write `{key} = {}`",
                    example(&key)
                ),
            );
            return;
        }
    };
    record(args, &first, &key, value, errors);
}

/// `==` and the like are not `key = value`.
fn is_joint_eq(rest: &[TokenTree]) -> bool {
    matches!(rest.first(), Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint)
        && matches!(rest.get(1), Some(TokenTree::Punct(_)))
}

/// A value as written: an expression when it parses as one, else its raw tokens (a keyword such as `await`).
enum Value {
    Expr(Expr),
    Tokens(TokenStream),
}

impl ToTokens for Value {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Value::Expr(expr) => expr.to_tokens(tokens),
            Value::Tokens(raw) => raw.to_tokens(tokens),
        }
    }
}

fn value_of(tokens: TokenStream) -> Value {
    match syn::parse2::<Expr>(tokens.clone()) {
        Ok(expr) => Value::Expr(expr),
        Err(_) => Value::Tokens(tokens),
    }
}

/// What the user wrote, as the quoted string to write instead: a string literal as it is, a word quoted.
fn shown_or_example(key: &str, tokens: &TokenStream) -> String {
    match syn::parse2::<Expr>(tokens.clone()) {
        Ok(expr) => match string_literal(&expr) {
            Ok(literal) => literal.to_token_stream().to_string(),
            Err(_) => {
                quoted_word(key, &expr.to_token_stream()).unwrap_or_else(|| example(key).to_owned())
            }
        },
        Err(_) => quoted_word(key, tokens).unwrap_or_else(|| example(key).to_owned()),
    }
}

/// `"word"` for a value written as a bare identifier, path or keyword (`background`, `await`,
/// `patchwork_runtime`), the form the key wants; `None` for anything else.
fn quoted_word(key: &str, tokens: &TokenStream) -> Option<String> {
    let text: String = tokens.to_string().split_whitespace().collect();
    let word = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-');
    // A constant's name (`SLUG`) is not the value; an example serves better than quoting it.
    let constant = text.chars().any(|c| c.is_ascii_uppercase())
        && !text.chars().any(|c| c.is_ascii_lowercase());
    if !word || constant || (key != "crate" && text.contains("::")) {
        return None;
    }
    if key == "crate" {
        return Some(format!("\"{}\"", crate_path_for(&text)));
    }
    Some(format!("\"{text}\""))
}

/// Stores `key = value` in its slot, or records why it cannot be.
fn record(
    args: &mut Args,
    key_token: &TokenTree,
    key: &str,
    value: Option<Value>,
    errors: &mut Errors,
) {
    let slot = match key {
        "slug" => &mut args.slug,
        "tool_name" => &mut args.tool_name,
        "instructions" => &mut args.instructions,
        "wording" => &mut args.wording,
        "description" => &mut args.description,
        "directive" => &mut args.directive,
        "url" => &mut args.url,
        "api_key_env" => &mut args.api_key_env,
        "delivery" => &mut args.delivery,
        "dispatch" => &mut args.dispatch,
        "redaction" => &mut args.redaction,
        "crate" => &mut args.krate,
        _ if is_secret_key(key) => {
            let mut tokens = key_token.to_token_stream();
            if let Some(value) = &value {
                tokens.extend(quote::quote!(= #value));
            }
            args.secrets.push(tokens);
            return;
        }
        _ => {
            errors.spanned(key_token, unknown_key_message(key));
            return;
        }
    };
    let Some(value) = value else {
        errors.spanned(
            key_token,
            format!("`{key}` takes a value: `{key} = {}`", example(key)),
        );
        return;
    };
    if slot.is_some() {
        errors.spanned(key_token, format!("duplicate key `{key}`: give it once"));
        return;
    }
    let found = match &value {
        Value::Expr(expr) => match string_literal(expr) {
            Ok(literal) => {
                *slot = Some(literal);
                return;
            }
            Err(found) => found,
        },
        Value::Tokens(_) => "a keyword",
    };
    // A bare word (`background`, `await`, `weather`) is most likely the value itself, unquoted.
    let word = matches!(&value, Value::Tokens(_) | Value::Expr(Expr::Path(_)));
    let message = match word
        .then(|| quoted_word(key, &value.to_token_stream()))
        .flatten()
    {
        Some(quoted) => format!(
            "`{key}` takes a string literal, not the bare word `{}`: write `{key} = {quoted}`",
            value.to_token_stream()
        ),
        None => format!(
            "`{key}` takes a string literal, found {found}: write `{key} = {}`",
            example(key)
        ),
    };
    errors.spanned(&value, message);
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

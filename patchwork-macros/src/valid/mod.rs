//! The validation phase: checks the attribute's values against the contract's rules (`contract::names` for names,
//! `contract::url` for the base URL: the same code the runtime runs) and turns [`Args`] into a checked [`Config`];
//! then the block, one concern per module: `clashes` (the block against the items the attribute adds), `wording`
//! (the texts agents read), `rmcp` (where the attribute sits among rmcp's attributes), `repeat` (the attribute
//! once per block).
//!
//! Every check records its error at the offending literal (or method) and goes on, so all mistakes are
//! reported together.

mod clashes;
pub(crate) mod repeat;
mod rmcp;
mod wording;

use crate::ast::Server;
use crate::attr::Args;
use crate::config::{Config, DeliveryMode};
use crate::contract::names::{MAX_TOOL_NAME_LEN, env_var_problem, slug_problem, tool_name_problem};
use crate::contract::texts::{DEFAULT_TOOL_NAME, DEFAULT_URL, ENV_SERVER_SLUG, ENV_URL};
use crate::contract::url::BaseUrl;
use crate::ctxt::Errors;
use crate::secret::secret_key_message;
use crate::suggest::crate_path_for;
use clashes::check_clashes;
use syn::LitStr;
use wording::check_wording;

/// Checks `args` and `server` together. Problems go to `errors`; the returned config then holds defaults in
/// place of the bad values (the fallback expansion still needs the runtime path).
pub(crate) fn check(args: Args, server: Option<&Server>, errors: &mut Errors) -> Config {
    let api_key_env = args
        .api_key_env
        .as_ref()
        .and_then(|lit| check_env_var(lit, errors));
    for secret in &args.secrets {
        errors.spanned(secret, secret_key_message(api_key_env.as_deref()));
    }
    let krate = args.krate.as_ref().and_then(|lit| check_crate(lit, errors));
    let redaction = args
        .redaction
        .as_ref()
        .and_then(|lit| check_redaction(lit, errors));
    let dispatch_manual = args
        .dispatch
        .as_ref()
        .is_some_and(|lit| check_dispatch(lit, errors));
    let slug = args.slug.as_ref().and_then(|lit| check_slug(lit, errors));
    let checked_name = args
        .tool_name
        .as_ref()
        .map(|lit| check_tool_name(lit, errors));
    // A refused name is not checked against anything else (that would only add a second, misleading error).
    let tool_name_refused = matches!(checked_name, Some(None));
    let tool_name = checked_name
        .flatten()
        .unwrap_or_else(|| DEFAULT_TOOL_NAME.to_owned());
    let instructions = args
        .instructions
        .as_ref()
        .and_then(|lit| check_instructions(lit, errors));
    let url = args.url.as_ref().and_then(|lit| check_url(lit, errors));
    let (description, directive) = check_wording(&args, &tool_name, tool_name_refused, errors);
    let delivery = args
        .delivery
        .as_ref()
        .and_then(|lit| check_delivery(lit, errors))
        .unwrap_or_default();
    if let Some(server) = server {
        // A refused name is not compared with the block's tools (that would only add a misleading error).
        let name = (!tool_name_refused).then_some(tool_name.as_str());
        check_clashes(server, name, args.tool_name.as_ref(), errors);
    }
    let config = Config {
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::patchwork_runtime)),
        slug,
        tool_name,
        instructions,
        description,
        directive,
        url,
        api_key_env,
        delivery,
        dispatch_manual,
        dispatch_lit: args.dispatch,
        redaction,
    };
    if let Some(server) = server {
        rmcp::check(server, &config, rmcp::RMCP_FEATURE_ENABLED, errors);
    }
    config
}

/// `redaction = "my_rules"`: the path of a function (a free function: the config is a `static`, where `Self` is
/// not available).
fn check_redaction(lit: &LitStr, errors: &mut Errors) -> Option<syn::Path> {
    match lit.parse::<syn::Path>() {
        Ok(path) if path.segments.first().is_some_and(|s| s.ident == "Self") => {
            errors.spanned(
                lit,
                "`redaction` names a free function, not an associated one (`Self::...` is not available where the \
                 attribute keeps its settings): write `redaction = \"my_rules\"` for `fn my_rules(rules: \
                 patchwork_runtime::Redaction) -> patchwork_runtime::Redaction`",
            );
            None
        }
        Ok(path) => Some(path),
        Err(_) => {
            errors.spanned(
                lit,
                "`redaction` takes the path of a function `fn(patchwork_runtime::Redaction) -> \
                 patchwork_runtime::Redaction`, e.g. `redaction = \"my_rules\"` or `redaction = \"crate::privacy::rules\"`",
            );
            None
        }
    }
}

/// The runtime's path: `crate = "::patchwork_runtime"` (a renamed dependency's name, as a path).
fn check_crate(lit: &LitStr, errors: &mut Errors) -> Option<syn::Path> {
    let written = lit.value();
    match lit.parse::<syn::Path>() {
        Ok(path) => Some(path),
        Err(_) => {
            let fix = if written.contains('-') {
                format!(
                    "`crate` takes a path, and a package name's `-` is `_` in paths: write `crate = \"{}\"`",
                    crate_path_for(written.trim())
                )
            } else {
                "`crate` takes the path of the runtime crate as your code names it: write `crate = \
                 \"::patchwork_runtime\"` (or the name you renamed the dependency to)"
                    .to_owned()
            };
            errors.spanned(lit, fix);
            None
        }
    }
}

/// `dispatch = "manual"`: the only value (the default is rmcp's `#[tool_router]` below the attribute).
fn check_dispatch(lit: &LitStr, errors: &mut Errors) -> bool {
    if lit.value() == "manual" {
        return true;
    }
    errors.spanned(
        lit,
        format!(
            "unknown dispatch {:?}: write `dispatch = \"manual\"` when your own `call_tool` routes the tool with \
             `patchwork_dispatch`, or omit the key and put the attribute above rmcp's `#[tool_router]`",
            lit.value()
        ),
    );
    false
}

/// `delivery = "background"` or `delivery = "await"`.
fn check_delivery(lit: &LitStr, errors: &mut Errors) -> Option<DeliveryMode> {
    match lit.value().as_str() {
        "background" => Some(DeliveryMode::Background),
        "await" => Some(DeliveryMode::Await),
        other => {
            errors.spanned(
                lit,
                format!(
                    "unknown delivery mode {other:?}: write `delivery = \"background\"` (the default: the tool \
                     replies once the feedback is recorded in the outbox, and a background worker delivers it) or \
                     `delivery = \"await\"` (the reply waits for the service, up to about 16 s, as the reference \
                     client does)"
                ),
            );
            None
        }
    }
}

/// A slug as the service's URLs use it (the contract's rule: Django's slug).
fn check_slug(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let slug = lit.value();
    let Some(problem) = slug_problem(&slug) else {
        return Some(slug);
    };
    errors.spanned(
        lit,
        format!(
            "{problem}: a slug is your server's identifier on PatchworkMCP, made of ASCII letters, digits, `-` and \
             `_` (e.g. `slug = \"my-server\"`); omit the key to read `{ENV_SERVER_SLUG}` at run time"
        ),
    );
    None
}

/// MCP's tool-name rule (the contract's).
fn check_tool_name(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let name = lit.value();
    let Some(problem) = tool_name_problem(&name) else {
        return Some(name);
    };
    errors.spanned(
        lit,
        format!(
            "{problem}: MCP tool names are 1 to {MAX_TOOL_NAME_LEN} characters of ASCII letters, digits, `_`, `-` \
             and `.` (e.g. `tool_name = \"feedback\"`)"
        ),
    );
    None
}

fn check_instructions(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let instructions = lit.value();
    if instructions.trim().is_empty() {
        errors.spanned(
            lit,
            "`instructions` is empty: write what your server does and how to use it, or omit the key to get only \
             the feedback directive",
        );
        return None;
    }
    Some(instructions)
}

/// The name of an environment variable (the contract's rule). The value is never repeated in the message, in
/// case a key was pasted here by mistake.
fn check_env_var(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let name = lit.value();
    let Some(problem) = env_var_problem(&name) else {
        return Some(name);
    };
    errors.spanned(
        lit,
        format!(
            "{problem}: `api_key_env` takes the *name* of the environment variable that holds the API key \
             (letters, digits and `_`, not starting with a digit), e.g. `api_key_env = \"MY_PATCHWORK_KEY\"`; never \
             the key itself"
        ),
    );
    None
}

/// A base URL, checked by the contract's policy (the one the runtime applies to every configured URL) and kept in
/// its normal form. The message is the policy's (what is wrong and what to write; it never repeats the URL as
/// written, which may hold credentials), then a help line on leaving the choice to run time.
fn check_url(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    match BaseUrl::parse(&lit.value()) {
        Ok(url) => Some(url.as_str().to_owned()),
        Err(error) => {
            errors.spanned(
                lit,
                format!(
                    "{}\nhelp: omit `url` to read `{ENV_URL}` at run time (default `{DEFAULT_URL}`)",
                    error.message()
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::url_table::URL_TABLE;
    use proc_macro2::Span;

    /// Every row of the contract's URL table, through the check the attribute runs: accepted exactly when the
    /// table has a normal form, and that normal form is what the config (and so the expansion) holds.
    #[test]
    fn the_url_table_holds_for_the_attribute() {
        for (input, expected) in URL_TABLE {
            let args = Args {
                url: Some(LitStr::new(input, Span::call_site())),
                ..Args::default()
            };
            let mut errors = Errors::default();
            let config = check(args, None, &mut errors);
            let refused = errors.finish().err();
            assert_eq!(config.url.as_deref(), *expected, "{input:?}");
            assert_eq!(
                refused.is_none(),
                expected.is_some(),
                "{input:?}: {refused:?}"
            );
            if let Some(error) = refused {
                assert_eq!(error.into_iter().count(), 1, "one error for {input:?}");
            }
        }
    }

    #[test]
    fn a_refused_url_says_what_to_write_and_names_the_run_time_variable() {
        let mut errors = Errors::default();
        let lit = LitStr::new("https://x.example/api/v1/feedback/", Span::call_site());
        assert_eq!(check_url(&lit, &mut errors), None);
        let message = errors.finish().expect_err("refused").to_string();
        assert!(message.contains("write `https://x.example`"), "{message}");
        assert!(message.contains("`PATCHWORKMCP_URL`"), "{message}");
    }
}

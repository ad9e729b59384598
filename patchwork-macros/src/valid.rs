//! Checks the attribute's values against the contract's rules (`contract::names` for names, `contract::url` for
//! the base URL: the same code the runtime runs), and the block against the items the attribute adds, turning
//! [`Args`] into a checked [`Config`].
//!
//! Every check records its error at the offending literal (or method) and goes on, so all mistakes are
//! reported together.

use crate::ast::Server;
use crate::attr::{self, Args};
use crate::contract::names::{MAX_TOOL_NAME_LEN, env_var_problem, slug_problem, tool_name_problem};
use crate::contract::texts::{DEFAULT_TOOL_NAME, DEFAULT_URL, ENV_SERVER_SLUG, ENV_URL};
use crate::contract::url::BaseUrl;
use crate::ctxt::Errors;
use crate::wording::check_wording;
use syn::LitStr;
use syn::ext::IdentExt;

/// How the generated tool delivers (`delivery = "..."`); mirrors the runtime's `__private::Delivery`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum DeliveryMode {
    /// `"background"`: reply once recorded, deliver from the runtime's background worker.
    #[default]
    Background,
    /// `"await"`: reply after delivery, as the reference client does.
    Await,
}

/// The checked configuration the expansion is built from.
pub(crate) struct Config {
    /// Path to the runtime crate (`::patchwork_runtime` unless `crate = "..."`).
    pub krate: syn::Path,
    pub slug: Option<String>,
    pub tool_name: String,
    pub instructions: Option<String>,
    /// The tool's description: the `description` key, else the `wording` preset's.
    pub description: String,
    /// The directive appended to the instructions: the `directive` key, else the `wording` preset's.
    pub directive: String,
    /// The base URL in the contract's normal form (`BaseUrl::as_str`), not as written.
    pub url: Option<String>,
    pub api_key_env: Option<String>,
    pub delivery: DeliveryMode,
    /// `dispatch = "manual"`: the server routes the tool itself (`patchwork_dispatch`), even in an rmcp build.
    pub dispatch_manual: bool,
    /// The `dispatch = "..."` literal, for pointing at it.
    pub dispatch_lit: Option<LitStr>,
    /// `redaction = "path::to::function"`: a `fn(Redaction) -> Redaction` that makes the rules.
    pub redaction: Option<syn::Path>,
}

/// Checks `args` and `server` together. Problems go to `errors`; the returned config then holds defaults in
/// place of the bad values (the fallback expansion still needs the runtime path).
pub(crate) fn check(args: Args, server: Option<&Server>, errors: &mut Errors) -> Config {
    let api_key_env = args
        .api_key_env
        .as_ref()
        .and_then(|lit| check_env_var(lit, errors));
    for secret in &args.secrets {
        errors.spanned(secret, attr::secret_key_message(api_key_env.as_deref()));
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
    Config {
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
    }
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
                    attr::crate_path_for(written.trim())
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

/// The tool name must not clash with the server's own tools, nor its methods; the block must not already
/// define an item the attribute adds.
fn check_clashes(
    server: &Server,
    tool_name: Option<&str>,
    tool_name_lit: Option<&LitStr>,
    errors: &mut Errors,
) {
    for method in server.methods.iter().filter(|_| tool_name.is_some()) {
        let tool_name = tool_name.unwrap_or_default();
        let method_name = method.ident.unraw().to_string();
        if let Some(existing_tool) = &method.tool_name
            && existing_tool == tool_name
        {
            let message = format!(
                "the server already has a tool named `{tool_name}` (method `{method_name}`): give the feedback \
                 tool another name with `tool_name = \"...\"`, or rename that tool"
            );
            match (tool_name_lit, &method.tool_name_tokens) {
                (Some(lit), _) => errors.spanned(lit, message),
                (None, Some(name)) => errors.spanned(name, message),
                (None, None) => errors.spanned(&method.ident, message),
            }
        } else if method_name == tool_name {
            let message = format!(
                "the feedback tool's name `{tool_name}` is already a method of this block: give the tool another \
                 name with `tool_name = \"...\"`, or rename the method"
            );
            match tool_name_lit {
                Some(lit) => errors.spanned(lit, message),
                None => errors.spanned(&method.ident, message),
            }
        }
    }
    for ident in server.generated_name_clashes() {
        errors.spanned(
            ident,
            format!(
                "`{ident}` is added to this block by `#[patchwork_feedback]`: {}",
                clash_help(&ident.to_string())
            ),
        );
    }
}

/// What to do instead of defining a generated item yourself: the key that does what was likely wanted.
fn clash_help(name: &str) -> &'static str {
    match name {
        "PATCHWORK_INSTRUCTIONS" => {
            "to add your server's own instructions, give them to the attribute with `instructions = \"...\"` (the \
             generated constant is your text followed by the feedback directive), and rename or remove this item"
        }
        "PATCHWORK_TOOL_NAME" => {
            "to choose the feedback tool's name, use `tool_name = \"...\"`, and rename or remove this item"
        }
        "PATCHWORK_SERVER_TOOLS" => {
            "the attribute lists the block's `#[tool]` methods itself (and in rmcp mode the server's real tool list \
             is read at run time); rename or remove this item"
        }
        "patchwork_builder" => {
            "to configure the feedback client, call the generated `Self::patchwork_builder()` and chain the \
             builder's settings on it; rename this item"
        }
        _ => "rename this item",
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

//! Checks the attribute's values against the rules the service and MCP impose (the names by the contract's
//! rules, `contract::names`), and the block against the items the attribute adds, turning [`Args`] into a checked
//! [`Config`].
//!
//! Every check records its error at the offending literal (or method) and goes on, so all mistakes are
//! reported together.

use crate::ast::Server;
use crate::attr::{self, Args};
use crate::contract::names::{MAX_TOOL_NAME_LEN, env_var_problem, slug_problem, tool_name_problem};
use crate::contract::texts::{DEFAULT_TOOL_NAME, ENV_SERVER_SLUG};
use crate::ctxt::Errors;
use std::net::{Ipv4Addr, Ipv6Addr};
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
    pub url: Option<String>,
    pub api_key_env: Option<String>,
    pub delivery: DeliveryMode,
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
    let krate = args.krate.as_ref().and_then(|lit| {
        lit.parse::<syn::Path>()
            .map_err(|_| {
                errors.spanned(lit, "`crate` takes the path of the runtime crate, e.g. `crate = \"::my_patchwork\"`")
            })
            .ok()
    });
    let slug = args.slug.as_ref().and_then(|lit| check_slug(lit, errors));
    let tool_name = match &args.tool_name {
        Some(lit) => check_tool_name(lit, errors).unwrap_or_else(|| DEFAULT_TOOL_NAME.to_owned()),
        None => DEFAULT_TOOL_NAME.to_owned(),
    };
    let instructions = args
        .instructions
        .as_ref()
        .and_then(|lit| check_instructions(lit, errors));
    let url = args.url.as_ref().and_then(|lit| check_url(lit, errors));
    let delivery = args
        .delivery
        .as_ref()
        .and_then(|lit| check_delivery(lit, errors))
        .unwrap_or_default();
    if let Some(server) = server {
        check_clashes(server, &tool_name, args.tool_name.as_ref(), errors);
    }
    Config {
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::patchwork_runtime)),
        slug,
        tool_name,
        instructions,
        url,
        api_key_env,
        delivery,
    }
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

/// A base URL: `https://host[:port][/path]`, or `http://` only to a loopback host (a local collector).
fn check_url(lit: &LitStr, errors: &mut Errors) -> Option<String> {
    let url = lit.value();
    match url_problem(&url) {
        None => Some(url),
        Some(problem) => {
            errors.spanned(
                lit,
                format!(
                    "{problem}: `url` is the PatchworkMCP base URL, `https://host[:port][/path]` \
                     (`http://` only for a loopback host such as `http://127.0.0.1:8080`); omit the key to read \
                     `PATCHWORKMCP_URL` at run time (default `https://patchworkmcp.com`)"
                ),
            );
            None
        }
    }
}

/// What is wrong with a base URL, if anything.
fn url_problem(url: &str) -> Option<String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("the URL contains whitespace".to_owned());
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Some("the URL must start with `https://`".to_owned());
    };
    if rest.contains(['?', '#']) {
        return Some("a base URL has no query or fragment".to_owned());
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return Some("the URL contains credentials, which would end up in the binary".to_owned());
    }
    let (host, port) = split_host_port(authority);
    if host.is_empty() {
        return Some("the URL has no host".to_owned());
    }
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p != 0)
    {
        return Some(format!("the port `{port}` is not a number from 1 to 65535"));
    }
    if host.starts_with('[') {
        let inner = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
        if inner.is_none_or(|ip| ip.parse::<Ipv6Addr>().is_err()) {
            return Some("the URL's IPv6 host is malformed".to_owned());
        }
    } else if !host.split('.').all(|label| {
        !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) {
        return Some(format!("`{host}` is not a valid host name"));
    }
    if !secure && !is_loopback(host) {
        return Some("plain `http://` would send the API key unencrypted".to_owned());
    }
    None
}

/// Splits `host[:port]`; a bracketed IPv6 host keeps its brackets (an unclosed one is left for the host check).
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        return match authority.split_once(']') {
            Some((host, rest)) => {
                let port = (!rest.is_empty()).then(|| rest.strip_prefix(':').unwrap_or(rest));
                (&authority[..host.len() + 1], port)
            }
            None => (authority, None),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || host.ends_with(".localhost")
}

/// The tool name must not clash with the server's own tools, nor its methods; the block must not already
/// define an item the attribute adds.
fn check_clashes(
    server: &Server,
    tool_name: &str,
    tool_name_lit: Option<&LitStr>,
    errors: &mut Errors,
) {
    for method in &server.methods {
        let method_name = method.ident.unraw().to_string();
        if let Some(existing_tool) = &method.tool_name
            && existing_tool == tool_name
        {
            let message = format!(
                "the server already has a tool named `{tool_name}` (method `{method_name}`): give the feedback \
                 tool another name with `tool_name = \"...\"`, or rename that tool"
            );
            match tool_name_lit {
                Some(lit) => errors.spanned(lit, message),
                None => errors.spanned(&method.ident, message),
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
                "`{ident}` is added to this block by `#[patchwork_feedback]`: rename this item"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::url_problem;

    #[test]
    fn urls_that_are_accepted() {
        for url in [
            "https://patchworkmcp.com",
            "https://patchworkmcp.com/",
            "https://eu.patchworkmcp.com:8443/base",
            "HTTPS://PatchworkMCP.com",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:3000/",
            "http://[::1]:9000",
            "https://[2001:db8::1]/",
        ] {
            assert_eq!(url_problem(url), None, "{url}");
        }
    }

    #[test]
    fn urls_that_are_refused() {
        for url in [
            "",
            "patchworkmcp.com",
            "ftp://patchworkmcp.com",
            "http://patchworkmcp.com",
            "http://10.0.0.1",
            "https://",
            "https://user:pw@patchworkmcp.com",
            "https://patchworkmcp.com?x=1",
            "https://patchworkmcp.com:0",
            "https://patchworkmcp.com:99999",
            "https://patch work.com",
            "https://[::1",
            "https://a..b",
            "http://[::2]",
        ] {
            assert!(url_problem(url).is_some(), "{url}");
        }
    }
}

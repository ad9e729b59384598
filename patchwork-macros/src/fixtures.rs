//! What the phases' unit tests build from: a block read as the attribute reads it, and the default checked
//! configuration.

use crate::ast::Server;
use crate::config::{Config, DeliveryMode};
use crate::contract::texts::{DEFAULT_TOOL_NAME, TOOL_DESCRIPTION, directive};
use crate::ctxt::Errors;
use proc_macro2::TokenStream;

/// `tokens` (an inherent impl block) as the model; panics on anything else.
pub(crate) fn server(tokens: TokenStream) -> Server {
    let mut errors = Errors::default();
    let item = syn::parse2(tokens).expect("test input parses");
    let server = Server::from_item(item, &mut errors).expect("an inherent impl");
    assert!(errors.finish().is_ok());
    server
}

/// The configuration of a bare `#[patchwork_feedback]`.
pub(crate) fn config() -> Config {
    Config {
        krate: syn::parse_quote!(::patchwork_runtime),
        slug: None,
        tool_name: DEFAULT_TOOL_NAME.to_owned(),
        instructions: None,
        url: None,
        api_key_env: None,
        delivery: DeliveryMode::Background,
        dispatch_manual: false,
        dispatch_lit: None,
        redaction: None,
        description: TOOL_DESCRIPTION.to_owned(),
        directive: directive(DEFAULT_TOOL_NAME),
    }
}

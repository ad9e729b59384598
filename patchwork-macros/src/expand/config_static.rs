//! The hidden `static` holding the runtime configuration (`__private::FeedbackConfig`), declared inside each
//! generated function body.

use super::tokens::{respanned, text_literal};
use crate::ast::Server;
use crate::config::{Config, DeliveryMode};
use crate::generated::{config_ident, private_path};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

/// The hidden `static` holding the runtime configuration, declared inside each generated function body: users
/// cannot name it, and it does not depend on the impl's generics (a static in a generic impl may not).
pub(super) fn config_static(server: &Server, config: &Config) -> TokenStream {
    let krate = &config.krate;
    let private = private_path(krate);
    let ident = config_ident();
    let option = |value: Option<&String>| match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let tool_name = &config.tool_name;
    let slug = option(config.slug.as_ref());
    let url = option(config.url.as_ref());
    let api_key_env = option(config.api_key_env.as_ref());
    let server_tools = server.tool_names();
    let own_instructions = option(config.instructions.as_ref());
    let directive = text_literal(&config.directive);
    let redaction = match &config.redaction {
        // Spanned at the literal, the callee too: a function of another signature is one type error there.
        Some(path) => {
            let span = syn::spanned::Spanned::span(path);
            let callee = respanned(quote!(#private::redaction_fn), span);
            quote_spanned!(span=> ::core::option::Option::Some(#callee(#path)))
        }
        None => quote!(::core::option::Option::None),
    };
    let delivery = match config.delivery {
        DeliveryMode::Background => quote!(#private::Delivery::Background),
        DeliveryMode::Await => quote!(#private::Delivery::Await),
    };
    quote! {
        static #ident: #private::FeedbackConfig = #private::FeedbackConfig {
            tool_name: #tool_name,
            server_slug: #slug,
            base_url: #url,
            api_key_env: #api_key_env,
            server_tools: &[#(#server_tools),*],
            delivery: #delivery,
            instructions: #own_instructions,
            directive: #directive,
            redaction: #redaction,
        };
    }
}

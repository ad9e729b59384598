//! Generates the items the attribute adds to the server's impl block, and is the macro's entry point
//! (`lib.rs` only converts token types).
//!
//! The phases: parse the arguments (`attr.rs`) and the block (`ast.rs`), check both (`valid.rs`), then either
//! generate (here) or, when anything is wrong, emit the block unchanged beside the errors (`fallback.rs`).

use crate::ast::Server;
use crate::contract::{fields, texts};
use crate::ctxt::Errors;
use crate::generated::{config_ident, private_path};
use crate::valid::{self, Config, DeliveryMode};
use crate::{attr, fallback, rmcp_mode};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{ImplItem, Item};

/// Expands `#[patchwork_feedback(args)] item`. Never panics: any input yields either the expansion or the item
/// unchanged with `compile_error!`s beside it.
pub fn patchwork_feedback(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = attr::parse(args, &mut errors);
    let (item, server) = match syn::parse2::<Item>(item.clone()) {
        Ok(mut parsed) => {
            if let Item::Impl(block) = &mut parsed {
                remove_repeats(&mut block.attrs, &mut errors);
            }
            (
                parsed.to_token_stream(),
                Server::from_item(parsed, &mut errors),
            )
        }
        Err(error) => {
            errors.push(error);
            (item, None)
        }
    };
    if server.as_ref().is_some_and(Server::carries_the_expansion) {
        // The block already holds the items: report the repetition once, not each item it would redefine.
        return quote! {
            ::core::compile_error! {
                "`#[patchwork_feedback]` is applied twice to this block: remove this one (the attribute goes once, \
                 on one block of the server type)"
            }
            #item
        };
    }
    let config = valid::check(args, server.as_ref(), &mut errors);
    if let Some(server) = &server {
        rmcp_mode::check(
            server,
            &config,
            rmcp_mode::RMCP_FEATURE_ENABLED,
            &mut errors,
        );
    }
    match (errors.finish(), server) {
        (Ok(()), Some(server)) => generate(server, &config),
        (Err(error), server) => fallback::expand(item, server, &config, error),
        // Unreachable (no server means an error was recorded); emitting the item keeps it harmless.
        (Ok(()), None) => item,
    }
}

/// The block with the generated items appended.
fn generate(mut server: Server, config: &Config) -> TokenStream {
    let config_static = config_static(&server, config);
    let generated = generated_items(&server, config, &config_static);
    server.item.items.push(ImplItem::Verbatim(generated));
    if let Some(routed) = rmcp_mode::routed_method(&server, config, &config_static) {
        server.item.items.push(ImplItem::Verbatim(routed));
    }
    let server_handler = rmcp_mode::take_server_handler(&mut server, config);
    let item = &server.item;
    quote!(#item #server_handler)
}

/// The public constants, `patchwork_tool` and `patchwork_dispatch`; `config_static` declares the hidden config
/// their bodies read.
fn generated_items(server: &Server, config: &Config, config_static: &TokenStream) -> TokenStream {
    let krate = &config.krate;
    let private = private_path(krate);
    let tool_name = &config.tool_name;
    let description = text_literal(&config.description);
    let schema = text_literal(&fields::input_schema_json());
    let instructions = text_literal(&texts::instructions_with(
        config.instructions.as_deref(),
        &config.directive,
    ));
    let server_tools = server.tool_names();
    let name = quote_spanned!(Span::mixed_site()=> name);
    let arguments = quote_spanned!(Span::mixed_site()=> arguments);
    let context = quote_spanned!(Span::mixed_site()=> context);
    let config_ident = config_ident();

    let tool_name_doc = format!(" The feedback tool's name: `{tool_name}`.");
    let tools_doc = if server_tools.is_empty() {
        " The server's own tools visible to `#[patchwork_feedback]` (methods marked `#[tool]`): none.".to_owned()
    } else {
        let listed: Vec<String> = server_tools
            .iter()
            .map(|tool| format!("`{tool}`"))
            .collect();
        format!(
            " The server's own tools visible to `#[patchwork_feedback]` (methods marked `#[tool]`): {}.",
            listed.join(", ")
        )
    };

    // A block neither above `#[tool_router]` nor `dispatch = "manual"`: the runtime warns when its server is an rmcp
    // `ServerHandler` after all (`glue/unrouted.rs`), which the attribute cannot see.
    let check_routed = (server.tool_router.is_none() && !config.dispatch_manual)
        .then(|| quote!(#krate::__patchwork_check_routed!(Self, Self::PATCHWORK_TOOL_NAME);));

    quote! {
        #[doc = #tool_name_doc]
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_TOOL_NAME: &'static ::core::primitive::str = #tool_name;

        /// The feedback tool's description, written for the agent: when to call it.
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_TOOL_DESCRIPTION: &'static ::core::primitive::str = #description;

        /// The feedback tool's input schema (JSON Schema, as JSON text), built at compile time.
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_INPUT_SCHEMA: &'static ::core::primitive::str = #schema;

        /// The server's instructions for the MCP `initialize` result: the server's own instructions followed by
        /// the directive that makes agents call the feedback tool. Fixed at compile time: `patchwork_instructions()`
        /// follows the run-time wording and leaves the directive out when feedback is off.
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_INSTRUCTIONS: &'static ::core::primitive::str = #instructions;

        #[doc = #tools_doc]
        /// Sent as `tools_available` when the agent names none.
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_SERVER_TOOLS: &'static [&'static ::core::primitive::str] = &[#(#server_tools),*];

        /// The feedback tool's definition for `tools/list`: name, title, description, input schema and
        /// annotations (not read-only, not destructive, open world).
        #[must_use]
        #[allow(dead_code, unreachable_pub)]
        pub fn patchwork_tool() -> #krate::ToolDefinition {
            #config_static
            #private::tool_definition(&#config_ident, Self::PATCHWORK_TOOL_DESCRIPTION, Self::PATCHWORK_INPUT_SCHEMA)
        }

        /// Handles a `tools/call` if it is for the feedback tool: `None` when `name` is another tool; otherwise
        /// validates the arguments, delivers the feedback and returns the reply for the agent (an `is_error`
        /// reply saying what to fix when the arguments are invalid).
        #[allow(dead_code, unreachable_pub, clippy::unused_self)]
        pub async fn patchwork_dispatch(
            &self,
            #name: &::core::primitive::str,
            #arguments: &#private::serde_json::Value,
        ) -> ::core::option::Option<#krate::ToolReply> {
            #config_static
            #private::dispatch(&#config_ident, #name, #arguments).await
        }

        /// `patchwork_dispatch` with what the server knows about the call (`CallContext`): the client's
        /// `name/version` from `initialize`, the tools your `tools/list` offers, and the transport's session (or
        /// `one_session_per_process` on stdio). They win over what the agent wrote; the session keys the repeat
        /// guard and the per-session ceiling.
        #[allow(dead_code, unreachable_pub, clippy::unused_self)]
        pub async fn patchwork_dispatch_with(
            &self,
            #name: &::core::primitive::str,
            #arguments: &#private::serde_json::Value,
            #context: #krate::CallContext,
        ) -> ::core::option::Option<#krate::ToolReply> {
            #config_static
            #private::dispatch_with(&#config_ident, #name, #arguments, #context).await
        }

        /// The server's instructions for the MCP `initialize` result, as the installed client words them: the
        /// attribute's `instructions`, then the directive (the one `Builder::wording` or `Builder::directive`
        /// chose, else the attribute's). Equal to `PATCHWORK_INSTRUCTIONS` when the builder changes no wording;
        /// with feedback off (`Mode::Off`), only the attribute's `instructions` (empty without them).
        #[must_use]
        #[allow(dead_code, unreachable_pub)]
        pub fn patchwork_instructions() -> ::std::string::String {
            #check_routed
            #config_static
            #private::instructions(&#config_ident)
        }

        /// The run-time configuration entry for this server: a `Builder` with the attribute's settings under
        /// its own. Call `.install()` at start-up (before serving) and keep the guard: earlier runs' feedback is
        /// drained from then on, and `.heartbeat(..)` starts the heartbeat with the same service, key and slug.
        #[must_use]
        #[allow(dead_code, unreachable_pub)]
        pub fn patchwork_builder() -> #krate::Builder {
            #check_routed
            #config_static
            #private::builder_for(&#config_ident)
        }
    }
}

/// The hidden `static` holding the runtime configuration, declared inside each generated function body: users
/// cannot name it, and it does not depend on the impl's generics (a static in a generic impl may not).
fn config_static(server: &Server, config: &Config) -> TokenStream {
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

/// A string literal for `text`: raw (`r#"..."#`) when it spans lines or holds quotes, so the expansion reads
/// like the text itself.
fn text_literal(text: &str) -> Literal {
    if !text.contains(['\n', '"']) {
        return Literal::string(text);
    }
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse::<Literal>()
        .unwrap_or_else(|_| Literal::string(text))
}

/// `tokens` with every span set to `span` (groups included), so an error about them points at `span`.
fn respanned(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respanned(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// A second `#[patchwork_feedback]` on the same block (outer attributes expand first, so this one sees the other
/// still in place): one error at its path, and it is taken off the block so it never runs and redefines what this
/// one generates.
fn remove_repeats(attrs: &mut Vec<syn::Attribute>, errors: &mut Errors) {
    attrs.retain(|attr| {
        let repeated = attr
            .path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "patchwork_feedback");
        if repeated {
            errors.push(syn::Error::new_spanned(
                attr.path(),
                "`#[patchwork_feedback]` is applied twice to this block: remove this one (the attribute goes once, \
                 on one block of the server type)",
            ));
        }
        !repeated
    });
}

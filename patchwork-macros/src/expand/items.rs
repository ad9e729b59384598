//! The public items added to the block: the constants, `patchwork_tool`, `patchwork_dispatch(_with)`,
//! `patchwork_instructions` and `patchwork_builder`, each with its rustdoc (they are the server's API).

use super::tokens::text_literal;
use crate::ast::Server;
use crate::config::Config;
use crate::contract::{fields, texts};
use crate::generated::{config_ident, private_path};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// The public constants, `patchwork_tool` and `patchwork_dispatch`; `config_static` declares the hidden config
/// their bodies read.
pub(super) fn generated_items(
    server: &Server,
    config: &Config,
    config_static: &TokenStream,
) -> TokenStream {
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

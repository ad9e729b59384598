//! rmcp mode's code: the `#[tool]` method `#[tool_router]` routes (the attribute is above it; `valid::rmcp` has
//! checked the placement), and, for `#[tool_router(server_handler)]`, the `impl ServerHandler` that says the
//! feedback directive. The method's body calls `<crate>::__private::rmcp::call_tool` (patchwork-runtime's
//! `glue/rmcp.rs`), which reads the client's name and the server's real tool list from the request, validates,
//! delivers and returns a `CallToolResult`.

use crate::ast::Server;
use crate::config::Config;
use crate::contract::texts::{ANNOTATIONS, TOOL_TITLE};
use crate::generated::{ROUTED_METHOD, config_ident, private_path};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// The routed `#[tool]` method, when `#[tool_router]` is below the attribute. `config_static` declares the hidden
/// config (named [`config_ident`]) that its body reads.
pub(crate) fn routed_method(
    server: &Server,
    config: &Config,
    config_static: &TokenStream,
) -> Option<TokenStream> {
    server.tool_router.as_ref()?;
    let private = private_path(&config.krate);
    let tool_name = &config.tool_name;
    let method = syn::Ident::new(ROUTED_METHOD, Span::call_site());
    let context = quote_spanned!(Span::mixed_site()=> context);
    let arguments = quote_spanned!(Span::mixed_site()=> arguments);
    let server_tools = quote_spanned!(Span::mixed_site()=> server_tools);
    let config_ident = config_ident();
    let read_only = ANNOTATIONS.read_only;
    let destructive = ANNOTATIONS.destructive;
    let idempotent = ANNOTATIONS.idempotent;
    let open_world = ANNOTATIONS.open_world;
    let doc = format!(
        " The `{tool_name}` tool, routed by rmcp's `#[tool_router]`: sets `client_type` and `tools_available` \
         from what the server knows (the agent's values only when it knows nothing), validates the arguments (an `isError` result names \
         each field to fix), delivers the feedback and says whether it was delivered."
    );
    Some(quote! {
        #[doc = #doc]
        #[#private::rmcp::tool(
            name = #tool_name,
            title = #TOOL_TITLE,
            description = #private::tool_description(Self::PATCHWORK_TOOL_DESCRIPTION),
            input_schema = #private::rmcp::input_schema(Self::PATCHWORK_INPUT_SCHEMA),
            annotations(
                title = #TOOL_TITLE,
                read_only_hint = #read_only,
                destructive_hint = #destructive,
                idempotent_hint = #idempotent,
                open_world_hint = #open_world
            )
        )]
        async fn #method(
            &self,
            #context: #private::rmcp::RequestContext<#private::rmcp::RoleServer>,
            #arguments: #private::rmcp::JsonObject,
        ) -> #private::rmcp::CallToolResult {
            #config_static
            #[allow(unused_imports)]
            use #private::rmcp::{ListViaBlock as _, ListViaServerHandler as _};
            // The server's own `tools/list` when `Self: ServerHandler`, else the block's tools (see `ServerTools`).
            let #server_tools = (&&#private::rmcp::ServerTools(self, Self::PATCHWORK_TOOL_NAME)).list(::core::clone::Clone::clone(&#context));
            #private::rmcp::call_tool(&#config_ident, #context, #arguments, #server_tools).await
        }
    })
}

/// rmcp's `#[tool_router(server_handler)]` writes `impl ServerHandler` itself, with no instructions: the feedback
/// directive would never reach agents. Integrated instead: the flag is taken off the block's `#[tool_router]`, and
/// this returns the same `impl ServerHandler` through rmcp's `#[tool_handler]`, with `get_info` giving
/// `patchwork_instructions()` (read at run time: the server's own text, then the directive unless feedback is
/// off), the feedback tool left out of `tools/list` when feedback is off, and a call of it then still answered
/// honestly (`call_offered`). `None` without the flag.
pub(crate) fn take_server_handler(server: &mut Server, config: &Config) -> Option<TokenStream> {
    let tool_router = server.tool_router.as_ref().filter(|r| r.server_handler())?;
    server.item.attrs[tool_router.index] = tool_router.without_server_handler();
    let router = &tool_router.router;

    let private = private_path(&config.krate);
    let self_ty = &server.item.self_ty;
    let (impl_generics, _, where_clause) = server.item.generics.split_for_impl();
    let request = quote_spanned!(Span::mixed_site()=> request);
    let context = quote_spanned!(Span::mixed_site()=> context);
    let offered = quote!(#private::rmcp::offered(Self::#router(), Self::PATCHWORK_TOOL_NAME));
    Some(quote! {
        #[#private::rmcp::tool_handler(router = #offered)]
        impl #impl_generics #private::rmcp::ServerHandler for #self_ty #where_clause {
            fn get_info(&self) -> #private::rmcp::ServerConfig {
                #private::rmcp::server_config(Self::patchwork_instructions())
            }

            async fn call_tool(
                &self,
                #request: #private::rmcp::CallToolRequestParams,
                #context: #private::rmcp::RequestContext<#private::rmcp::RoleServer>,
            ) -> ::core::result::Result<#private::rmcp::CallToolResponse, #private::rmcp::ErrorData> {
                #private::rmcp::call_offered(
                    self, &#offered, Self::#router, Self::PATCHWORK_TOOL_NAME, #request, #context,
                ).await
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{config, server};

    #[test]
    fn above_tool_router_the_routed_method_is_added() {
        let block = server(quote! {
            #[tool_router]
            impl S { #[tool] async fn ping(&self) -> String { String::new() } }
        });
        let config_static = quote!(
            static PATCHWORK_CONFIG: () = ();
        );
        let method = routed_method(&block, &config(), &config_static)
            .expect("rmcp mode adds a method")
            .to_string();
        for needle in [
            ":: patchwork_runtime :: __private :: rmcp :: tool",
            "name = \"feedback\"",
            "title = \"Report a limitation\"",
            "read_only_hint = false",
            "destructive_hint = false",
            "idempotent_hint = false",
            "open_world_hint = true",
            "async fn patchwork_rmcp_feedback",
            "static PATCHWORK_CONFIG : () = () ;",
            ":: patchwork_runtime :: __private :: rmcp :: call_tool",
        ] {
            assert!(method.contains(needle), "missing {needle:?} in {method}");
        }
    }

    #[test]
    fn without_tool_router_nothing_is_added() {
        let mut block = server(quote! { impl S { fn helper(&self) {} } });
        assert!(routed_method(&block, &config(), &quote!()).is_none());
        assert!(take_server_handler(&mut block, &config()).is_none());
    }

    #[test]
    fn server_handler_is_taken_off_the_tool_router_and_written_with_the_directive() {
        let mut block = server(quote! {
            #[tool_router(router = pings, server_handler, vis = "pub(crate)")]
            impl S { #[tool] async fn ping(&self) -> String { String::new() } }
        });
        let handler = take_server_handler(&mut block, &config())
            .expect("an impl ServerHandler")
            .to_string();
        assert!(handler.contains("Self :: pings ()"), "{handler}");
        assert!(handler.contains("patchwork_instructions ()"), "{handler}");
        let attr = &block.item.attrs[0];
        assert_eq!(
            quote!(#attr).to_string(),
            "# [tool_router (router = pings , vis = \"pub(crate)\")]"
        );
    }
}

//! rmcp mode: written above rmcp's `#[tool_router]`, the attribute adds a `#[tool]` method to the block, which
//! `#[tool_router]` (expanding after us: outer attributes run top to bottom) then routes like any other tool.
//!
//! `check` rejects the placements where the tool would silently never be routed, and rmcp mode without the
//! runtime's `rmcp` feature; `routed_method` builds the method. The method's body calls
//! `<crate>::__private::rmcp::call_tool` (patchwork-runtime's `rmcp.rs`), which reads the client's name and the
//! server's real tool list from the request, validates, delivers and returns a `CallToolResult`.

use crate::ast::Server;
use crate::attr;
use crate::contract::texts::{ANNOTATIONS, TOOL_TITLE};
use crate::ctxt::Errors;
use crate::generated::{ROUTED_METHOD, ROUTED_METHOD_TOOL_ATTR, config_ident, private_path};
use crate::valid::Config;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{ImplItem, ReturnType, Type};

/// Whether this build of the macro may emit rmcp code: patchwork-runtime's `rmcp` feature turns on ours.
pub(crate) const RMCP_FEATURE_ENABLED: bool = cfg!(feature = "rmcp");

/// Records an error when the block's rmcp wiring means the feedback tool would not be routed, or when rmcp mode
/// is asked for without the `rmcp` feature (`rmcp_enabled`, a parameter so tests can cover both builds).
pub(crate) fn check(server: &Server, config: &Config, rmcp_enabled: bool, errors: &mut Errors) {
    if let Some(tool_router) = &server.tool_router {
        if let Some(lit) = config
            .dispatch_lit
            .as_ref()
            .filter(|_| config.dispatch_manual)
        {
            errors.spanned(
                lit,
                "`dispatch = \"manual\"` is for a block whose tool you route yourself; above `#[tool_router]` rmcp \
                 routes the feedback tool\nhelp: remove `dispatch = \"manual\"`",
            );
        }
        for taken in server
            .methods
            .iter()
            .map(|m| &m.ident)
            .filter(|ident| *ident == ROUTED_METHOD || *ident == ROUTED_METHOD_TOOL_ATTR)
        {
            errors.spanned(
                taken,
                format!(
                    "`{taken}` is the name of the method `#[patchwork_feedback]` adds above `#[tool_router]`\n\
                     help: rename this method"
                ),
            );
        }
        if !rmcp_enabled {
            errors.spanned(
                tool_router,
                "`#[patchwork_feedback]` above `#[tool_router]` adds an rmcp tool, which needs the `rmcp` feature \
                 of patchwork-runtime\nhelp: in Cargo.toml: `patchwork-runtime = { version = \"0.1\", features = \
                 [\"rmcp\"] }`",
            );
        }
        return;
    }
    if let Some(router_fn) = router_fn(server).filter(|_| !config.dispatch_manual) {
        errors.spanned(
            router_fn,
            "the feedback tool would never be routed: this block's rmcp router already exists (a fn returning \
             `ToolRouter`), and `#[patchwork_feedback]` can only add its tool to a router that `#[tool_router]` has \
             not built yet\nhelp: write `#[patchwork_feedback(...)]` above `#[tool_router]`, not below it \
             (attributes expand top to bottom)\nhelp: to route the tool yourself instead, put \
             `#[patchwork_feedback(dispatch = \"manual\")]` on an impl block of its own and call \
             `patchwork_dispatch` from your `call_tool`",
        );
    }
    // An rmcp tool block (it has `#[tool]` methods) without `#[tool_router]` below us: rmcp routes its tools through
    // a router built elsewhere, never ours. Decided by the block alone, never by a cargo feature, so the same crate
    // compiles whatever other crates of the build turn on (a block without rmcp's marks is a hand-written server's).
    let first_tool = server.methods.iter().find(|m| m.tool_name.is_some());
    if let Some(tool) = first_tool.filter(|_| !config.dispatch_manual && !errors.any()) {
        // Checked last, and only when nothing else is wrong: it is about where the attribute is, not what it says.
        errors.spanned(
            &tool.ident,
            "this block has rmcp `#[tool]` methods but no `#[tool_router]` below `#[patchwork_feedback]`, so rmcp \
             would never list or route the feedback tool (while `PATCHWORK_INSTRUCTIONS` tells agents to call it)\n\
             help: put `#[patchwork_feedback(...)]` directly above `#[tool_router]`, on the block that holds your \
             `#[tool]` methods (one block per server type)\nhelp: if your own `call_tool` routes the tool with \
             `patchwork_dispatch` (and your `list_tools` lists `patchwork_tool()`), say so: \
             `#[patchwork_feedback(dispatch = \"manual\")]`",
        );
    }
}

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

/// A method returning `ToolRouter<..>`: the router `#[tool_router]` generated (it was above us) or one built
/// by hand. Its signature is what the error points at (for a generated one, that is the `#[tool_router]` line).
fn router_fn(server: &Server) -> Option<&syn::Signature> {
    server.item.items.iter().find_map(|item| match item {
        ImplItem::Fn(function) if returns_tool_router(&function.sig.output) => Some(&function.sig),
        _ => None,
    })
}

fn returns_tool_router(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    matches!(&**ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "ToolRouter"))
}

/// rmcp's `#[tool_router(server_handler)]` writes `impl ServerHandler` itself, with no instructions: the feedback
/// directive would never reach agents. Integrated instead: the flag is taken off the block's `#[tool_router]`, and
/// this returns the same `impl ServerHandler` through rmcp's `#[tool_handler]`, with `get_info` giving
/// `patchwork_instructions()` (read at run time: the server's own text, then the directive unless feedback is
/// off), the feedback tool left out of `tools/list` when feedback is off, and a call of it then still answered
/// honestly (`call_offered`). `None` without the flag.
pub(crate) fn take_server_handler(server: &mut Server, config: &Config) -> Option<TokenStream> {
    let attr = server.item.attrs.iter_mut().find(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "tool_router")
    })?;
    let syn::Meta::List(list) = &mut attr.meta else {
        return None;
    };
    let entries = attr::entries(list.tokens.clone());
    let is_flag = |entry: &TokenStream| {
        let text = entry.to_string().replace(' ', "");
        text == "server_handler" || text == "server_handler=true"
    };
    if !entries.iter().any(&is_flag) {
        return None;
    }
    let mut router = syn::Ident::new("tool_router", Span::call_site());
    for entry in &entries {
        let mut trees = entry.clone().into_iter();
        if let (
            Some(proc_macro2::TokenTree::Ident(key)),
            Some(_),
            Some(proc_macro2::TokenTree::Ident(name)),
        ) = (trees.next(), trees.next(), trees.next())
            && key == "router"
        {
            router = name;
        }
    }
    let kept: Vec<TokenStream> = entries
        .into_iter()
        .filter(|entry| !is_flag(entry))
        .collect();
    list.tokens = quote!(#(#kept),*);

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
    use crate::contract::texts::DEFAULT_TOOL_NAME;

    fn server(tokens: TokenStream) -> Server {
        let mut errors = Errors::default();
        let item = syn::parse2(tokens).expect("test input parses");
        let server = Server::from_item(item, &mut errors).expect("an inherent impl");
        assert!(errors.finish().is_ok());
        server
    }

    fn problems(server: &Server, rmcp_enabled: bool) -> Option<String> {
        let mut errors = Errors::default();
        check(server, &config(), rmcp_enabled, &mut errors);
        errors.finish().err().map(|e| e.to_string())
    }

    fn config() -> Config {
        Config {
            krate: syn::parse_quote!(::patchwork_runtime),
            slug: None,
            tool_name: DEFAULT_TOOL_NAME.to_owned(),
            instructions: None,
            url: None,
            api_key_env: None,
            delivery: crate::valid::DeliveryMode::Background,
            dispatch_manual: false,
            dispatch_lit: None,
            redaction: None,
            description: crate::contract::texts::TOOL_DESCRIPTION.to_owned(),
            directive: crate::contract::texts::directive(DEFAULT_TOOL_NAME),
        }
    }

    #[test]
    fn above_tool_router_is_rmcp_mode() {
        let block = server(quote! {
            #[tool_router]
            impl S { #[tool] async fn ping(&self) -> String { String::new() } }
        });
        assert_eq!(problems(&block, true), None);
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
    fn rmcp_mode_without_the_feature_names_the_feature() {
        let block = server(quote! {
            #[rmcp::tool_router]
            impl S { #[tool] async fn ping(&self) -> String { String::new() } }
        });
        let message = problems(&block, false).expect("an error");
        assert!(
            message.contains("needs the `rmcp` feature of patchwork-runtime"),
            "{message}"
        );
        assert!(message.contains("features = [\"rmcp\"]"), "{message}");
    }

    #[test]
    fn without_any_rmcp_wiring_nothing_is_added() {
        let block = server(quote! { impl S { fn helper(&self) {} } });
        assert_eq!(problems(&block, false), None);
        assert!(routed_method(&block, &config(), &quote!()).is_none());
    }

    #[test]
    fn a_tool_block_without_tool_router_needs_dispatch_manual_in_every_build() {
        let block =
            server(quote! { impl S { #[tool] async fn ping(&self) -> String { String::new() } } });
        for rmcp_enabled in [false, true] {
            let message = problems(&block, rmcp_enabled).expect("an error");
            assert!(message.contains("no `#[tool_router]` below"), "{message}");
            assert!(message.contains("dispatch = \"manual\""), "{message}");
            let mut errors = Errors::default();
            let manual = Config {
                dispatch_manual: true,
                ..config()
            };
            check(&block, &manual, rmcp_enabled, &mut errors);
            assert!(errors.finish().is_ok(), "the opt-in is accepted");
        }
    }

    #[test]
    fn a_hand_written_block_compiles_whether_or_not_rmcp_is_on_in_the_build() {
        // Cargo features are additive: another crate turning on `rmcp` must not break this one.
        let block = server(quote! { impl S { async fn call_tool(&self) {} fn helper(&self) {} } });
        assert_eq!(problems(&block, false), None);
        assert_eq!(problems(&block, true), None);
    }

    #[test]
    fn below_tool_router_is_an_error_saying_to_move_it_up() {
        // What the block looks like after `#[tool_router]` ran first.
        let block = server(quote! {
            impl S {
                #[tool] async fn ping(&self) -> String { String::new() }
                fn tool_router() -> rmcp::handler::server::router::tool::ToolRouter<Self> { rmcp::handler::server::router::tool::ToolRouter::new() }
            }
        });
        let message = problems(&block, true).expect("an error");
        assert!(message.contains("would never be routed"), "{message}");
        assert!(message.contains("above `#[tool_router]`"), "{message}");
    }

    #[test]
    fn the_routed_methods_names_are_taken_in_rmcp_mode() {
        let block = server(quote! {
            #[tool_router]
            impl S { #[tool] async fn patchwork_rmcp_feedback(&self) -> String { String::new() } }
        });
        let message = problems(&block, true).expect("an error");
        assert!(
            message.contains("`patchwork_rmcp_feedback` is the name of the method"),
            "{message}"
        );
    }
}

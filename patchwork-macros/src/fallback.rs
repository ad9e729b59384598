//! The output when the attribute or the block is wrong: the user's item unchanged, the errors beside it, and
//! (for an impl block) the public items with their signatures, so code that calls them does not add a cascade of
//! "no function `patchwork_tool`" errors to the real one. The crate does not compile either way; the stubs'
//! bodies never run.

use crate::ast::Server;
use crate::expand::private_path;
use crate::valid::Config;
use proc_macro2::TokenStream;
use quote::quote;
use syn::ImplItem;

pub(crate) fn expand(
    item: TokenStream,
    server: Option<Server>,
    config: &Config,
    error: syn::Error,
) -> TokenStream {
    let errors = error.to_compile_error();
    match server {
        // When the block already defines one of our names, stubs would only add "duplicate definition" errors.
        Some(mut server) if server.generated_name_clashes().next().is_none() => {
            server.item.items.push(ImplItem::Verbatim(stubs(config)));
            let item = &server.item;
            quote!(#errors #item)
        }
        _ => quote!(#errors #item),
    }
}

fn stubs(config: &Config) -> TokenStream {
    let krate = &config.krate;
    let private = private_path(config);
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_TOOL_NAME: &'static ::core::primitive::str = "";
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_TOOL_DESCRIPTION: &'static ::core::primitive::str = "";
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_INPUT_SCHEMA: &'static ::core::primitive::str = "";
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_INSTRUCTIONS: &'static ::core::primitive::str = "";
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub const PATCHWORK_SERVER_TOOLS: &'static [&'static ::core::primitive::str] = &[];
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub fn patchwork_tool() -> #krate::ToolDefinition {
            ::core::unreachable!()
        }
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub, unused_variables, clippy::unused_self)]
        pub async fn patchwork_dispatch(
            &self,
            name: &::core::primitive::str,
            arguments: &#private::serde_json::Value,
        ) -> ::core::option::Option<#krate::ToolReply> {
            ::core::unreachable!()
        }
    }
}

//! The output when the attribute or the block is wrong: the user's item unchanged, the errors beside it, and the
//! public items with their signatures (in the impl block, or in an impl beside a trait impl or a struct the
//! attribute was put on by mistake), so code that calls them does not add a cascade of "no function
//! `patchwork_tool`" errors to the real one. The crate does not compile either way; the stubs' bodies never run.

use crate::ast::Server;
use crate::config::Config;
use crate::generated::private_path;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{GenericParam, ImplItem, Item, ItemEnum, ItemStruct, Type};

pub(crate) fn expand(
    item: TokenStream,
    server: Option<Server>,
    config: &Config,
    error: syn::Error,
) -> TokenStream {
    let errors = error.to_compile_error();
    match server {
        // Every item but those the block defines itself (stubs of those would only add "duplicate definition"
        // errors).
        Some(mut server) => {
            let taken: Vec<String> = server
                .generated_name_clashes()
                .map(ToString::to_string)
                .collect();
            server
                .item
                .items
                .push(ImplItem::Verbatim(stubs(config, &taken)));
            let item = &server.item;
            quote!(#errors #item)
        }
        None => match stubs_inside_module(&item, config) {
            Some(module) => quote!(#errors #module),
            None => {
                let stubs = stubs_beside(&item, config);
                quote!(#errors #item #stubs)
            }
        },
    }
}

/// For the attribute on the `mod` that holds the server: the module with the stubs beside its first struct or
/// enum (the likely server type), so code in it naming the generated items adds no error to the real one.
fn stubs_inside_module(item: &TokenStream, config: &Config) -> Option<TokenStream> {
    let Item::Mod(mut module) = syn::parse2::<Item>(item.clone()).ok()? else {
        return None;
    };
    let (_, items) = module.content.as_mut()?;
    let stubs = items.iter().find_map(|inner| match inner {
        Item::Struct(_) | Item::Enum(_) => stubs_beside(&inner.to_token_stream(), config),
        _ => None,
    })?;
    items.push(Item::Verbatim(stubs));
    Some(module.to_token_stream())
}

/// For the attribute on the wrong item, a likely slip: the stubs in an inherent impl of the type it names, so code
/// naming `Self::PATCHWORK_INSTRUCTIONS` (a trait impl's `get_info`) or `MyServer::patchwork_tool()` adds no error
/// to the real one. For a trait impl (`impl ServerHandler for MyServer`) of a plain path type whose generics all
/// appear in it, and for a struct or enum definition; nothing otherwise (it could add an error of its own).
fn stubs_beside(item: &TokenStream, config: &Config) -> Option<TokenStream> {
    let stubs = stubs(config, &[]);
    match syn::parse2::<Item>(item.clone()).ok()? {
        Item::Impl(block) => {
            block.trait_.as_ref()?;
            let Type::Path(self_ty) = &*block.self_ty else {
                return None;
            };
            if self_ty.qself.is_some() {
                return None;
            }
            let mut named = Vec::new();
            idents_in(self_ty.to_token_stream(), &mut named);
            let constrained = block.generics.params.iter().all(|param| {
                let ident = match param {
                    GenericParam::Lifetime(lifetime) => &lifetime.lifetime.ident,
                    GenericParam::Type(ty) => &ty.ident,
                    GenericParam::Const(constant) => &constant.ident,
                };
                named.contains(ident)
            });
            if !constrained {
                return None;
            }
            let (impl_generics, _, where_clause) = block.generics.split_for_impl();
            Some(quote!(impl #impl_generics #self_ty #where_clause { #stubs }))
        }
        Item::Struct(ItemStruct {
            ident, generics, ..
        })
        | Item::Enum(ItemEnum {
            ident, generics, ..
        }) => {
            let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
            Some(quote!(impl #impl_generics #ident #ty_generics #where_clause { #stubs }))
        }
        _ => None,
    }
}

fn idents_in(tokens: TokenStream, out: &mut Vec<proc_macro2::Ident>) {
    for tree in tokens {
        match tree {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident),
            proc_macro2::TokenTree::Group(group) => idents_in(group.stream(), out),
            _ => {}
        }
    }
}

/// Stand-ins for every generated item except those named in `skip` (the user's own items of those names).
fn stubs(config: &Config, skip: &[String]) -> TokenStream {
    let krate = &config.krate;
    let private = private_path(krate);
    let str_const = |name: &str| {
        let ident = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
        quote!(pub const #ident: &'static ::core::primitive::str = "";)
    };
    let items = [
        ("PATCHWORK_TOOL_NAME", str_const("PATCHWORK_TOOL_NAME")),
        (
            "PATCHWORK_TOOL_DESCRIPTION",
            str_const("PATCHWORK_TOOL_DESCRIPTION"),
        ),
        (
            "PATCHWORK_INPUT_SCHEMA",
            str_const("PATCHWORK_INPUT_SCHEMA"),
        ),
        (
            "PATCHWORK_INSTRUCTIONS",
            str_const("PATCHWORK_INSTRUCTIONS"),
        ),
        (
            "PATCHWORK_SERVER_TOOLS",
            quote!(
                pub const PATCHWORK_SERVER_TOOLS: &'static [&'static ::core::primitive::str] = &[];
            ),
        ),
        (
            "patchwork_tool",
            quote!(pub fn patchwork_tool() -> #krate::ToolDefinition { ::core::unreachable!() }),
        ),
        (
            "patchwork_instructions",
            quote!(
                pub fn patchwork_instructions() -> ::std::string::String {
                    ::core::unreachable!()
                }
            ),
        ),
        (
            "patchwork_builder",
            quote!(pub fn patchwork_builder() -> #krate::Builder { ::core::unreachable!() }),
        ),
        (
            "patchwork_dispatch",
            quote! {
                #[allow(unused_variables, clippy::unused_self)]
                pub async fn patchwork_dispatch(
                    &self,
                    name: &::core::primitive::str,
                    arguments: &#private::serde_json::Value,
                ) -> ::core::option::Option<#krate::ToolReply> {
                    ::core::unreachable!()
                }
            },
        ),
    ];
    items
        .into_iter()
        .filter(|(name, _)| !skip.iter().any(|taken| taken == name))
        .map(|(_, item)| {
            quote! {
                #[doc(hidden)]
                #[allow(dead_code, unreachable_pub)]
                #item
            }
        })
        .collect()
}

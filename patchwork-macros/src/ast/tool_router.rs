//! rmcp's `#[tool_router(..)]` on the block, read with syn: the name of the router fn it generates
//! (`router = name`) and whether it also writes `impl ServerHandler` (`server_handler`). Read as rmcp 3.11 reads
//! them (`rmcp-macros/src/tool_router.rs`, through darling): `router` takes an identifier or a string holding one,
//! `server_handler` is a flag that may also be written `= true` or `= "true"`. Its other arguments (`vis`,
//! `allow_empty`, and any later rmcp adds) belong to rmcp, which checks them: they are kept as written, and
//! arguments we cannot read leave rmcp's defaults in place here (rmcp reports what is wrong with them).

use proc_macro2::{Ident, Span};
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, Meta, Token};

/// The block's `#[tool_router]`, written below `#[patchwork_feedback]` (it has not run yet).
pub(crate) struct ToolRouter {
    /// The attribute as written: what errors about it point at.
    pub attr: Attribute,
    /// Its place among the block's attributes.
    pub index: usize,
    /// The fn it generates: `router = name`, else `tool_router`.
    pub router: Ident,
    /// Its arguments, when they read as a list of `name`, `name = value` and `name(...)` (else `None`, which
    /// leaves the attribute as it is).
    args: Option<Punctuated<Meta, Token![,]>>,
}

impl ToolRouter {
    /// Reads the attribute at `index` of the block's attributes.
    pub(crate) fn read(attr: &Attribute, index: usize) -> Self {
        let args = match &attr.meta {
            Meta::Path(_) => Some(Punctuated::new()),
            Meta::List(list) => list
                .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok(),
            Meta::NameValue(_) => None,
        };
        let router = args
            .iter()
            .flatten()
            .find_map(|arg| match arg {
                Meta::NameValue(pair) if pair.path.is_ident("router") => ident_value(&pair.value),
                _ => None,
            })
            .unwrap_or_else(|| Ident::new("tool_router", Span::call_site()));
        ToolRouter {
            attr: attr.clone(),
            index,
            router,
            args,
        }
    }

    /// Whether rmcp is asked to write `impl ServerHandler` for the type (`server_handler`, `= true`, `= "true"`).
    pub(crate) fn server_handler(&self) -> bool {
        self.args.iter().flatten().any(is_server_handler_on)
    }

    /// The attribute without `server_handler`, every other argument as written.
    pub(crate) fn without_server_handler(&self) -> Attribute {
        let mut attr = self.attr.clone();
        if let (Some(args), Meta::List(list)) = (&self.args, &mut attr.meta) {
            let kept = args.iter().filter(|arg| !is_server_handler_on(arg));
            list.tokens = quote!(#(#kept),*);
        }
        attr
    }
}

fn is_server_handler_on(arg: &Meta) -> bool {
    match arg {
        Meta::Path(path) => path.is_ident("server_handler"),
        Meta::NameValue(pair) if pair.path.is_ident("server_handler") => bool_value(&pair.value),
        _ => false,
    }
}

/// `true`, or `"true"` (darling reads a bool from a string too).
fn bool_value(value: &Expr) -> bool {
    match value {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Bool(b) => b.value,
            Lit::Str(s) => s.value() == "true",
            _ => false,
        },
        Expr::Group(group) => bool_value(&group.expr),
        _ => false,
    }
}

/// `name`, or `"name"`.
fn ident_value(value: &Expr) -> Option<Ident> {
    match value {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().cloned(),
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => s.parse().ok(),
            _ => None,
        },
        Expr::Group(group) => ident_value(&group.expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn read(attr: proc_macro2::TokenStream) -> ToolRouter {
        let attrs = syn::parse::Parser::parse2(Attribute::parse_outer, attr).expect("an attribute");
        ToolRouter::read(&attrs[0], 0)
    }

    fn args_of(router: &ToolRouter) -> String {
        router
            .without_server_handler()
            .meta
            .to_token_stream()
            .to_string()
    }

    #[test]
    fn defaults_without_arguments() {
        for attr in [quote!(#[tool_router]), quote!(#[rmcp::tool_router()])] {
            let router = read(attr);
            assert_eq!(router.router, "tool_router");
            assert!(!router.server_handler());
        }
    }

    #[test]
    fn the_router_name_is_an_identifier_or_a_string() {
        assert_eq!(read(quote!(#[tool_router(router = pings)])).router, "pings");
        assert_eq!(
            read(quote!(#[tool_router(router = "pings")])).router,
            "pings"
        );
    }

    #[test]
    fn server_handler_is_a_flag_or_true_and_only_it_is_taken_off() {
        for attr in [
            quote!(#[tool_router(server_handler, router = pings, vis = "pub(crate)")]),
            quote!(#[tool_router(server_handler = true, router = pings, vis = "pub(crate)")]),
            quote!(#[tool_router(router = pings, server_handler = "true", vis = "pub(crate)")]),
        ] {
            let router = read(attr);
            assert!(router.server_handler());
            assert_eq!(router.router, "pings");
            assert_eq!(
                args_of(&router),
                "tool_router (router = pings , vis = \"pub(crate)\")"
            );
        }
        let off = read(quote!(#[tool_router(server_handler = false)]));
        assert!(!off.server_handler());
        assert_eq!(args_of(&off), "tool_router (server_handler = false)");
    }

    #[test]
    fn unknown_or_unreadable_arguments_are_rmcps_to_judge() {
        let future =
            read(quote!(#[tool_router(allow_empty, some_future_arg(x = 1), server_handler)]));
        assert!(future.server_handler());
        assert_eq!(
            args_of(&future),
            "tool_router (allow_empty , some_future_arg (x = 1))"
        );
        // Not a list of metas: left as written, with rmcp's defaults assumed here.
        let odd = read(quote!(#[tool_router("server_handler", router = pings)]));
        assert!(!odd.server_handler());
        assert_eq!(odd.router, "tool_router");
        assert_eq!(
            args_of(&odd),
            "tool_router (\"server_handler\" , router = pings)"
        );
    }
}

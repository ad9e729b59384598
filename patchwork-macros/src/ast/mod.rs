//! The model of the annotated item: an inherent `impl` block, the methods visible in it, and the facts about
//! rmcp's `#[tool_router]` that decide how the tool is wired (`tool_router` reads that attribute's arguments).

mod tool_router;

pub(crate) use tool_router::ToolRouter;

use crate::ctxt::Errors;
use crate::generated::GENERATED_ITEMS;
use proc_macro2::{Ident, Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Attribute, Expr, ImplItem, Item, ItemImpl, Lit, ReturnType, Signature, Token, Type};

/// The server's inherent impl block as the attribute sees it.
pub(crate) struct Server {
    /// The block itself, without our attribute (the compiler strips it before calling us).
    pub item: ItemImpl,
    /// Every `fn` in the block, in source order.
    pub methods: Vec<Method>,
    /// The names of the block's other associated items (consts, types), for clash checks.
    pub other_items: Vec<Ident>,
    /// rmcp's `#[tool_router]` (any path ending in `tool_router`) written *below* our attribute: it has not run
    /// yet, so a method we add is routed by it (rmcp mode).
    pub tool_router: Option<ToolRouter>,
}

/// One method of the block.
pub(crate) struct Method {
    pub ident: Ident,
    /// `Some(name)` when the method carries an attribute whose last path segment is `tool` (how rmcp's
    /// `#[tool_router]` finds tools): the `name = "..."` given there, else the method's own name.
    pub tool_name: Option<String>,
    /// The `name = "..."` tokens of that attribute, when it names the tool (what a clash points at).
    pub tool_name_tokens: Option<TokenStream>,
}

impl Server {
    /// Reads `item`, or records why it cannot carry the attribute and returns `None`.
    pub(crate) fn from_item(item: Item, errors: &mut Errors) -> Option<Self> {
        let item = match item {
            Item::Impl(item) => item,
            Item::Mod(module) => {
                errors.spanned(
                    item_head(&Item::Mod(module)),
                    format!("{NOT_AN_IMPL}\nhelp: move it from this module onto the server's `impl` block inside it"),
                );
                return None;
            }
            other => {
                errors.spanned(item_head(&other), NOT_AN_IMPL);
                return None;
            }
        };
        if let Some((path, _)) = &item.trait_ {
            let trait_path = path.to_token_stream();
            let mut message = String::from(
                "`#[patchwork_feedback]` goes on the server's inherent impl block (`impl MyServer { ... }`), \
                 not on a trait impl",
            );
            if path
                .segments
                .last()
                .is_some_and(|s| s.ident == "ServerHandler")
            {
                message.push_str(
                    "\nhelp: with rmcp, put it on the block that carries `#[tool_router]`, above that attribute",
                );
            }
            errors.spanned(trait_path, message);
            return None;
        }

        let mut methods = Vec::new();
        let mut other_items = Vec::new();
        for impl_item in &item.items {
            match impl_item {
                ImplItem::Fn(function) => {
                    let named = function
                        .attrs
                        .iter()
                        .find(|attr| last_segment_is(attr, "tool"))
                        .map(tool_attribute_name);
                    let (tool_name, tool_name_tokens) = match named {
                        Some(Some((name, tokens))) => (Some(name), Some(tokens)),
                        Some(None) => (Some(function.sig.ident.unraw().to_string()), None),
                        None => (None, None),
                    };
                    methods.push(Method {
                        ident: function.sig.ident.clone(),
                        tool_name,
                        tool_name_tokens,
                    });
                }
                ImplItem::Const(constant) => other_items.push(constant.ident.clone()),
                ImplItem::Type(ty) => other_items.push(ty.ident.clone()),
                _ => {}
            }
        }
        let tool_router = item
            .attrs
            .iter()
            .enumerate()
            .find(|(_, attr)| last_segment_is(attr, "tool_router"))
            .map(|(index, attr)| ToolRouter::read(attr, index));
        Some(Server {
            item,
            methods,
            other_items,
            tool_router,
        })
    }

    /// The block's items whose names the attribute needs for its own items.
    pub(crate) fn generated_name_clashes(&self) -> impl Iterator<Item = &Ident> {
        let idents = self
            .methods
            .iter()
            .map(|m| &m.ident)
            .chain(&self.other_items);
        idents.filter(|ident| GENERATED_ITEMS.iter().any(|generated| *ident == generated))
    }

    /// Whether the block already holds everything the attribute adds: the attribute ran on it before (it is
    /// applied twice).
    pub(crate) fn carries_the_expansion(&self) -> bool {
        GENERATED_ITEMS.iter().all(|generated| {
            self.methods
                .iter()
                .map(|m| &m.ident)
                .chain(&self.other_items)
                .any(|ident| ident == generated)
        })
    }

    /// Where `#[patchwork_feedback]` is written (the compiler hands the attribute only its arguments and the item,
    /// so this is its call site), resolved as the user's own code: an error here shows the attribute without a
    /// macro backtrace.
    pub(crate) fn attribute_span(&self) -> Span {
        self.item.impl_token.span.located_at(Span::call_site())
    }

    /// A method returning `ToolRouter<..>`: the router `#[tool_router]` generated (it was above us) or one built
    /// by hand.
    pub(crate) fn router_fn(&self) -> Option<&Signature> {
        self.item.items.iter().find_map(|item| match item {
            ImplItem::Fn(function) if returns_tool_router(&function.sig.output) => {
                Some(&function.sig)
            }
            _ => None,
        })
    }

    /// The names of the server's own tools visible in the block, in source order.
    pub(crate) fn tool_names(&self) -> Vec<&str> {
        self.methods
            .iter()
            .filter_map(|m| m.tool_name.as_deref())
            .collect()
    }
}

const NOT_AN_IMPL: &str = "`#[patchwork_feedback]` goes on the server's inherent impl block: \
     `#[patchwork_feedback] impl MyServer { ... }`";

fn returns_tool_router(output: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = output else {
        return false;
    };
    matches!(&**ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "ToolRouter"))
}

fn last_segment_is(attr: &Attribute, name: &str) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

/// The `name = "..."` of a `#[tool(...)]` attribute and its tokens, if it has one. The attribute belongs to
/// rmcp, which checks it; anything unreadable here just means "no explicit name".
fn tool_attribute_name(attr: &Attribute) -> Option<(String, TokenStream)> {
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let mut name = None;
    let _ = list.parse_nested_meta(|meta| {
        if meta.input.peek(Token![=]) {
            let value: Expr = meta.value()?.parse()?;
            if meta.path.is_ident("name")
                && let Expr::Lit(lit) = &value
                && let Lit::Str(s) = &lit.lit
            {
                let path = &meta.path;
                name = Some((s.value(), quote::quote!(#path = #value)));
            }
        } else if meta.input.peek(syn::token::Paren) {
            let _content;
            syn::parenthesized!(_content in meta.input);
        }
        Ok(())
    });
    name
}

/// The tokens that name an item (`fn name`, `struct Name`, ...), for pointing at an item of the wrong kind
/// without underlining its whole body.
fn item_head(item: &Item) -> TokenStream {
    fn head(keyword: impl ToTokens, ident: &Ident) -> TokenStream {
        quote::quote!(#keyword #ident)
    }
    match item {
        Item::Fn(f) => head(f.sig.fn_token, &f.sig.ident),
        Item::Struct(s) => head(s.struct_token, &s.ident),
        Item::Enum(e) => head(e.enum_token, &e.ident),
        Item::Union(u) => head(u.union_token, &u.ident),
        Item::Trait(t) => head(t.trait_token, &t.ident),
        Item::Mod(m) => head(m.mod_token, &m.ident),
        Item::Const(c) => head(c.const_token, &c.ident),
        Item::Static(s) => head(s.static_token, &s.ident),
        Item::Type(t) => head(t.type_token, &t.ident),
        other => other.to_token_stream(),
    }
}

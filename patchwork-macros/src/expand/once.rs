//! Once per type. The attribute goes on one impl block per type, but a block cannot see the type's other blocks,
//! and a second block with the attribute would redefine every generated item: about twenty "duplicate definitions"
//! for one mistake. So every expansion goes through a `macro_rules!` named after the type, which only the order of
//! the source decides:
//!
//! ```text
//! mod __patchwork_once_<site> { pub(super) use <crate>::__private::first_feedback_block as <name>; }
//! use __patchwork_once_<site>::*;              // the fallback: glob imports of one macro never clash
//! <name>! { [the block with the items] [one error at the attribute, the block as written] }
//! macro_rules! <name> { ([..] [$($repeat:tt)*]) => { $($repeat)* } }
//! ```
//!
//! The first block of a type finds no `macro_rules!` of that name above it, so `<name>!` is the runtime's
//! `first_feedback_block!`, which keeps the first alternative; it then defines `<name>`, so every later block of
//! the type (`macro_rules!` names reach the rest of the module, in source order) keeps the second. `<name>` is made
//! from the self type as written and the file, so other types, and the same name in another file, never meet.
//! A type of the same name written the same way in a module declared *inside* this file's module, or a function,
//! after the first block is taken for the same type (names of `macro_rules!` reach into child modules and function
//! bodies); that is the one case this guard gets wrong, and its error says to write that type apart
//! (`impl self::Server`). There rustc adds an "is ambiguous" error (a `macro_rules!` of an outer scope against the
//! inner scope's own import). The block's `#[cfg]`s go on every item here, so a block compiled out defines nothing.

use crate::ast::Server;
use crate::config::Config;
use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt;
use syn::{Attribute, Type};

/// Where the attribute is written (its call site), so each block's fallback module has a name of its own.
#[derive(Default)]
pub(crate) struct Site {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// What the guard of one block is made of: read from the block before the expansion consumes it.
pub(crate) struct Guard {
    name: Ident,
    module: Ident,
    fallback: TokenStream,
    cfgs: Vec<Attribute>,
    repeat: TokenStream,
}

impl Guard {
    /// The guard for `server`'s block; `None` for an impl of something other than a path type (rustc refuses it
    /// anyway).
    pub(crate) fn new(server: &Server, config: &Config, site: &Site) -> Option<Self> {
        let Type::Path(self_ty) = &*server.item.self_ty else {
            return None;
        };
        let last = self_ty.path.segments.last()?;
        let written = self_ty.to_token_stream().to_string();
        let type_key = fnv1a(&[&written, &site.file]);
        let name = format_ident!(
            "__patchwork_feedback_block_{}_{type_key:016x}",
            last.ident.unraw()
        );
        let site_key = fnv1a(&[
            &written,
            &site.file,
            &site.line.to_string(),
            &site.column.to_string(),
        ]);
        Some(Guard {
            name,
            module: format_ident!("__patchwork_once_{site_key:016x}"),
            fallback: fallback_path(&config.krate),
            cfgs: server
                .item
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("cfg"))
                .cloned()
                .collect(),
            repeat: syn::Error::new(server.attribute_span(), repeat_message(&shown(&written)))
                .to_compile_error(),
        })
    }

    /// `first` (the expansion) behind the guard; `as_written` is the block as the user wrote it, what a repeat
    /// emits beside its one error.
    pub(crate) fn wrap(&self, first: TokenStream, as_written: &TokenStream) -> TokenStream {
        let Guard {
            name,
            module,
            fallback,
            cfgs,
            repeat,
        } = self;
        quote! {
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(unused_imports)]
            mod #module {
                // The block's module's names (a `use` alias the `crate` key names), as the path was written there.
                use super::*;
                pub(super) use #fallback as #name;
            }
            #(#cfgs)*
            #[allow(unused_imports)]
            use #module::*;
            #(#cfgs)*
            #name! { [#first] [#repeat #as_written] }
            #(#cfgs)*
            #[allow(unused_macros)]
            macro_rules! #name {
                ([$($first:tt)*] [$($repeat:tt)*]) => {
                    $($repeat)*
                };
            }
        }
    }
}

/// The runtime's `first_feedback_block!` as named from the module one level down: a path relative to the block's
/// module (`self::`, `super::`) climbs one more level.
fn fallback_path(krate: &syn::Path) -> TokenStream {
    let first = krate
        .segments
        .first()
        .map(|segment| segment.ident.to_string());
    let prefix = match first.as_deref() {
        _ if krate.leading_colon.is_some() => quote!(),
        Some("self") => {
            let rest = krate.segments.iter().skip(1);
            return quote!(super #(:: #rest)* ::__private::first_feedback_block);
        }
        Some("super") => quote!(super::),
        _ => quote!(),
    };
    quote!(#prefix #krate::__private::first_feedback_block)
}

/// A type's tokens as a person writes them: `Server<T>`, not `Server < T >`.
fn shown(written: &str) -> String {
    let mut text = written.to_owned();
    for (from, to) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (" :: ", "::"),
        (":: ", "::"),
        ("& ", "&"),
        ("' ", "'"),
    ] {
        text = text.replace(from, to);
    }
    text
}

fn repeat_message(ty: &str) -> String {
    format!(
        "`#[patchwork_feedback]` goes on exactly one impl block per type, and an earlier block of `{ty}` has it \
         already (above this one, in this module or one enclosing it)\n\
         help: remove this one: the items that block gets (`PATCHWORK_INSTRUCTIONS`, `patchwork_tool()`, ...) \
         serve the whole type\n\
         help: with rmcp, keep it above the `#[tool_router]` of one block and combine the routers in \
         `#[tool_handler(router = (Self::first() + Self::second()))]`\n\
         help: if this is another type that has the same name (in a nested module or a function), write it \
         differently here, as `impl self::{ty} {{ .. }}`, or rename it"
    )
}

/// FNV-1a over the parts (each followed by a zero byte): stable across compilers and runs, unlike `std`'s hasher.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|part| part.bytes().chain([0])) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

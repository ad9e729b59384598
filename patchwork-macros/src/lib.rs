//! The `#[patchwork_feedback]` attribute. Use it through `patchwork-runtime`, which re-exports it and holds
//! everything the generated code calls; the attribute's documentation (keys, example, expansion) is on
//! [`patchwork_feedback`].
//!
//! Layout, one phase per module: `attr` parses the arguments, `ast` models the impl block, `valid` checks both,
//! `expand` generates (and is the entry point), `fallback` emits the item unchanged beside the errors.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod schema;
mod valid;
mod wording;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

#[doc = include_str!("../docs/attribute.md")]
#[doc = concat!("```rust\n", include_str!("../docs/example.rs"), "```")]
#[doc = include_str!("../docs/expansion.md")]
#[doc = concat!("```rust,ignore\n", include_str!("../docs/expansion.rs"), "```")]
#[proc_macro_attribute]
pub fn patchwork_feedback(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::patchwork_feedback(args.into(), item.into()).into()
}

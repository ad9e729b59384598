//! The `#[patchwork_feedback]` attribute. Use it through `patchwork-runtime`, which re-exports it and holds
//! everything the generated code calls; the attribute's documentation (keys, example, expansion) is on
//! [`patchwork_feedback`].
//!
//! Layout, one phase per module (thiserror-impl's), each importing only the ones listed after it (no cycles):
//! - `expand`: the entry point; runs the phases below and generates the items (`expand/items.rs`), the hidden
//!   config static (`expand/config_static.rs`) and rmcp mode's code (`expand/rmcp.rs`), behind a guard that makes
//!   the attribute on a second block of a type one error (`expand/once.rs`).
//! - `fallback`: when anything is wrong, the item unchanged beside the errors, with stubs of the generated items.
//! - `valid`: checks the arguments, turning them into the `Config` the expansion is built from, and the block:
//!   `valid/clashes.rs` (names the attribute adds), `valid/wording.rs` (texts agents read), `valid/rmcp.rs` (the
//!   placement among rmcp's attributes), `valid/repeat.rs` (once per block).
//! - `config`: the checked configuration.
//! - `attr`: parses the arguments; `ast`: models the impl block (`ast/tool_router.rs` reads rmcp's
//!   `#[tool_router(..)]` with syn).
//! - `suggest`: what messages propose; `secret`: the API key never goes in the attribute; `keys`: the keys and an
//!   example value for each.
//! - `generated`: the names of the items the expansion adds and the paths it names the runtime by (a leaf).
//! - `contract`: what the macro and the runtime must agree on (the schema, the texts agents read, the name rules,
//!   the URL policy); a generated copy of `patchwork-runtime/src/contract/`, kept equal by
//!   `tests/tests/sourcegen.rs`, so edit the runtime's.
//! - `ctxt`: collects every error, so one compile reports them all.
//!
//! Design decisions (the generated items are public API):
//! - Items are added *inside* the user's block, named `PATCHWORK_*` / `patchwork_*` so they cannot be mistaken for
//!   the server's own; a block that already defines one of these names is a compile error at that item.
//! - `#[automatically_derived]` is for trait impls only, so the items carry `#[allow(dead_code, unreachable_pub)]`
//!   (a private server type that never calls them stays warning-free under `-D warnings`) and their own rustdoc.
//! - Types are spelled `&'static ::core::primitive::str` and paths are absolute, so user items named `str`,
//!   `Option` or `core` change nothing; the runtime config is a `static` inside each generated function body,
//!   where no user code can name it (hidden, and legal in generic impls, which a `static` using `Self` is not).
//! - `PATCHWORK_SERVER_TOOLS` lists only methods marked with an attribute whose last segment is `tool` (how
//!   rmcp's `#[tool_router]` finds tools); plain methods are not guessed to be tools.
//! - The macro never panics: every input yields the expansion or the item unchanged plus `compile_error!`s.

#![warn(missing_docs)]

mod ast;
mod attr;
mod config;
#[allow(dead_code)]
mod contract;
mod ctxt;
mod expand;
mod fallback;
mod generated;
mod keys;
mod secret;
mod suggest;
mod valid;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

#[doc = include_str!("../docs/attribute.md")]
#[doc = concat!("```rust\n", include_str!("../docs/example.rs"), "```")]
#[doc = include_str!("../docs/expansion.md")]
#[doc = concat!("```rust,ignore\n", include_str!("../docs/expansion.rs"), "```")]
#[proc_macro_attribute]
pub fn patchwork_feedback(args: TokenStream, item: TokenStream) -> TokenStream {
    let call_site = proc_macro::Span::call_site();
    let site = expand::Site {
        file: call_site.file(),
        line: call_site.line(),
        column: call_site.column(),
    };
    expand::patchwork_feedback(args.into(), item.into(), &site).into()
}

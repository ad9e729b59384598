//! The names the expansion puts in the user's block and the paths it names the runtime by: what the model
//! (`ast`), the checks (`valid`) and the generators (`expand`, `fallback`) must agree on.
//!
//! A leaf: it uses nothing else of the crate, so every phase can use it.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The names of the items added to the block. Public API: keep in sync with the crate docs.
pub(crate) const GENERATED_ITEMS: &[&str] = &[
    "PATCHWORK_TOOL_NAME",
    "PATCHWORK_TOOL_DESCRIPTION",
    "PATCHWORK_INPUT_SCHEMA",
    "PATCHWORK_INSTRUCTIONS",
    "PATCHWORK_SERVER_TOOLS",
    "patchwork_tool",
    "patchwork_dispatch",
    "patchwork_dispatch_with",
    "patchwork_instructions",
    "patchwork_builder",
];

/// The name of the method rmcp mode adds; rmcp's `#[tool]` adds `<name>_tool_attr` beside it. In rmcp mode both
/// names are taken (`valid::rmcp` reports a method of the block that uses one).
pub(crate) const ROUTED_METHOD: &str = "patchwork_rmcp_feedback";
/// The item rmcp's `#[tool]` generates for [`ROUTED_METHOD`].
pub(crate) const ROUTED_METHOD_TOOL_ATTR: &str = "patchwork_rmcp_feedback_tool_attr";

/// `<crate>::__private`: generated code names the runtime's internals only through it (the public
/// `ToolDefinition` and `ToolReply` in signatures are named from the crate root, as users see them).
pub(crate) fn private_path(krate: &syn::Path) -> TokenStream {
    quote!(#krate::__private)
}

/// The name of the hidden config static; mixed-site so it cannot collide with anything the user writes.
pub(crate) fn config_ident() -> Ident {
    Ident::new("PATCHWORK_CONFIG", Span::mixed_site())
}

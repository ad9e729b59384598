//! The block against the items the attribute adds: the feedback tool's name must not be one of the server's own
//! tools nor a method of the block, and the block must not define an item the attribute adds (the message says
//! which key does what such an item was likely meant for).

use crate::ast::Server;
use crate::ctxt::Errors;
use syn::LitStr;
use syn::ext::IdentExt;

/// The tool name must not clash with the server's own tools, nor its methods; the block must not already
/// define an item the attribute adds.
pub(super) fn check_clashes(
    server: &Server,
    tool_name: Option<&str>,
    tool_name_lit: Option<&LitStr>,
    errors: &mut Errors,
) {
    for method in server.methods.iter().filter(|_| tool_name.is_some()) {
        let tool_name = tool_name.unwrap_or_default();
        let method_name = method.ident.unraw().to_string();
        if let Some(existing_tool) = &method.tool_name
            && existing_tool == tool_name
        {
            let message = format!(
                "the server already has a tool named `{tool_name}` (method `{method_name}`): give the feedback \
                 tool another name with `tool_name = \"...\"`, or rename that tool"
            );
            match (tool_name_lit, &method.tool_name_tokens) {
                (Some(lit), _) => errors.spanned(lit, message),
                (None, Some(name)) => errors.spanned(name, message),
                (None, None) => errors.spanned(&method.ident, message),
            }
        } else if method_name == tool_name {
            let message = format!(
                "the feedback tool's name `{tool_name}` is already a method of this block: give the tool another \
                 name with `tool_name = \"...\"`, or rename the method"
            );
            match tool_name_lit {
                Some(lit) => errors.spanned(lit, message),
                None => errors.spanned(&method.ident, message),
            }
        }
    }
    for ident in server.generated_name_clashes() {
        errors.spanned(
            ident,
            format!(
                "`{ident}` is added to this block by `#[patchwork_feedback]`: {}",
                clash_help(&ident.to_string())
            ),
        );
    }
}

/// What to do instead of defining a generated item yourself: the key that does what was likely wanted.
fn clash_help(name: &str) -> &'static str {
    match name {
        "PATCHWORK_INSTRUCTIONS" => {
            "to add your server's own instructions, give them to the attribute with `instructions = \"...\"` (the \
             generated constant is your text followed by the feedback directive), and rename or remove this item"
        }
        "PATCHWORK_TOOL_NAME" => {
            "to choose the feedback tool's name, use `tool_name = \"...\"`, and rename or remove this item"
        }
        "PATCHWORK_SERVER_TOOLS" => {
            "the attribute lists the block's `#[tool]` methods itself (and in rmcp mode the server's real tool list \
             is read at run time); rename or remove this item"
        }
        "patchwork_builder" => {
            "to configure the feedback client, call the generated `Self::patchwork_builder()` and chain the \
             builder's settings on it; rename this item"
        }
        _ => "rename this item",
    }
}

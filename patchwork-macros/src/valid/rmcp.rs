//! rmcp placement: written above rmcp's `#[tool_router]`, the attribute adds a `#[tool]` method that
//! `#[tool_router]` (expanding after us: outer attributes run top to bottom) then routes like any other tool
//! (`expand::rmcp` builds it). This rejects the placements where the tool would silently never be routed, and rmcp
//! mode without the runtime's `rmcp` feature.

use crate::ast::Server;
use crate::config::Config;
use crate::ctxt::Errors;
use crate::generated::{ROUTED_METHOD, ROUTED_METHOD_TOOL_ATTR};

/// Whether this build of the macro may emit rmcp code: patchwork-runtime's `rmcp` feature turns on ours.
pub(super) const RMCP_FEATURE_ENABLED: bool = cfg!(feature = "rmcp");

/// Records an error when the block's rmcp wiring means the feedback tool would not be routed, or when rmcp mode
/// is asked for without the `rmcp` feature (`rmcp_enabled`, a parameter so tests can cover both builds).
pub(super) fn check(server: &Server, config: &Config, rmcp_enabled: bool, errors: &mut Errors) {
    if let Some(tool_router) = &server.tool_router {
        if let Some(lit) = config
            .dispatch_lit
            .as_ref()
            .filter(|_| config.dispatch_manual)
        {
            errors.spanned(
                lit,
                "`dispatch = \"manual\"` is for a block whose tool you route yourself; above `#[tool_router]` rmcp \
                 routes the feedback tool\nhelp: remove `dispatch = \"manual\"`",
            );
        }
        for taken in server
            .methods
            .iter()
            .map(|m| &m.ident)
            .filter(|ident| *ident == ROUTED_METHOD || *ident == ROUTED_METHOD_TOOL_ATTR)
        {
            errors.spanned(
                taken,
                format!(
                    "`{taken}` is the name of the method `#[patchwork_feedback]` adds above `#[tool_router]`\n\
                     help: rename this method"
                ),
            );
        }
        if !rmcp_enabled {
            errors.spanned(
                &tool_router.attr,
                "`#[patchwork_feedback]` above `#[tool_router]` adds an rmcp tool, which needs the `rmcp` feature \
                 of patchwork-runtime\nhelp: in Cargo.toml: `patchwork-runtime = { version = \"0.1\", features = \
                 [\"rmcp\"] }`",
            );
        }
        return;
    }
    if let Some(router_fn) = server.router_fn().filter(|_| !config.dispatch_manual) {
        let message = "the feedback tool would never be routed: this block's rmcp router already exists (a fn \
             returning `ToolRouter`), and `#[patchwork_feedback]` can only add its tool to a router that \
             `#[tool_router]` has not built yet\nhelp: write `#[patchwork_feedback(...)]` above `#[tool_router]`, not \
             below it (attributes expand top to bottom)\nhelp: to route the tool yourself instead, put \
             `#[patchwork_feedback(dispatch = \"manual\")]` on an impl block of its own and call \
             `patchwork_dispatch` from your `call_tool`";
        if written_by_an_attribute(router_fn) {
            // `#[tool_router]` above us wrote it: the attribute is what is misplaced.
            errors.push(syn::Error::new(server.attribute_span(), message));
        } else {
            errors.spanned(router_fn, message);
        }
    }
    // An rmcp tool block (it has `#[tool]` methods) without `#[tool_router]` below us: rmcp routes its tools through
    // a router built elsewhere, never ours. Decided by the block alone, never by a cargo feature, so the same crate
    // compiles whatever other crates of the build turn on (a block without rmcp's marks is a hand-written server's).
    let first_tool = server.methods.iter().find(|m| m.tool_name.is_some());
    if let Some(tool) = first_tool.filter(|_| !config.dispatch_manual && !errors.any()) {
        // Checked last, and only when nothing else is wrong: it is about where the attribute is, not what it says.
        errors.spanned(
            &tool.ident,
            "this block has rmcp `#[tool]` methods but no `#[tool_router]` below `#[patchwork_feedback]`, so rmcp \
             would never list or route the feedback tool (while `PATCHWORK_INSTRUCTIONS` tells agents to call it)\n\
             help: put `#[patchwork_feedback(...)]` directly above `#[tool_router]`, on the block that holds your \
             `#[tool]` methods (one block per server type)\nhelp: if your own `call_tool` routes the tool with \
             `patchwork_dispatch` (and your `list_tools` lists `patchwork_tool()`), say so: \
             `#[patchwork_feedback(dispatch = \"manual\")]`",
        );
    }
}

/// Whether the fn's tokens come from an attribute's expansion (`#[tool_router]` spans what it writes at itself):
/// their source text is the attribute's, not the fn's. Outside the compiler there is no source text: by hand.
fn written_by_an_attribute(router_fn: &syn::Signature) -> bool {
    router_fn
        .fn_token
        .span
        .source_text()
        .is_some_and(|text| text.starts_with("#["))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{config, server};
    use quote::quote;

    fn problems(server: &Server, rmcp_enabled: bool) -> Option<String> {
        let mut errors = Errors::default();
        check(server, &config(), rmcp_enabled, &mut errors);
        errors.finish().err().map(|e| e.to_string())
    }

    #[test]
    fn above_tool_router_is_rmcp_mode() {
        let block = server(quote! {
            #[tool_router]
            impl S { #[tool] async fn ping(&self) -> String { String::new() } }
        });
        assert_eq!(problems(&block, true), None);
    }

    #[test]
    fn rmcp_mode_without_the_feature_names_the_feature() {
        let block = server(quote! {
            #[rmcp::tool_router]
            impl S { #[tool] async fn ping(&self) -> String { String::new() } }
        });
        let message = problems(&block, false).expect("an error");
        assert!(
            message.contains("needs the `rmcp` feature of patchwork-runtime"),
            "{message}"
        );
        assert!(message.contains("features = [\"rmcp\"]"), "{message}");
    }

    #[test]
    fn without_any_rmcp_wiring_nothing_is_added() {
        let block = server(quote! { impl S { fn helper(&self) {} } });
        assert_eq!(problems(&block, false), None);
    }

    #[test]
    fn a_tool_block_without_tool_router_needs_dispatch_manual_in_every_build() {
        let block =
            server(quote! { impl S { #[tool] async fn ping(&self) -> String { String::new() } } });
        for rmcp_enabled in [false, true] {
            let message = problems(&block, rmcp_enabled).expect("an error");
            assert!(message.contains("no `#[tool_router]` below"), "{message}");
            assert!(message.contains("dispatch = \"manual\""), "{message}");
            let mut errors = Errors::default();
            let manual = Config {
                dispatch_manual: true,
                ..config()
            };
            check(&block, &manual, rmcp_enabled, &mut errors);
            assert!(errors.finish().is_ok(), "the opt-in is accepted");
        }
    }

    #[test]
    fn a_hand_written_block_compiles_whether_or_not_rmcp_is_on_in_the_build() {
        // Cargo features are additive: another crate turning on `rmcp` must not break this one.
        let block = server(quote! { impl S { async fn call_tool(&self) {} fn helper(&self) {} } });
        assert_eq!(problems(&block, false), None);
        assert_eq!(problems(&block, true), None);
    }

    #[test]
    fn below_tool_router_is_an_error_saying_to_move_it_up() {
        // What the block looks like after `#[tool_router]` ran first.
        let block = server(quote! {
            impl S {
                #[tool] async fn ping(&self) -> String { String::new() }
                fn tool_router() -> rmcp::handler::server::router::tool::ToolRouter<Self> { rmcp::handler::server::router::tool::ToolRouter::new() }
            }
        });
        let message = problems(&block, true).expect("an error");
        assert!(message.contains("would never be routed"), "{message}");
        assert!(message.contains("above `#[tool_router]`"), "{message}");
    }

    #[test]
    fn the_routed_methods_names_are_taken_in_rmcp_mode() {
        let block = server(quote! {
            #[tool_router]
            impl S { #[tool] async fn patchwork_rmcp_feedback(&self) -> String { String::new() } }
        });
        let message = problems(&block, true).expect("an error");
        assert!(
            message.contains("`patchwork_rmcp_feedback` is the name of the method"),
            "{message}"
        );
    }
}

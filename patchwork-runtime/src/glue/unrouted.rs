//! An rmcp server whose feedback tool nobody routes: `#[patchwork_feedback]` on a block of the server with neither
//! `#[tool_router]` below it nor `dispatch = "manual"`, and without `#[tool]` methods (with them, the attribute
//! refuses the block at compile time). The attribute cannot tell such a block from a hand-written server's at
//! compile time, and must not ask a cargo feature (features are additive: another crate turning on `rmcp` must not
//! break a hand-written one). So the generated `patchwork_builder()` and `patchwork_instructions()` ask here, at
//! install and when the instructions are built, through [`__patchwork_check_routed!`](crate::__patchwork_check_routed)
//! (autoref specialization, like `ServerTools`): when the server implements rmcp's `ServerHandler`, it warns once.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};

use rmcp::ServerHandler;

/// The server type `S` whose block carries the attribute, and the feedback tool's name.
#[derive(Debug)]
pub struct Routing<S>(PhantomData<fn() -> S>, &'static str);

impl<S> Routing<S> {
    /// For `S`'s tool named `tool_name`.
    #[must_use]
    pub const fn new(tool_name: &'static str) -> Self {
        Self(PhantomData, tool_name)
    }
}

/// Chosen when `S` implements `ServerHandler` (provably, in a generic impl): warns once.
pub trait CheckViaServerHandler {
    /// Warns once that rmcp never routes the tool.
    fn check(&self);
}

impl<S: ServerHandler> CheckViaServerHandler for &Routing<S> {
    fn check(&self) {
        warn_once(self.1);
    }
}

/// Chosen otherwise (a hand-written server): nothing to say.
pub trait CheckViaBlock {
    /// Does nothing.
    fn check(&self);
}

impl<S> CheckViaBlock for Routing<S> {
    fn check(&self) {}
}

fn warn_once(tool_name: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if WARNED.swap(true, Ordering::Relaxed) {
        return;
    }
    tracing::warn!(
        tool = tool_name,
        "`#[patchwork_feedback]` is on an impl block of an rmcp server but not above its `#[tool_router]`, so rmcp \
         never lists or routes the `{tool_name}` tool while the instructions tell agents to call it: put the \
         attribute directly above `#[tool_router]` (on the block with your `#[tool]` methods); if your own \
         `call_tool` routes it with `patchwork_dispatch` and your `list_tools` lists `patchwork_tool()`, say so \
         with `dispatch = \"manual\"`"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_logs::logged;

    #[derive(Clone)]
    struct RmcpServer;
    impl ServerHandler for RmcpServer {}
    struct HandWritten;

    #[test]
    fn an_rmcp_server_is_told_once_and_a_hand_written_one_never() {
        let ((), logs) = logged(|| {
            crate::__patchwork_check_routed!(HandWritten, "feedback");
        });
        assert!(logs.is_empty(), "{logs:?}");
        let ((), logs) = logged(|| {
            crate::__patchwork_check_routed!(RmcpServer, "feedback");
            crate::__patchwork_check_routed!(RmcpServer, "feedback");
        });
        assert_eq!(logs.len(), 1, "one line: {logs:?}");
        assert!(
            logs[0].contains(" WARN ")
                && logs[0].contains("never lists or routes the `feedback` tool"),
            "{logs:?}"
        );
    }
}

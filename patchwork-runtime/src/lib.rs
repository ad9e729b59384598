//! patchwork-runtime: the PatchworkMCP feedback tool for Rust MCP servers.
//!
//! Agents call the `feedback` tool when they hit a limitation (a missing tool, incomplete results, a missing
//! parameter, a wrong format); the feedback is delivered to PatchworkMCP so server authors learn what to build
//! next.
//!
//! # One attribute
//!
//! [`#[patchwork_feedback]`](patchwork_feedback) on the server's `impl` block generates at compile time the
//! tool's registration, its input schema (a JSON literal), the dispatch and the server instructions. With the
//! `rmcp` feature and the attribute written above rmcp's `#[tool_router]`, it also adds a routed `#[tool]`
//! method. Its documentation has the keys, an example and the expansion.
//!
//! ```
//! use patchwork_runtime::patchwork_feedback;
//!
//! struct Weather;
//!
//! #[patchwork_feedback(slug = "weather", dispatch = "manual")] // routed by its own `call_tool`
//! impl Weather {
//!     async fn call_tool(&self, name: &str, arguments: &serde_json::Value) -> serde_json::Value {
//!         if let Some(reply) = self.patchwork_dispatch(name, arguments).await {
//!             return reply.to_json(); // the feedback tool's result; `isError` for bad arguments
//!         }
//!         serde_json::json!({ "content": [], "isError": true }) // the server's own tools go here
//!     }
//! }
//!
//! assert_eq!(Weather::PATCHWORK_TOOL_NAME, "feedback");
//! assert!(Weather::PATCHWORK_INSTRUCTIONS.contains("call the `feedback` tool BEFORE responding"));
//! let schema: serde_json::Value = serde_json::from_str(Weather::PATCHWORK_INPUT_SCHEMA).unwrap();
//! assert_eq!(schema, patchwork_runtime::tool_input_schema());
//! assert_eq!(Weather::patchwork_tool().name, "feedback");
//! ```
//!
//! # Configuration and delivery
//!
//! The generated `patchwork_builder()` is the run-time configuration entry (service URL, key, slug, outbox, retry
//! policies): a [`Builder`] that starts from the attribute's keys, so the start-up drain and the heartbeat use the
//! same service and slug as the tool; its own settings win over the attribute's keys, which win over the
//! `PATCHWORKMCP_*` environment. [`Builder::install`] makes it the process-wide client generated tools use and
//! returns a [`Guard`] that flushes on drop. Without it, generated tools use a client configured from the
//! environment alone. ([`Patchwork::builder`] is the same builder without any attribute's keys: for code that
//! sends feedback itself.)
//!
//! ```no_run
//! # use patchwork_runtime::patchwork_feedback;
//! # struct Weather;
//! # #[patchwork_feedback(slug = "weather", dispatch = "manual")]
//! # impl Weather {}
//! // at start-up, before serving; keep the guard until the server exits
//! let _guard = Weather::patchwork_builder() // the attribute's slug, URL and key variable
//!     .heartbeat(["forecast", Weather::PATCHWORK_TOOL_NAME])
//!     .install();
//! ```
//!
//! By default a generated tool replies as soon as the feedback is written to a durable outbox; a background
//! worker delivers it with retries ([`RetryPolicy::background`]), `Retry-After`, an idempotency key and a
//! per-item deadline. `delivery = "await"` waits for the service instead ([`RetryPolicy::reference`]). What
//! cannot be delivered stays in the outbox, or goes to stderr as one `PATCHWORKMCP_UNSENT_FEEDBACK reason=…
//! payload=…` line; [`Replay`] (the `patchwork-replay` command) re-sends both. [`start_heartbeat`] optionally
//! reports the server's tool inventory.
//!
//! # Reference-compatible API
//!
//! Code written for the reference client compiles after changing the crate name in its `use` lines:
//! [`TOOL_NAME`], [`TOOL_DESCRIPTION`], [`SERVER_INSTRUCTIONS`], [`tool_input_schema`], [`Options`],
//! [`FeedbackPayload`], [`GapType`], [`Resolution`], [`payload_from_args`], [`send_feedback`].
//!
//! ```no_run
//! use patchwork_runtime::{Options, payload_from_args, send_feedback};
//! # async fn demo(args: serde_json::Value) {
//! let opts = Options {
//!     patchwork_url: Some("https://custom.example.com".to_string()),
//!     api_key: Some("my-key".to_string()),
//!     server_slug: Some("my-server".to_string()),
//! };
//! let payload = payload_from_args(&args, Some(&opts));
//! let message = send_feedback(&payload, Some(&opts)).await;
//! # }
//! ```
//!
//! Nothing is ever written to stdout (it carries the protocol on stdio servers); diagnostics go through
//! `tracing`. The API key never appears in logs, errors or `Debug` output.
//!
//! # Features
//!
//! - `rmcp`: the attribute's rmcp mode (a routed `#[tool]` method with server-verified context) and the [`rmcp`]
//!   module (`observe`, `offered`, `call_offered`).
//! - `otel` (implies `rmcp`): MCP telemetry through OpenTelemetry for servers wrapped with `rmcp::observe`: each
//!   request's span takes its parent from the `traceparent` in the request's `_meta`, and
//!   `mcp.server.operation.duration` is recorded with the global meter provider. It adds no items, only behaviour.
//! - `test-util`: the [`testing`] kit, a real local PatchworkMCP collector on loopback and a capture of unsent
//!   lines, for testing your own server's feedback tool.
//! - TLS, one at least: `rustls-aws-lc` (the default: reqwest's own), `rustls-ring`, `native-tls` (the README's
//!   "TLS backends").

#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The layers, bottom to top: a module uses only the modules of the layers before it (ARCHITECTURE.md).
// 0: the contract and small helpers
#[allow(dead_code)]
mod contract;
mod digest;
mod random;
mod sync;
// 1: the feedback itself, and gap signals (data: kinds, the aggregation window, their reports)
mod feedback;
// Recorded only by the rmcp watcher (feature `rmcp`); reported by every client.
#[cfg_attr(not(feature = "rmcp"), allow(dead_code))]
mod signals;
// 2: configuration
mod config;
// 3: delivery
mod delivery;
// 4: the durable outbox
mod outbox;
// 5: the background worker
mod reporter;
// 6: the public client
mod patchwork;
// 7: features on top of the client, and framework glue
mod glue;
mod reference;
mod replay;
// Unit tests' log capture
#[cfg(test)]
mod test_logs;
// The test kit
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod testing;

pub use patchwork_macros::patchwork_feedback;

pub use config::wording::Wording;
pub use config::{Mode, Options};
pub use delivery::{Outcome, Reason, RetryPolicy};
pub use feedback::redact::{Field, Redaction, Report, RuleError, Verdict};
pub use feedback::validate::ArgumentError;
pub use feedback::{FeedbackPayload, GapType, Resolution};
pub use glue::CallContext;

/// rmcp glue (feature `rmcp`): [`observe`](rmcp::observe) watches a server for gap signals and MCP telemetry;
/// [`offered`](rmcp::offered) and [`call_offered`](rmcp::call_offered), for servers that keep their tool router in a
/// field, leave the feedback tool out of `tools/list` when feedback is off and still answer a call of it honestly.
/// (`#[tool_router(server_handler)]` does both itself.)
///
/// A complete server with its router in a field, watched, over stdio:
///
/// ```no_run
/// use patchwork_runtime::patchwork_feedback;
/// use rmcp::handler::server::router::tool::ToolRouter;
/// use rmcp::model::{CallToolRequestParams, CallToolResponse, ServerCapabilities, ServerConfig};
/// use rmcp::service::RequestContext;
/// use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
///
/// #[derive(Clone)]
/// struct Calc {
///     tools: ToolRouter<Self>,
/// }
///
/// impl Calc {
///     fn new() -> Self {
///         // the router as offered to agents: no feedback tool when feedback is off
///         Self { tools: patchwork_runtime::rmcp::offered(Self::tool_router(), Self::PATCHWORK_TOOL_NAME) }
///     }
/// }
///
/// #[patchwork_feedback(slug = "calc")]
/// #[tool_router]
/// impl Calc {
///     /// The answer.
///     #[tool]
///     async fn answer(&self) -> String {
///         "42".into()
///     }
/// }
///
/// #[tool_handler(router = self.tools)]
/// impl ServerHandler for Calc {
///     fn get_info(&self) -> ServerConfig {
///         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
///             .with_instructions(Self::patchwork_instructions()) // no directive when feedback is off
///     }
///
///     async fn call_tool(
///         &self,
///         request: CallToolRequestParams,
///         context: RequestContext<RoleServer>,
///     ) -> Result<CallToolResponse, ErrorData> {
///         // a call of the hidden feedback tool still gets its honest "feedback is turned off" reply
///         patchwork_runtime::rmcp::call_offered(
///             self, &self.tools, Self::tool_router, Self::PATCHWORK_TOOL_NAME, request, context,
///         )
///         .await
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rmcp::ServiceExt;
/// let _guard = Calc::patchwork_builder().install();
/// patchwork_runtime::rmcp::observe(Calc::new()).serve(rmcp::transport::stdio()).await?.waiting().await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "rmcp")]
#[cfg_attr(docsrs, doc(cfg(feature = "rmcp")))]
pub mod rmcp {
    pub use crate::glue::observe::{Observed, observe};
    pub use crate::glue::rmcp::{call_offered, offered};
}
pub use glue::tool::{ToolAnnotations, ToolDefinition, ToolReply};
pub use patchwork::{Builder, Guard, Patchwork};
pub use patchwork::{HeartbeatHandle, start_heartbeat};
pub use reference::{
    SERVER_INSTRUCTIONS, TOOL_DESCRIPTION, TOOL_NAME, payload_from_args, send_feedback,
    tool_input_schema, validate_arguments,
};
pub use replay::{CheckReport, OutboxStatus, Replay, ReplayReport};
pub use reporter::{FlushReport, Stats};

/// Flushes the process-wide client's background worker, if one was started: waits up to `timeout` for
/// in-flight deliveries. Call it before your process exits (or keep the [`Guard`] from
/// [`Builder::install`], which does it on drop). What is not delivered stays in the outbox.
///
/// ```no_run
/// # async fn demo() {
/// patchwork_runtime::flush(std::time::Duration::from_secs(2)).await;
/// # }
/// ```
pub async fn flush(timeout: std::time::Duration) -> Option<FlushReport> {
    match Patchwork::running() {
        Some(patchwork) => Some(patchwork.flush(timeout).await),
        None => None,
    }
}

/// The mode generated feedback tools run in: the installed client's (see [`Builder::mode`]), else the one
/// `PATCHWORKMCP_MODE` selects. In [`Mode::Off`] the generated `patchwork_instructions()` carries no directive;
/// leave the feedback tool out of your tool list (with rmcp: `rmcp::offered` and `rmcp::call_offered`, or
/// `#[tool_router(server_handler)]`, which does both); a call still gets an honest "feedback is turned off" reply.
///
/// ```no_run
/// let offered = patchwork_runtime::mode() != patchwork_runtime::Mode::Off;
/// # drop(offered);
/// ```
#[must_use]
pub fn mode() -> Mode {
    Patchwork::global_mode()
}

/// Generated into `patchwork_builder()` and `patchwork_instructions()` of a block that is neither above
/// `#[tool_router]` nor `dispatch = "manual"`: warns once when the server is an rmcp `ServerHandler`, whose
/// tools rmcp routes without this block (`glue/unrouted.rs`). A macro of this crate, so whether it looks at rmcp
/// follows this crate's `rmcp` feature while the attribute's code stays the same in every build.
#[doc(hidden)]
#[macro_export]
#[cfg(feature = "rmcp")]
macro_rules! __patchwork_check_routed {
    ($server:ty, $tool_name:expr) => {{
        #[allow(unused_imports)]
        use $crate::__private::rmcp::{CheckViaBlock as _, CheckViaServerHandler as _};
        (&&$crate::__private::rmcp::Routing::<$server>::new($tool_name)).check();
    }};
}

/// Without the `rmcp` feature there is no rmcp server to check.
#[doc(hidden)]
#[macro_export]
#[cfg(not(feature = "rmcp"))]
macro_rules! __patchwork_check_routed {
    ($server:ty, $tool_name:expr) => {{}};
}

/// Generated around every `#[patchwork_feedback]` block (`patchwork-macros/src/expand/once.rs`), under a name made
/// from the type's: the first block of a type takes its first alternative (the block with the generated items). A
/// later block of the type finds the `macro_rules!` of that name the first one defined instead, which takes the
/// second (one error at its attribute, the block as written), so a repeat is one error, not a definition clash per
/// generated item.
#[doc(hidden)]
#[macro_export]
macro_rules! __patchwork_first_feedback_block {
    ([$($first:tt)*] [$($repeat:tt)*]) => {
        $($first)*
    };
}

/// What code generated by `#[patchwork_feedback]` names: a re-export-only facade, not a public API (it
/// changes with the macro, which is pinned to this crate's exact version).
#[doc(hidden)]
pub mod __private {
    pub use crate::glue::wording::{instructions, tool_description};
    pub use crate::glue::{
        CallContext, Delivery, FeedbackConfig, builder_for, dispatch, dispatch_with, handle_call,
        redaction_fn, tool_definition,
    };
    pub use serde_json;

    /// The first `#[patchwork_feedback]` block of a type: its items (see the macro).
    pub use crate::__patchwork_first_feedback_block as first_feedback_block;

    /// rmcp glue for the attribute's rmcp mode.
    #[cfg(feature = "rmcp")]
    pub mod rmcp {
        pub use crate::glue::rmcp::{
            CallToolRequestParams, CallToolResponse, CallToolResult, ErrorData, JsonObject,
            ListViaBlock, ListViaServerHandler, RequestContext, RoleServer, ServerConfig,
            ServerHandler, ServerTools, ToolRouter, call_offered, call_tool, input_schema, offered,
            server_config, tool, tool_handler,
        };
        pub use crate::glue::unrouted::{CheckViaBlock, CheckViaServerHandler, Routing};
    }
}

//! rmcp glue for the attribute's rmcp mode (feature `rmcp`): what the generated `#[tool]` method calls.
//!
//! Written above rmcp's `#[tool_router]`, `#[patchwork_feedback]` adds a method like this one to the block, and
//! `#[tool_router]` routes it like any other tool:
//!
//! ```ignore
//! #[::patchwork_runtime::__private::rmcp::tool(
//!     name = "feedback",
//!     title = "Report a limitation",
//!     description = ::patchwork_runtime::__private::tool_description(Self::PATCHWORK_TOOL_DESCRIPTION),
//!     input_schema = ::patchwork_runtime::__private::rmcp::input_schema(Self::PATCHWORK_INPUT_SCHEMA),
//!     annotations(title = "Report a limitation", read_only_hint = false, destructive_hint = false,
//!                 idempotent_hint = false, open_world_hint = true),
//! )]
//! async fn patchwork_rmcp_feedback(
//!     &self,
//!     context: ::patchwork_runtime::__private::rmcp::RequestContext<::patchwork_runtime::__private::rmcp::RoleServer>,
//!     arguments: ::patchwork_runtime::__private::rmcp::JsonObject,
//! ) -> ::patchwork_runtime::__private::rmcp::CallToolResult {
//!     static CONFIG: ::patchwork_runtime::__private::FeedbackConfig = /* the attribute's settings */;
//!     #[allow(unused_imports)]
//!     use ::patchwork_runtime::__private::rmcp::{ListViaBlock as _, ListViaServerHandler as _};
//!     let server_tools = (&&::patchwork_runtime::__private::rmcp::ServerTools(self, Self::PATCHWORK_TOOL_NAME)).list(context.clone());
//!     ::patchwork_runtime::__private::rmcp::call_tool(&CONFIG, context, arguments, server_tools).await
//! }
//! ```
//!
//! The method takes the raw argument object (rmcp's `JsonObject` extractor, which turns absent arguments into
//! `{}`), not a typed `Parameters<T>`: rmcp would refuse a typed parse with its own generic message, while the
//! runtime's validation names every field to fix. (`arguments` that are not an object never reach a tool: rmcp
//! 3.11 refuses such a request with a JSON-RPC error while decoding it.)

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use ::rmcp::ErrorData;
pub use ::rmcp::handler::server::router::tool::ToolRouter;
use ::rmcp::handler::server::tool::ToolCallContext;
pub use ::rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, JsonObject, ServerConfig,
};
use ::rmcp::model::{ContentBlock, Implementation, PaginatedRequestParams, ServerCapabilities};
pub use ::rmcp::service::RequestContext;
pub use ::rmcp::{RoleServer, ServerHandler, tool, tool_handler};
use serde_json::Value;

use super::tool::ToolReply;
use super::{CallContext, FeedbackConfig, handle_call_on};
use crate::config::Mode;
use crate::contract::fields::input_schema_json;
use crate::patchwork::Patchwork;

/// How long the server's own `list_tools` may take before the feedback goes out without the tool list.
const TOOL_LIST_TIMEOUT: Duration = Duration::from_secs(2);

/// Most `tools/list` pages read for `tools_available` (a bound for servers that paginate endlessly).
const TOOL_LIST_MAX_PAGES: usize = 10;

/// The input schema for rmcp's `Tool`, parsed once from the macro's compile-time JSON text.
///
/// Every generated schema is the same text (a test keeps it equal to the runtime's), so one parsed copy is
/// shared; a different text is parsed on its own. Text that is not a JSON object (a macro bug) falls back to the
/// runtime's schema rather than panicking while the server lists its tools.
pub fn input_schema(text: &'static str) -> Arc<JsonObject> {
    static PARSED: OnceLock<(&'static str, Arc<JsonObject>)> = OnceLock::new();
    let (cached_text, cached) = PARSED.get_or_init(|| (text, parse_schema(text)));
    if *cached_text == text {
        Arc::clone(cached)
    } else {
        parse_schema(text)
    }
}

fn parse_schema(text: &str) -> Arc<JsonObject> {
    let object = serde_json::from_str::<JsonObject>(text).unwrap_or_else(|error| {
        tracing::error!(%error, "generated input schema is not a JSON object; using the runtime's schema");
        serde_json::from_str(&input_schema_json()).unwrap_or_default()
    });
    Arc::new(object)
}

/// Handles one call of the feedback tool routed by rmcp: replaces the agent's guesses with what the server
/// knows (the client's name and version, and `server_tools`: the server's real tool list, see [`ServerTools`]),
/// validates, delivers and replies.
///
/// Invalid arguments give a result with `isError: true` naming each field to fix; otherwise the result's text
/// says what happened to the feedback (delivered, queued for delivery, or kept in the log).
pub async fn call_tool(
    config: &'static FeedbackConfig,
    context: RequestContext<RoleServer>,
    arguments: JsonObject,
    server_tools: impl Future<Output = Option<Vec<String>>>,
) -> CallToolResult {
    call_tool_on(
        Patchwork::global(),
        config,
        context,
        arguments,
        server_tools,
    )
    .await
}

/// [`call_tool`] through a given client (tests pointing at a local collector).
pub(crate) async fn call_tool_on(
    patchwork: &Patchwork,
    config: &FeedbackConfig,
    context: RequestContext<RoleServer>,
    arguments: JsonObject,
    server_tools: impl Future<Output = Option<Vec<String>>>,
) -> CallToolResult {
    let arguments = Value::Object(arguments);
    let tools_available = server_tools.await.map(|names| {
        names
            .into_iter()
            .filter(|name| name != config.tool_name)
            .collect()
    });
    let known = CallContext {
        client_type: context.client_info().as_ref().and_then(client_label),
        tools_available,
        session_id: transport_session(&context),
        one_session_per_process: !over_http(&context),
    };
    into_result(handle_call_on(patchwork, config, &arguments, known).await)
}

/// `router` as offered to agents: the feedback tool `tool_name` left out (disabled) when feedback is off.
///
/// ```
/// # use patchwork_runtime::patchwork_feedback;
/// # use rmcp::handler::server::router::tool::ToolRouter;
/// # use rmcp::model::{CallToolRequestParams, CallToolResponse, ServerCapabilities, ServerConfig};
/// # use rmcp::service::RequestContext;
/// # use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
/// #
/// # #[derive(Clone)]
/// # struct Calc {
/// #     tools: ToolRouter<Self>,
/// # }
/// #
/// # #[patchwork_feedback(slug = "calc")]
/// # #[tool_router]
/// # impl Calc {
/// #     /// The answer.
/// #     #[tool]
/// #     async fn answer(&self) -> String {
/// #         "42".into()
/// #     }
/// # }
/// #
/// # #[tool_handler(router = self.tools)]
/// # impl ServerHandler for Calc {
/// #     fn get_info(&self) -> ServerConfig {
/// #         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
/// #             .with_instructions(Self::patchwork_instructions()) // no directive when feedback is off
/// #     }
/// #
/// #     async fn call_tool(
/// #         &self,
/// #         request: CallToolRequestParams,
/// #         context: RequestContext<RoleServer>,
/// #     ) -> Result<CallToolResponse, ErrorData> {
/// #         // a call of the hidden feedback tool still gets its honest "feedback is turned off" reply
/// #         patchwork_runtime::rmcp::call_offered(
/// #             self, &self.tools, Self::tool_router, Self::PATCHWORK_TOOL_NAME, request, context,
/// #         )
/// #         .await
/// #     }
/// # }
/// #
/// impl Calc {
///     fn new() -> Self {
///         // the router as offered to agents: no feedback tool when feedback is off
///         Self { tools: patchwork_runtime::rmcp::offered(Self::tool_router(), Self::PATCHWORK_TOOL_NAME) }
///     }
/// }
///
/// let server = Calc::new();
/// let listed = server.tools.list_all().iter().any(|tool| tool.name == "feedback");
/// assert_eq!(listed, patchwork_runtime::mode() != patchwork_runtime::Mode::Off);
/// ```
pub fn offered<S: ServerHandler>(
    mut router: ToolRouter<S>,
    tool_name: &'static str,
) -> ToolRouter<S> {
    if Patchwork::global_mode() == Mode::Off {
        router.disable_route(tool_name);
    }
    router
}

/// `tools/call` through `offered` (a router [`offered`] made, or the user's own with routes disabled), except that
/// the feedback tool `tool_name` is called through `all` (the block's full router) when `offered` hides it: a
/// client that calls it anyway gets its honest "feedback is turned off" reply instead of rmcp's "tool not found".
///
/// ```
/// # use patchwork_runtime::patchwork_feedback;
/// # use rmcp::handler::server::router::tool::ToolRouter;
/// # use rmcp::model::{CallToolRequestParams, CallToolResponse, ServerCapabilities, ServerConfig};
/// # use rmcp::service::RequestContext;
/// # use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
/// #
/// # #[derive(Clone)]
/// # struct Calc {
/// #     tools: ToolRouter<Self>,
/// # }
/// #
/// # impl Calc {
/// #     fn new() -> Self {
/// #         // the router as offered to agents: no feedback tool when feedback is off
/// #         Self { tools: patchwork_runtime::rmcp::offered(Self::tool_router(), Self::PATCHWORK_TOOL_NAME) }
/// #     }
/// # }
/// #
/// # #[patchwork_feedback(slug = "calc")]
/// # #[tool_router]
/// # impl Calc {
/// #     /// The answer.
/// #     #[tool]
/// #     async fn answer(&self) -> String {
/// #         "42".into()
/// #     }
/// # }
/// #
/// #[tool_handler(router = self.tools)]
/// impl ServerHandler for Calc {
/// #   fn get_info(&self) -> ServerConfig {
/// #       ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
/// #           .with_instructions(Self::patchwork_instructions())
/// #   }
///     async fn call_tool(
///         &self,
///         request: CallToolRequestParams,
///         context: RequestContext<RoleServer>,
///     ) -> Result<CallToolResponse, ErrorData> {
///         patchwork_runtime::rmcp::call_offered(
///             self, &self.tools, Self::tool_router, Self::PATCHWORK_TOOL_NAME, request, context,
///         )
///         .await
///     }
/// }
/// ```
pub async fn call_offered<S: ServerHandler>(
    server: &S,
    offered: &ToolRouter<S>,
    all: fn() -> ToolRouter<S>,
    tool_name: &'static str,
    request: CallToolRequestParams,
    context: RequestContext<RoleServer>,
) -> Result<CallToolResponse, ErrorData> {
    let call = ToolCallContext::new(server, request, context);
    if call.name() == tool_name && offered.is_disabled(tool_name) {
        all().call(call).await
    } else {
        offered.call(call).await
    }
}

/// What `get_info` returns for `#[tool_router(server_handler)]`: rmcp's own default (tools enabled, rmcp's build
/// info), with `instructions` (the generated `patchwork_instructions()`, read at run time so the mode counts).
pub fn server_config(instructions: String) -> ServerConfig {
    let config = ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
        .with_server_info(Implementation::from_build_env());
    if instructions.is_empty() {
        config
    } else {
        config.with_instructions(instructions)
    }
}

/// The server whose tools the feedback reports, for choosing at compile time how to list them (autoref
/// specialization): `(&&ServerTools(self, Self::PATCHWORK_TOOL_NAME)).list(context)` resolves to [`ListViaServerHandler`] when the server
/// implements `ServerHandler` (provably, in a generic impl), and to [`ListViaBlock`] otherwise, so the generated
/// method never adds a `ServerHandler` bound the user's block does not have.
#[derive(Debug)]
pub struct ServerTools<'a, S>(pub &'a S, pub &'static str);

/// Lists the tools through the server's own `tools/list` (see [`ServerTools`]).
pub trait ListViaServerHandler<'a> {
    /// The names the server's `tools/list` returns; `None` when it fails or takes too long.
    fn list(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Option<Vec<String>>> + 'a;
}

impl<'a, S: ServerHandler> ListViaServerHandler<'a> for &ServerTools<'a, S> {
    fn list(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Option<Vec<String>>> + 'a {
        warn_once_without_the_directive(self.0, self.1);
        server_tool_names(self.0, context)
    }
}

/// The fallback of [`ServerTools`]: no list, so the tools the attribute saw in the block are used.
pub trait ListViaBlock<'a> {
    /// Always `None`.
    fn list(
        &self,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Option<Vec<String>>> + 'a;
}

impl<'a, S> ListViaBlock<'a> for ServerTools<'a, S> {
    fn list(
        &self,
        _context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Option<Vec<String>>> + 'a {
        std::future::ready(None)
    }
}

/// The transport's session: the `Mcp-Session-Id` of a streamable HTTP session (legacy protocol versions keep
/// one per client), read from the HTTP request rmcp hands the tool. `None` over stdio, and for stateless
/// 2026-07-28 requests, which have no session.
pub(super) fn transport_session(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<http::request::Parts>()?;
    let id = parts.headers.get("mcp-session-id")?.to_str().ok()?.trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Whether the request came over HTTP (rmcp hands the tool the request's parts): a server many users share. Any
/// other transport (stdio) serves one client per process.
pub(super) fn over_http(context: &RequestContext<RoleServer>) -> bool {
    context.extensions.get::<http::request::Parts>().is_some()
}

/// `name/version` of the MCP client (e.g. `claude-code/2.0.1`), read per request so it also works with the
/// stateless lifecycle, where there is no `initialize`. `None` for an empty name and for rmcp's placeholder
/// (`Implementation::default()`, what a stateless server sees when the request carries no client info).
fn client_label(client: &Implementation) -> Option<String> {
    let name = client.name.trim();
    let version = client.version.trim();
    let label = if version.is_empty() {
        name.to_owned()
    } else {
        format!("{name}/{version}")
    };
    super::known_client(Some(&label)).map(str::to_owned)
}

/// The names the server's own `tools/list` returns (all routers merged, the user's overrides honoured). `None`
/// when listing fails or takes too long: the runtime then falls back to the tools the macro saw in the block.
async fn server_tool_names<S: ServerHandler>(
    server: &S,
    context: RequestContext<RoleServer>,
) -> Option<Vec<String>> {
    let listing = async {
        let mut names = Vec::new();
        let mut cursor = None;
        for _ in 0..TOOL_LIST_MAX_PAGES {
            let request = cursor.map(|c| PaginatedRequestParams::default().with_cursor(Some(c)));
            let page = server.list_tools(request, context.clone()).await.ok()?;
            names.extend(page.tools.into_iter().map(|tool| tool.name.into_owned()));
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        Some(names)
    };
    match tokio::time::timeout(TOOL_LIST_TIMEOUT, listing).await {
        Ok(Some(names)) => Some(names),
        Ok(None) => {
            tracing::warn!(
                "the server's list_tools failed; tools_available falls back to the block's tools"
            );
            None
        }
        Err(_) => {
            tracing::warn!(
                timeout = ?TOOL_LIST_TIMEOUT,
                "the server's list_tools timed out; tools_available falls back to the block's tools"
            );
            None
        }
    }
}

/// The runtime's reply as rmcp's result: `isError: true` only for arguments the agent must fix.
fn into_result(reply: ToolReply) -> CallToolResult {
    let content = vec![ContentBlock::text(reply.text)];
    if reply.is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    }
}

/// Says once, at warn, when the server's instructions lack the feedback directive: `get_info` built without
/// `Self::PATCHWORK_INSTRUCTIONS` (for example `#[tool_handler(instructions = "...")]`, which takes only a literal),
/// so agents are never told to report limitations.
fn warn_once_without_the_directive<S: ServerHandler>(server: &S, tool_name: &str) {
    static CHECKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    // With feedback off the directive is left out on purpose.
    if Patchwork::global_mode() == Mode::Off
        || CHECKED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        return;
    }
    // Every directive names the tool (the attribute checks a custom one does).
    let told = server
        .get_info()
        .instructions
        .is_some_and(|instructions| crate::contract::texts::names_tool(&instructions, tool_name));
    if !told {
        tracing::warn!(
            "the server's instructions do not carry the feedback directive, so agents are not told to report \
             limitations: return `Self::patchwork_instructions()` from `get_info` (give your own text to the \
             attribute's `instructions` key instead of `#[tool_handler(instructions = ...)]`)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::tool_input_schema;

    #[test]
    fn schema_is_parsed_once_and_equals_the_runtime_schema() {
        static TEXT: OnceLock<String> = OnceLock::new();
        let text: &'static str = TEXT.get_or_init(input_schema_json);
        let first = input_schema(text);
        let second = input_schema(text);
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(Value::Object((*first).clone()), tool_input_schema());
    }

    #[test]
    fn broken_schema_text_falls_back_instead_of_panicking() {
        assert_eq!(
            Value::Object((*parse_schema("[1, 2]")).clone()),
            tool_input_schema()
        );
    }

    #[test]
    fn client_label_joins_name_and_version() {
        assert_eq!(
            client_label(&Implementation::new("claude-code", "2.0.1")).as_deref(),
            Some("claude-code/2.0.1")
        );
        assert_eq!(
            client_label(&Implementation::new("cursor", " ")).as_deref(),
            Some("cursor")
        );
        assert_eq!(client_label(&Implementation::new("", "1.0")), None);
        assert_eq!(client_label(&Implementation::new(" ", "")), None);
    }

    #[test]
    fn rmcps_placeholder_is_no_client() {
        assert_eq!(client_label(&Implementation::default()), None);
        let placeholder = Implementation::default();
        assert_eq!(
            client_label(&Implementation::new(placeholder.name, "3.10.0")),
            None,
            "an older rmcp's placeholder too"
        );
        assert_eq!(
            client_label(&Implementation::new("rmcp-inspector", "1.0")).as_deref(),
            Some("rmcp-inspector/1.0")
        );
    }

    #[test]
    fn only_argument_errors_are_marked_as_errors() {
        let error = into_result(ToolReply::error("fix `what_i_needed`"));
        assert_eq!(error.is_error, Some(true));
        let sent = into_result(ToolReply::success("recorded"));
        assert_eq!(sent.is_error, Some(false));
    }
}

//! MCP telemetry by the OpenTelemetry semantic conventions for MCP (`mcp.server` spans, status Development): one
//! `tracing` span per request the watched server handles, named `{mcp.method.name} {target}`, with the
//! conventions' attribute names as its fields, so `tracing-opentelemetry` exports it as the conventions describe.
//! With feature `otel`, the span's parent comes from a `traceparent` in the request's `_meta` and the
//! `mcp.server.operation.duration` histogram is recorded (`glue/otel.rs`).
//!
//! Attributes outside the conventions are in the `patchwork.` namespace (the client's name and version).

use std::time::Duration;

use ::rmcp::ErrorData;
use ::rmcp::RoleServer;
use ::rmcp::model::{InitializeResult, ProtocolVersion};
use ::rmcp::service::RequestContext;
use tracing::field::Empty;

use super::rmcp::{over_http, transport_session};

/// The first protocol revision without sessions: `mcp.session.id` is set only for earlier ones.
const STATELESS_REVISION: &str = "2026-07-28";

/// JSON-RPC codes a server answers when the caller asked for something it cannot serve; the conventions say they
/// are not errors of the server: parse error, invalid request, method not found, invalid params (also an unknown
/// tool), resource not found.
const CALLER_CODES: [i32; 5] = [-32700, -32600, -32601, -32602, -32002];

/// What one request is, read before the server takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Call {
    pub(crate) method: String,
    /// The tool of a `tools/call`.
    pub(crate) tool: Option<String>,
    /// The prompt of a `prompts/get`.
    pub(crate) prompt: Option<String>,
    /// The resource of a `resources/read`, `resources/subscribe` or `resources/unsubscribe`.
    pub(crate) resource: Option<String>,
    pub(crate) request_id: String,
    pub(crate) protocol_version: Option<String>,
    /// The legacy session's `Mcp-Session-Id`.
    pub(crate) session_id: Option<String>,
    /// The HTTP version, when the request came over HTTP.
    pub(crate) http_version: Option<&'static str>,
    pub(crate) client_name: Option<String>,
    pub(crate) client_version: Option<String>,
    /// The W3C trace context in the request's `_meta`: the span's remote parent (feature `otel`).
    pub(crate) traceparent: Option<String>,
    pub(crate) tracestate: Option<String>,
}

/// What a request is about, beside its method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    None,
    Tool(String),
    Prompt(String),
    Resource(String),
}

impl Call {
    /// The request `method` about `target`, with what `context` tells of the protocol, session and client.
    pub(crate) fn new(
        context: &RequestContext<RoleServer>,
        method: impl Into<String>,
        target: Target,
    ) -> Self {
        let (tool, prompt, resource) = match target {
            Target::None => (None, None, None),
            Target::Tool(name) => (Some(low_cardinality(name)), None, None),
            Target::Prompt(name) => (None, Some(low_cardinality(name)), None),
            Target::Resource(uri) => (None, None, Some(uri)),
        };
        let method = method.into();
        // During an `initialize`, rmcp's context reports the version the client asked for, which the handshake may
        // lower (a client asking for 2026-07-28, which has no handshake, gets 2025-11-25): the version used comes
        // with the answer ([`negotiated`]). The handshake is the legacy lifecycle's, so its session counts.
        let initialize = method == "initialize";
        let protocol_version = context
            .protocol_version()
            .filter(|_| !initialize)
            .map(|v| v.to_string());
        let legacy = initialize
            || protocol_version
                .as_deref()
                .is_none_or(|version| version < STATELESS_REVISION);
        let client = context.client_info();
        let known = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let client_name = client
            .as_ref()
            .and_then(|c| super::known_client(Some(&c.name)).and_then(known));
        Self {
            method,
            tool,
            prompt,
            resource,
            request_id: context.id.to_string(),
            session_id: transport_session(context).filter(|_| legacy),
            http_version: http_version(context),
            client_version: client_name
                .as_ref()
                .and(client.as_ref())
                .and_then(|c| known(&c.version)),
            client_name,
            protocol_version,
            traceparent: context.meta.get_traceparent().map(str::to_owned),
            tracestate: context.meta.get_tracestate().map(str::to_owned),
        }
    }

    /// The span's name: `{mcp.method.name} {target}`, the target being the tool or the prompt (never a resource's
    /// URI: high cardinality), else the method alone.
    pub(crate) fn span_name(&self) -> String {
        match self.tool.as_ref().or(self.prompt.as_ref()) {
            Some(target) => format!("{} {target}", self.method),
            None => self.method.clone(),
        }
    }
}

fn http_version(context: &RequestContext<RoleServer>) -> Option<&'static str> {
    if !over_http(context) {
        return None;
    }
    let parts = context.extensions.get::<http::request::Parts>()?;
    Some(match parts.version {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_2 => "2",
        http::Version::HTTP_3 => "3",
        _ => "1.1",
    })
}

/// What stands for a name the client sent that cannot be a tool's or a prompt's (the conventions' value for a
/// target outside the known set).
pub(crate) const OTHER: &str = "_OTHER";

/// A tool or prompt name as the client sent it, when it follows MCP's tool-name rule (1 to 128 ASCII letters,
/// digits, `_`, `-`, `.`); anything else, which no server offers, is [`OTHER`]: span names and metric series stay
/// few, and free text a client puts there never reaches a span.
fn low_cardinality(name: String) -> String {
    if crate::contract::names::tool_name_problem(&name).is_none() {
        name
    } else {
        OTHER.to_owned()
    }
}

/// How the server answered, as the conventions classify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    /// `rpc.response.status_code`: the JSON-RPC error code, when the answer was an error.
    pub(crate) code: Option<i32>,
    /// `error.type`: the code for errors of the server, `tool_error` for a tool result with `isError: true`;
    /// `None` for success and for the caller's mistakes.
    pub(crate) error_type: Option<String>,
    /// The status description of an error: the JSON-RPC message.
    pub(crate) message: Option<String>,
    /// An `initialize`'s `mcp.protocol.version`: the version its handshake settles on ([`negotiated`]).
    pub(crate) protocol_version: Option<String>,
    /// The server does not have the tool or prompt asked for: its name is the client's word, not one the server
    /// offers, so the metric counts it as [`OTHER`] (the span, one per request, keeps it).
    pub(crate) unknown_target: bool,
}

impl Answer {
    /// A tool result with `isError: true`.
    pub(crate) fn tool_error() -> Self {
        Self {
            code: None,
            error_type: Some("tool_error".to_owned()),
            message: None,
            protocol_version: None,
            unknown_target: false,
        }
    }

    /// A result, or a JSON-RPC error classified by its code.
    pub(crate) fn of<T>(result: &Result<T, ErrorData>) -> Self {
        match result {
            Ok(_) => Self {
                code: None,
                error_type: None,
                message: None,
                protocol_version: None,
                unknown_target: false,
            },
            Err(error) => {
                let code = error.code.0;
                Self {
                    code: Some(code),
                    error_type: (!CALLER_CODES.contains(&code)).then(|| code.to_string()),
                    message: Some(error.message.to_string()),
                    protocol_version: None,
                    unknown_target: false,
                }
            }
        }
    }
}

/// The version an `initialize` settles on, negotiated the way rmcp does after the server's handler answered
/// (rmcp 3.11, `negotiate_protocol_version`): the client's version when it has a handshake and the server supports
/// it, else the handler's if that has one, else the newest supported version that has one.
pub(crate) fn negotiated(
    requested: &ProtocolVersion,
    result: &Result<InitializeResult, ErrorData>,
    supported: &[ProtocolVersion],
) -> Option<String> {
    let answer = result.as_ref().ok()?;
    let version = if requested.has_initialize() && supported.contains(requested) {
        requested
    } else if answer.protocol_version.has_initialize() {
        &answer.protocol_version
    } else {
        supported
            .iter()
            .filter(|version| version.has_initialize())
            .max_by(|a, b| a.as_str().cmp(b.as_str()))?
    };
    Some(version.to_string())
}

/// The span for `call`, with every attribute known before the answer; the rest are recorded by [`record`].
///
/// A root span: its parent is the client's span named in the request's `_meta` (feature `otel`), never the ambient
/// one, which under rmcp is the session's service loop (`serve_inner`, open as long as the connection): as its
/// child, every request of a session would sit in one trace whose root is exported only when the session ends.
/// The conventions record the ambient (transport) context as a link instead (`glue/otel.rs`).
pub(crate) fn span(call: &Call) -> tracing::Span {
    let span = tracing::info_span!(
        target: "patchwork_runtime::mcp",
        parent: None,
        "mcp.server",
        otel.name = %call.span_name(),
        otel.kind = "server",
        otel.status_code = Empty,
        otel.status_description = Empty,
        mcp.method.name = %call.method,
        mcp.protocol.version = Empty,
        mcp.session.id = Empty,
        mcp.resource.uri = Empty,
        jsonrpc.request.id = %call.request_id,
        gen_ai.tool.name = Empty,
        gen_ai.prompt.name = Empty,
        gen_ai.operation.name = Empty,
        error.type = Empty,
        rpc.response.status_code = Empty,
        network.transport = Empty,
        network.protocol.name = Empty,
        network.protocol.version = Empty,
        patchwork.client.name = Empty,
        patchwork.client.version = Empty,
    );
    if span.is_disabled() {
        return span;
    }
    let set = |field: &str, value: Option<&str>| {
        if let Some(value) = value {
            span.record(field, value);
        }
    };
    set("mcp.protocol.version", call.protocol_version.as_deref());
    set("mcp.session.id", call.session_id.as_deref());
    set("gen_ai.tool.name", call.tool.as_deref());
    set("gen_ai.prompt.name", call.prompt.as_deref());
    set(
        "gen_ai.operation.name",
        call.tool.as_ref().map(|_| "execute_tool"),
    );
    if let Some(version) = call.http_version {
        set("network.transport", Some("tcp"));
        set("network.protocol.name", Some("http"));
        set("network.protocol.version", Some(version));
    }
    set("patchwork.client.name", call.client_name.as_deref());
    set("patchwork.client.version", call.client_version.as_deref());
    span
}

/// Records the answer on `span` (status, `error.type`, `rpc.response.status_code`) and, with feature `otel`, the
/// operation's duration in the histogram.
pub(crate) fn record(span: &tracing::Span, call: &Call, answer: &Answer, elapsed: Duration) {
    if !span.is_disabled() {
        if let Some(version) = &answer.protocol_version {
            span.record("mcp.protocol.version", version.as_str());
        }
        if let Some(code) = answer.code {
            span.record("rpc.response.status_code", code.to_string());
        }
        if let Some(error_type) = &answer.error_type {
            span.record("error.type", error_type.as_str());
            span.record("otel.status_code", "ERROR");
            if let Some(message) = &answer.message {
                span.record("otel.status_description", message.as_str());
            }
        }
    }
    #[cfg(feature = "otel")]
    super::otel::record_duration(call, answer, elapsed);
    #[cfg(not(feature = "otel"))]
    let _ = (call, elapsed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::rmcp::model::ErrorCode;

    #[test]
    fn span_names_take_the_tool_or_the_prompt_never_a_resource() {
        let call =
            |method: &str, tool: Option<&str>, prompt: Option<&str>, resource: Option<&str>| Call {
                method: method.into(),
                tool: tool.map(Into::into),
                prompt: prompt.map(Into::into),
                resource: resource.map(Into::into),
                ..Call::default()
            };
        assert_eq!(
            call("tools/call", Some("add"), None, None).span_name(),
            "tools/call add"
        );
        assert_eq!(
            call("prompts/get", None, Some("greet"), None).span_name(),
            "prompts/get greet"
        );
        assert_eq!(
            call("resources/read", None, None, Some("file:///a")).span_name(),
            "resources/read"
        );
        assert_eq!(
            call("tools/list", None, None, None).span_name(),
            "tools/list"
        );
    }

    #[test]
    fn an_initialize_names_the_version_the_handshake_settles_on_not_the_one_asked_for() {
        let settled = |requested: &str, handler: ProtocolVersion| {
            let requested: ProtocolVersion =
                serde_json::from_value(serde_json::json!(requested)).expect("a version");
            let mut answer = InitializeResult::new(Default::default());
            answer.protocol_version = handler;
            negotiated(&requested, &Ok(answer), ProtocolVersion::KNOWN_VERSIONS)
        };
        // 2026-07-28 has no handshake: the newest version that has one.
        assert_eq!(
            settled("2026-07-28", ProtocolVersion::LATEST).as_deref(),
            Some("2025-11-25")
        );
        assert_eq!(
            settled("2025-06-18", ProtocolVersion::LATEST).as_deref(),
            Some("2025-06-18")
        );
        // A version the server does not know: the handler's, when it has a handshake.
        assert_eq!(
            settled("2099-01-01", ProtocolVersion::V_2025_03_26).as_deref(),
            Some("2025-03-26")
        );
        let refused = Err(ErrorData::internal_error("no", None));
        assert_eq!(
            negotiated(
                &ProtocolVersion::LATEST,
                &refused,
                ProtocolVersion::KNOWN_VERSIONS
            ),
            None
        );
    }

    #[test]
    fn the_caller_s_mistakes_are_not_errors_of_the_server_but_tool_errors_and_internal_errors_are()
    {
        let error = |code: i32| Answer::of::<()>(&Err(ErrorData::new(ErrorCode(code), "m", None)));
        for code in CALLER_CODES {
            let answer = error(code);
            assert_eq!(
                (answer.code, answer.error_type),
                (Some(code), None),
                "{code}"
            );
        }
        for code in [-32603, -32000, -32099, -31999, 1] {
            assert_eq!(error(code).error_type, Some(code.to_string()));
        }
        let tool_error = Answer::tool_error();
        assert_eq!(tool_error.error_type.as_deref(), Some("tool_error"));
        assert_eq!(tool_error.code, None);
        assert_eq!(Answer::of::<()>(&Ok(())).error_type, None);
    }
}

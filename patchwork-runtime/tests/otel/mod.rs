//! Shared by the MCP telemetry tests (`otel_spans.rs`, `otel_metrics.rs`): our extract of the OpenTelemetry
//! conventions for MCP (`mcp_conventions.json`), the watched test server (`common/calc.rs`), and a scenario of
//! requests that records what the client saw of each, the oracle the spans and the metric are checked against.
#![allow(dead_code)]

use std::collections::BTreeMap;

use patchwork_runtime::Patchwork;
use patchwork_runtime::rmcp::observe;
use rmcp::model::{
    CallToolRequestParams, ClientConfig, ClientRequest, GetPromptRequestParams, PingRequest,
    ReadResourceRequestParams, RequestParamsMeta,
};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::calc::{Calc, connect_as};

/// The remote parent the client names in one request's `_meta` (W3C Trace Context's own example).
pub const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
pub const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
pub const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";
pub const TRACESTATE: &str = "rojo=00f067aa0ba902b7";

/// `mcp_conventions.json`.
#[derive(Debug, Deserialize)]
pub struct Conventions {
    pub span: SpanRules,
    pub server_status: ServerStatus,
    pub resource_methods: Vec<String>,
    pub metric: MetricRules,
    #[serde(rename = "mcp.method.name")]
    pub methods: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct SpanRules {
    #[serde(rename = "type")]
    pub kind_of_span: String,
    pub kind: String,
    pub name: NameRule,
    pub attributes: BTreeMap<String, Attribute>,
    pub templates: BTreeMap<String, Attribute>,
}

#[derive(Debug, Deserialize)]
pub struct NameRule {
    pub targets: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Attribute {
    pub requirement: String,
    /// Our reading of the condition: `failure`, `tool`, `prompt`, `resource`, `request`, `error_code`.
    pub when: Option<String>,
    /// The only value the conventions allow, when they name one.
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub value_type: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ServerStatus {
    pub caller_codes: Vec<i32>,
}

#[derive(Debug, Deserialize)]
pub struct MetricRules {
    pub name: String,
    pub instrument: String,
    pub unit: String,
    pub attributes: BTreeMap<String, Attribute>,
    pub templates: BTreeMap<String, Attribute>,
}

impl Conventions {
    pub fn load() -> Self {
        serde_json::from_str(include_str!("mcp_conventions.json")).expect("the extract parses")
    }

    /// Whether `key` may be on an `mcp.server` span: a key of the conventions, a template's key, or ours.
    pub fn span_allows(&self, key: &str) -> bool {
        self.span.attributes.contains_key(key)
            || templated(&self.span.templates, key)
            || key.starts_with("patchwork.")
    }

    /// Whether `key` may be an attribute of the duration metric.
    pub fn metric_allows(&self, key: &str) -> bool {
        self.metric.attributes.contains_key(key) || templated(&self.metric.templates, key)
    }

    /// Whether a JSON-RPC error with `code` is a failure of the server (else the caller's mistake).
    pub fn is_server_error(&self, code: i32) -> bool {
        !self.server_status.caller_codes.contains(&code)
    }

    /// Whether the condition `when` holds for `step`, by the conventions' words.
    pub fn holds(&self, when: &str, step: &Step) -> bool {
        match when {
            "failure" => self.error_type(step).is_some(),
            "tool" => step.method == "tools/call",
            "prompt" => step.method == "prompts/get",
            "resource" => self.resource_methods.iter().any(|m| m == step.method),
            // Every step is a request (notifications get no span).
            "request" => true,
            "error_code" => matches!(step.seen, Seen::Error { .. }),
            other => panic!("the extract has a condition the tests do not define: {other}"),
        }
    }

    /// The `error.type` the conventions ask for: the code of a server error, `tool_error` for `isError: true`.
    pub fn error_type(&self, step: &Step) -> Option<String> {
        match &step.seen {
            Seen::Error { code, .. } if self.is_server_error(*code) => Some(code.to_string()),
            Seen::Result { is_error: true } => Some("tool_error".to_owned()),
            _ => None,
        }
    }
}

fn templated(templates: &BTreeMap<String, Attribute>, key: &str) -> bool {
    templates.keys().any(|prefix| {
        key.strip_prefix(prefix.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// One request of the scenario and what the client saw.
#[derive(Debug, Clone)]
pub struct Step {
    pub method: &'static str,
    /// The tool or the prompt.
    pub target: Option<String>,
    pub resource: Option<String>,
    /// The `traceparent` the client put in the request's `_meta`.
    pub traceparent: Option<&'static str>,
    pub seen: Seen,
}

impl Step {
    /// Whether the server does not have the tool or prompt asked for (a JSON-RPC error naming a target: rmcp answers
    /// bad arguments of a tool it has with a result): the name is the client's, so the metric counts it as `_OTHER`
    /// (clients cannot make series at will).
    pub fn unknown_target(&self) -> bool {
        self.target.is_some()
            && matches!(
                self.seen,
                Seen::Error {
                    code: -32602 | -32601,
                    ..
                }
            )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Result { is_error: bool },
    Error { code: i32, message: String },
}

impl Seen {
    fn of<T>(result: Result<T, ServiceError>, is_error: impl FnOnce(&T) -> bool) -> Self {
        match result {
            Ok(value) => Seen::Result {
                is_error: is_error(&value),
            },
            Err(ServiceError::McpError(error)) => Seen::Error {
                code: error.code.0,
                message: error.message.to_string(),
            },
            Err(other) => panic!("the client got no answer: {other}"),
        }
    }
}

/// A patchwork client that reports nothing: these tests look at telemetry only.
pub fn quiet_patchwork() -> Patchwork {
    Patchwork::builder()
        .slug("otel-test")
        .no_outbox()
        .signals(false)
        .build()
}

/// The watched server and a client, in process over a duplex pipe.
pub async fn connect() -> RunningService<RoleClient, ClientConfig> {
    let server = observe(Calc).with_client(quiet_patchwork());
    connect_as(server, "otel-test-client", "4.5.6").await
}

/// The protocol version the handshake settled on, as the client was told.
pub fn negotiated(client: &RunningService<RoleClient, ClientConfig>) -> String {
    client
        .peer_info()
        .expect("the server's answer to initialize")
        .protocol_version
        .to_string()
}

/// The scenario, one request at a time (so the spans end in this order): initialize (made by [`connect`]),
/// tools/list, a good call, an unknown tool, arguments the tool refuses, a tool result with `isError`, a tool that
/// fails with -32603, a resource and a prompt not found, ping, and a good call naming a remote parent.
pub async fn scenario(client: &RunningService<RoleClient, ClientConfig>) -> Vec<Step> {
    let step = |method, target: Option<&str>, resource: Option<&str>, seen| Step {
        method,
        target: target.map(str::to_owned),
        resource: resource.map(str::to_owned),
        traceparent: None,
        seen,
    };
    let mut steps = vec![step(
        "initialize",
        None,
        None,
        Seen::Result { is_error: false },
    )];
    let tools = client.list_tools(None).await;
    steps.push(step("tools/list", None, None, Seen::of(tools, |_| false)));
    steps.push(call(client, "add", json!({"a": 2, "b": 3}), None).await);
    steps.push(call(client, "search_docs", json!({"q": "x"}), None).await);
    steps.push(call(client, "add", json!({"a": 1}), None).await);
    steps.push(call(client, "flaky", json!({}), None).await);
    steps.push(call(client, "broken", json!({}), None).await);
    let uri = "file:///srv/missing.txt";
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await;
    steps.push(step(
        "resources/read",
        None,
        Some(uri),
        Seen::of(read, |_| false),
    ));
    let prompt = client
        .get_prompt(GetPromptRequestParams::new("summarise"))
        .await;
    steps.push(step(
        "prompts/get",
        Some("summarise"),
        None,
        Seen::of(prompt, |_| false),
    ));
    let ping = client
        .send_request(ClientRequest::PingRequest(PingRequest::default()))
        .await;
    steps.push(step("ping", None, None, Seen::of(ping, |_| false)));
    steps.push(call(client, "add", json!({"a": 4, "b": 5}), Some(TRACEPARENT)).await);
    steps
}

/// One `tools/call`, with `traceparent` (and [`TRACESTATE`]) in its `_meta`.
pub async fn call(
    client: &RunningService<RoleClient, ClientConfig>,
    tool: &str,
    arguments: Value,
    traceparent: Option<&'static str>,
) -> Step {
    let mut params = CallToolRequestParams::new(tool.to_owned());
    if let Value::Object(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    if let Some(traceparent) = traceparent {
        params.set_traceparent(traceparent);
        params.set_tracestate(TRACESTATE);
    }
    let result = client.call_tool(params).await;
    Step {
        method: "tools/call",
        target: Some(tool.to_owned()),
        resource: None,
        traceparent,
        seen: Seen::of(result, |r| r.is_error == Some(true)),
    }
}

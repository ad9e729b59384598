//! The watcher: [`observe`] wraps any rmcp server (a `ServerHandler`, or any `Service<RoleServer>`) in one line.
//! Every request passes to the server unchanged and its answer comes back unchanged; on the way the watcher opens
//! the request's telemetry span (`telemetry.rs`) and classifies the answer into gap signals: a tool the server
//! does not offer, arguments a tool refused, a tool result with `isError: true`, a resource or prompt not found.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ::rmcp::ErrorData;
use ::rmcp::RoleServer;
use ::rmcp::model::{
    ClientNotification, ClientRequest, ContentBlock, ErrorCode, JsonObject, ServerResult,
};
use ::rmcp::service::{NotificationContext, RequestContext, Service};
use serde_json::Value;
use tracing::Instrument;

use super::telemetry::{self, Answer, Call};
use crate::patchwork::Patchwork;
use crate::reporter::lock;
use crate::signals::{MISSING_FIELD, Signal, SignalKind};

/// What rmcp's router puts before a refused argument object's serde error.
const DESERIALIZE_PREFIX: &str = "failed to deserialize parameters:";

/// Most tool schemas remembered from `tools/list` answers (for the path of a refused argument).
const MAX_SCHEMAS: usize = 1024;

/// An rmcp server watched by patchwork: the same replies and errors, plus gap signals and MCP telemetry. Made by
/// [`observe`]; serve it as the server itself.
pub struct Observed<S> {
    server: S,
    patchwork: Option<Patchwork>,
    /// The input schemas the server listed, by tool: where a refused argument's path comes from.
    schemas: Arc<Mutex<HashMap<String, Arc<JsonObject>>>>,
}

impl<S: Clone> Clone for Observed<S> {
    fn clone(&self) -> Self {
        Self {
            server: self.server.clone(),
            patchwork: self.patchwork.clone(),
            schemas: Arc::clone(&self.schemas),
        }
    }
}

impl<S> std::fmt::Debug for Observed<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observed").finish_non_exhaustive()
    }
}

/// Wraps `server` so that patchwork hears what agents do not say: calls of tools the server does not offer,
/// arguments a tool refused (the tool, the error's class and the field's path, never the values), tool results
/// with `isError: true`, resources and prompts not found. They go to PatchworkMCP aggregated per window through
/// the installed client ([`Builder::signals`](crate::Builder::signals) and `PATCHWORKMCP_SIGNALS` switch that off)
/// and are always written as `tracing` events. Each request also gets a span by the OpenTelemetry conventions for
/// MCP (see the README's "Signals and telemetry").
///
/// What the client sees does not change: the same replies, the same errors.
///
/// ```no_run
/// # #[derive(Clone)] struct Calc;
/// # impl rmcp::ServerHandler for Calc {}
/// use rmcp::ServiceExt;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let _guard = patchwork_runtime::Patchwork::builder().slug("calc").install();
/// patchwork_runtime::rmcp::observe(Calc).serve(rmcp::transport::stdio()).await?.waiting().await?;
/// # Ok(()) }
/// ```
pub fn observe<S: Service<RoleServer>>(server: S) -> Observed<S> {
    Observed {
        server,
        patchwork: None,
        schemas: Arc::default(),
    }
}

impl<S> Observed<S> {
    /// Reports signals through `patchwork` instead of the process-wide client (tests; several services in one
    /// process).
    #[must_use]
    pub fn with_client(mut self, patchwork: Patchwork) -> Self {
        self.patchwork = Some(patchwork);
        self
    }

    /// The watched server.
    pub fn server(&self) -> &S {
        &self.server
    }

    fn patchwork(&self) -> &Patchwork {
        self.patchwork
            .as_ref()
            .unwrap_or_else(|| Patchwork::global())
    }

    /// Remembers the input schema of every tool a `tools/list` answer names.
    fn remember_schemas(&self, result: &Result<ServerResult, ErrorData>) {
        let Ok(ServerResult::ListToolsResult(list)) = result else {
            return;
        };
        let mut schemas = lock(&self.schemas);
        for tool in &list.tools {
            if schemas.len() >= MAX_SCHEMAS && !schemas.contains_key(tool.name.as_ref()) {
                break;
            }
            schemas.insert(tool.name.to_string(), Arc::clone(&tool.input_schema));
        }
    }

    /// The gap signal an answer to `request` stands for, if any.
    fn classify(
        &self,
        call: &Call,
        arguments: Option<&JsonObject>,
        result: &Result<ServerResult, ErrorData>,
    ) -> Option<Signal> {
        let client = call
            .client_name
            .as_ref()
            .map(|name| match &call.client_version {
                Some(version) => format!("{name}/{version}"),
                None => name.clone(),
            });
        let signal = |kind, target: &str, detail: &str| {
            Some(Signal::new(kind, target, detail, client.clone()))
        };
        if let Some(tool) = &call.tool {
            return match result {
                Err(error) if is_unknown_tool(error) => signal(SignalKind::UnknownTool, tool, ""),
                Err(error) if error.code == ErrorCode::INVALID_PARAMS => {
                    let detail = self.refusal(tool, &error.message, arguments);
                    signal(SignalKind::InvalidArguments, tool, &detail)
                }
                Err(error) => signal(
                    SignalKind::ToolError,
                    tool,
                    &self.error_text(&error.message),
                ),
                Ok(ServerResult::CallToolResult(r)) if r.is_error == Some(true) => {
                    let text = text_of(&r.content);
                    if text.starts_with(DESERIALIZE_PREFIX) {
                        let detail = self.refusal(tool, &text, arguments);
                        signal(SignalKind::InvalidArguments, tool, &detail)
                    } else {
                        signal(SignalKind::ToolError, tool, &self.error_text(&text))
                    }
                }
                Ok(_) => None,
            };
        }
        let Err(error) = result else {
            return None;
        };
        let missing = error.code == ErrorCode::RESOURCE_NOT_FOUND
            || error.code == ErrorCode::METHOD_NOT_FOUND
            || (error.code == ErrorCode::INVALID_PARAMS && says_not_found(&error.message));
        match (&call.prompt, &call.resource) {
            (Some(prompt), _) if missing => signal(SignalKind::PromptNotFound, prompt, ""),
            (_, Some(resource)) if missing && call.method == "resources/read" => {
                signal(SignalKind::ResourceNotFound, resource, "")
            }
            _ => None,
        }
    }

    /// A tool's error text for its signal, when the client opted in (redacted later with the signal).
    fn error_text(&self, text: &str) -> String {
        if self.patchwork().signal_error_text() {
            text.to_owned()
        } else {
            String::new()
        }
    }

    /// `class at path` for a refused argument object: the class from serde's message, the path from serde's
    /// message when it names the field, else from the tool's listed schema. Never a value.
    fn refusal(&self, tool: &str, message: &str, arguments: Option<&JsonObject>) -> String {
        let message = message
            .strip_prefix(DESERIALIZE_PREFIX)
            .unwrap_or(message)
            .trim();
        let (class, named) = serde_class(message);
        let path = named.or_else(|| {
            let schema = lock(&self.schemas).get(tool).cloned()?;
            mismatch_path(&schema, arguments?)
        });
        match path {
            Some(path) => format!("{class} at {path}"),
            None => class.to_owned(),
        }
    }
}

impl<S: Service<RoleServer>> Service<RoleServer> for Observed<S> {
    async fn handle_request(
        &self,
        request: ClientRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, ErrorData> {
        let call = Call::of(&request, &context);
        let patchwork = self.patchwork();
        let resource = call
            .resource
            .as_deref()
            .map(|uri| patchwork.redact_for_telemetry(uri));
        let span = telemetry::span(&call, resource.as_deref());
        #[cfg(feature = "otel")]
        if let Some(traceparent) = context.meta.get_traceparent() {
            super::otel::set_parent(&span, traceparent, context.meta.get_tracestate());
        }
        let arguments = match &request {
            ClientRequest::CallToolRequest(r) => r.params.arguments.clone(),
            _ => None,
        };
        let started = Instant::now();
        let result = self
            .server
            .handle_request(request, context)
            .instrument(span.clone())
            .await;
        let answer = Answer::of(&result);
        telemetry::record(&span, &call, &answer, started.elapsed());
        self.remember_schemas(&result);
        if let Some(signal) = self.classify(&call, arguments.as_ref(), &result) {
            patchwork.signal(signal);
        }
        result
    }

    async fn handle_notification(
        &self,
        notification: ClientNotification,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.server.handle_notification(notification, context).await
    }

    fn get_info(&self) -> <RoleServer as ::rmcp::service::ServiceRole>::Info {
        self.server.get_info()
    }

    fn supported_protocol_versions(
        &self,
    ) -> std::borrow::Cow<'static, [::rmcp::model::ProtocolVersion]> {
        self.server.supported_protocol_versions()
    }
}

/// rmcp's router answers an unknown tool with invalid params, "tool not found"; a server without tools answers
/// method not found.
fn is_unknown_tool(error: &ErrorData) -> bool {
    error.code == ErrorCode::METHOD_NOT_FOUND
        || (error.code == ErrorCode::INVALID_PARAMS
            && says_not_found(&error.message)
            && error.message.to_ascii_lowercase().contains("tool"))
}

fn says_not_found(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not found") || lower.contains("unknown") || lower.contains("no such")
}

/// The text blocks of a tool result, joined.
fn text_of(content: &[ContentBlock]) -> String {
    content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The class of a serde error message and the field it names (`missing field `x``, `unknown field `x``); values
/// quoted in the message (`invalid type: string "abc"`) are never taken.
fn serde_class(message: &str) -> (&'static str, Option<String>) {
    let field = || {
        let start = message.find('`')? + 1;
        let len = message[start..].find('`')?;
        Some(message[start..start + len].to_owned()).filter(|f| !f.is_empty() && f.len() <= 128)
    };
    if message.starts_with("missing field") {
        (MISSING_FIELD, field())
    } else if message.starts_with("unknown field") {
        ("unknown_field", field())
    } else if message.starts_with("invalid type") {
        ("invalid_type", None)
    } else if message.starts_with("invalid value") {
        ("invalid_value", None)
    } else if message.starts_with("invalid length") {
        ("invalid_length", None)
    } else if message.starts_with("unknown variant") {
        ("unknown_variant", None)
    } else {
        ("invalid_params", None)
    }
}

/// The path of the first argument whose JSON type the schema does not allow (depth-first, objects only, a few
/// levels), e.g. `filters.limit`.
fn mismatch_path(schema: &JsonObject, arguments: &JsonObject) -> Option<String> {
    fn walk(schema: &JsonObject, value: &JsonObject, depth: usize) -> Option<Vec<String>> {
        let properties = schema.get("properties")?.as_object()?;
        for (name, value) in value {
            let Some(property) = properties.get(name).and_then(Value::as_object) else {
                continue;
            };
            if !type_allows(property, value) {
                return Some(vec![name.clone()]);
            }
            if let (Value::Object(inner), true) = (value, depth < 4) {
                if let Some(mut path) = walk(property, inner, depth + 1) {
                    path.insert(0, name.clone());
                    return Some(path);
                }
            }
        }
        None
    }
    walk(schema, arguments, 0).map(|path| path.join("."))
}

/// Whether the schema's `type` (a name or a list) allows `value`; no `type` allows anything.
fn type_allows(schema: &JsonObject, value: &Value) -> bool {
    let allows = |name: &str| match name {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    };
    match schema.get("type") {
        Some(Value::String(name)) => allows(name),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).any(allows),
        _ => true,
    }
}

#[cfg(test)]
mod tests;

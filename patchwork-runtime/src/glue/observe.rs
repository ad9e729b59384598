//! The watcher: [`observe`] wraps any rmcp server (a `ServerHandler`, or any `Service<RoleServer>`) in one line.
//! Every request passes to the server unchanged and its answer comes back unchanged; on the way the watcher opens
//! the request's telemetry span (`telemetry.rs`) and classifies the answer into gap signals: a tool the server
//! does not offer, arguments a tool refused, a tool result with `isError: true`, a resource or prompt not found.

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[allow(deprecated)] // `SetLevelRequestParams`: see the impl below.
use ::rmcp::model::{
    CallToolRequestMethod, CallToolRequestParams, CallToolResponse, CancelTaskMethod,
    CancelTaskParams, CancelledNotificationParam, CompleteRequestMethod, CompleteRequestParams,
    CompleteResult, ConstString, ContentBlock, CustomNotification, CustomRequest, CustomResult,
    DiscoverRequestMethod, DiscoverResult, ErrorCode, GetPromptRequestMethod,
    GetPromptRequestParams, GetPromptResponse, GetSkillRequestMethod, GetSkillRequestParams,
    GetSkillResult, GetTaskMethod, GetTaskParams, GetTaskResult, InitializeRequestParams,
    InitializeResult, InitializeResultMethod, JsonObject, ListPromptsRequestMethod,
    ListPromptsResult, ListResourceTemplatesRequestMethod, ListResourceTemplatesResult,
    ListResourcesRequestMethod, ListResourcesResult, ListSkillsRequestMethod, ListSkillsResult,
    ListToolsRequestMethod, ListToolsResult, PaginatedRequestParams, PingRequestMethod,
    ProgressNotificationParam, ProtocolVersion, ReadResourceDirectoryRequestMethod,
    ReadResourceDirectoryRequestParams, ReadResourceDirectoryResult, ReadResourceRequestMethod,
    ReadResourceRequestParams, ReadResourceResponse, ServerConfig, SetLevelRequestMethod,
    SetLevelRequestParams, SubscribeRequestMethod, SubscribeRequestParams, SubscriptionFilter,
    Tool, UnsubscribeRequestMethod, UnsubscribeRequestParams, UpdateTaskMethod, UpdateTaskParams,
};
use ::rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use ::rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tracing::Instrument;

use super::telemetry::{self, Answer, Call, Target};
use crate::patchwork::Patchwork;
use crate::reporter::lock;
use crate::signals::{MISSING_FIELD, Signal, SignalKind};

/// What rmcp's router puts before a refused argument object's serde error.
const DESERIALIZE_PREFIX: &str = "failed to deserialize parameters:";

/// Most tool schemas remembered from `tools/list` answers (for the path of a refused argument).
const MAX_SCHEMAS: usize = 1024;

/// The input schemas watched servers listed, by server type and tool: shared by every watcher of a server type,
/// since streamable HTTP makes one per session (stateless: one per request), and a `tools/call` may come in another
/// session than the `tools/list`.
type Schemas = HashMap<(TypeId, String), Arc<JsonObject>>;
static SCHEMAS: Mutex<Option<Schemas>> = Mutex::new(None);

/// An rmcp server watched by patchwork: the same replies and errors, plus gap signals and MCP telemetry. Made by
/// [`observe`]; serve it as the server itself (it is a `ServerHandler`, over stdio and streamable HTTP).
pub struct Observed<S> {
    server: S,
    patchwork: Option<Patchwork>,
}

impl<S: Clone> Clone for Observed<S> {
    fn clone(&self) -> Self {
        Self {
            server: self.server.clone(),
            patchwork: self.patchwork.clone(),
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
#[must_use = "serve the watched server: `observe(server).serve(transport)`"]
pub fn observe<S: ServerHandler>(server: S) -> Observed<S> {
    Observed {
        server,
        patchwork: None,
    }
}

impl<S: 'static> Observed<S> {
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
    fn remember_schemas(&self, list: &ListToolsResult) {
        let mut schemas = lock(&SCHEMAS);
        let schemas = schemas.get_or_insert_with(HashMap::new);
        for tool in &list.tools {
            let key = (TypeId::of::<S>(), tool.name.to_string());
            if schemas.len() >= MAX_SCHEMAS && !schemas.contains_key(&key) {
                break;
            }
            schemas.insert(key, Arc::clone(&tool.input_schema));
        }
    }

    /// Runs `future` (the watched server's answer) inside the request's span; `resource` is the request's URI,
    /// redacted before it is put on the span.
    async fn traced<T>(
        &self,
        call: &Call,
        resource: Option<&str>,
        future: impl Future<Output = Result<T, ErrorData>>,
        answer: impl FnOnce(&Result<T, ErrorData>) -> Answer,
    ) -> Result<T, ErrorData> {
        let resource = resource.map(|uri| self.patchwork().redact_for_telemetry(uri));
        let span = telemetry::span(call, resource.as_deref());
        #[cfg(feature = "otel")]
        {
            if let Some(traceparent) = &call.traceparent {
                super::otel::set_parent(&span, traceparent, call.tracestate.as_deref());
            }
            super::otel::link_ambient(&span);
        }
        let started = Instant::now();
        let result = future.instrument(span.clone()).await;
        telemetry::record(&span, call, &answer(&result), started.elapsed());
        result
    }

    /// Records a gap signal of `kind` about `target` through the client.
    fn signal(&self, call: &Call, kind: SignalKind, target: &str, detail: &str) {
        let client = call
            .client_name
            .as_ref()
            .map(|name| match &call.client_version {
                Some(version) => format!("{name}/{version}"),
                None => name.clone(),
            });
        self.patchwork()
            .signal(Signal::new(kind, target, detail, client));
    }

    /// What the client does with signals before the reply (stores them at once on hosts that freeze after it).
    async fn settle(&self) {
        self.patchwork().settle_signals_before_reply().await;
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
            let key = (TypeId::of::<S>(), tool.to_owned());
            let schema = lock(&SCHEMAS).as_ref()?.get(&key).cloned()?;
            mismatch_path(&schema, arguments?)
        });
        match path {
            Some(path) => format!("{class} at {path}"),
            None => class.to_owned(),
        }
    }
}

/// A request method that is delegated as it is, inside its telemetry span: `name(params) -> result` for the method
/// `method` (rmcp's constant for it).
macro_rules! traced {
    ($($name:ident($($param:ident: $ty:ty),*) -> $out:ty = $method:ty;)*) => {$(
        async fn $name(
            &self,
            $($param: $ty,)*
            context: RequestContext<RoleServer>,
        ) -> Result<$out, ErrorData> {
            let call = Call::new(&context, <$method as ConstString>::VALUE, Target::None);
            self.traced(&call, None, self.server.$name($($param,)* context), Answer::of).await
        }
    )*};
}

/// Every method of rmcp's `ServerHandler` goes to the watched server (the list `tests.rs` checks against rmcp's
/// own wrapper impls, so a method rmcp adds is never left to its default). Requests are traced; `tools/call`,
/// `prompts/get` and `resources/read` are also classified into gap signals, and `tools/list` answers are read for
/// the tools' schemas.
// Deprecated methods (logging, legacy subscriptions) are delegated too: servers that still implement them keep
// working when watched.
#[allow(deprecated)]
impl<S: ServerHandler> ServerHandler for Observed<S> {
    traced! {
        ping() -> () = PingRequestMethod;
        discover() -> DiscoverResult = DiscoverRequestMethod;
        complete(request: CompleteRequestParams) -> CompleteResult = CompleteRequestMethod;
        set_level(request: SetLevelRequestParams) -> () = SetLevelRequestMethod;
        list_prompts(request: Option<PaginatedRequestParams>) -> ListPromptsResult = ListPromptsRequestMethod;
        list_resources(request: Option<PaginatedRequestParams>) -> ListResourcesResult = ListResourcesRequestMethod;
        list_resource_templates(request: Option<PaginatedRequestParams>) -> ListResourceTemplatesResult
            = ListResourceTemplatesRequestMethod;
        get_task(request: GetTaskParams) -> GetTaskResult = GetTaskMethod;
        update_task(request: UpdateTaskParams) -> () = UpdateTaskMethod;
        cancel_task(request: CancelTaskParams) -> () = CancelTaskMethod;
        list_skills(request: Option<PaginatedRequestParams>) -> ListSkillsResult = ListSkillsRequestMethod;
        get_skill(request: GetSkillRequestParams) -> GetSkillResult = GetSkillRequestMethod;
        read_resource_directory(request: ReadResourceDirectoryRequestParams) -> ReadResourceDirectoryResult
            = ReadResourceDirectoryRequestMethod;
    }

    /// Traced like the others, with the protocol version the handshake settles on (`telemetry::negotiated`).
    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, ErrorData> {
        let call = Call::new(&context, InitializeResultMethod::VALUE, Target::None);
        let (requested, supported) = (
            request.protocol_version.clone(),
            self.server.supported_protocol_versions(),
        );
        let answer = |result: &Result<InitializeResult, ErrorData>| Answer {
            protocol_version: telemetry::negotiated(&requested, result, &supported),
            ..Answer::of(result)
        };
        let future = self.server.initialize(request, context);
        self.traced(&call, None, future, answer).await
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let call = Call::new(
            &context,
            <SubscribeRequestMethod as ConstString>::VALUE,
            Target::Resource(request.uri.clone()),
        );
        let uri = request.uri.clone();
        self.traced(
            &call,
            Some(&uri),
            self.server.subscribe(request, context),
            Answer::of,
        )
        .await
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let call = Call::new(
            &context,
            <UnsubscribeRequestMethod as ConstString>::VALUE,
            Target::Resource(request.uri.clone()),
        );
        let uri = request.uri.clone();
        self.traced(
            &call,
            Some(&uri),
            self.server.unsubscribe(request, context),
            Answer::of,
        )
        .await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.clone();
        let call = Call::new(
            &context,
            <ReadResourceRequestMethod as ConstString>::VALUE,
            Target::Resource(uri.clone()),
        );
        let result = self
            .traced(
                &call,
                Some(&uri),
                self.server.read_resource(request, context),
                Answer::of,
            )
            .await;
        if let Err(error) = &result
            && is_not_found(error)
        {
            self.signal(&call, SignalKind::ResourceNotFound, &uri, "");
            self.settle().await;
        }
        result
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let name = request.name.clone();
        let call = Call::new(
            &context,
            <GetPromptRequestMethod as ConstString>::VALUE,
            Target::Prompt(name.clone()),
        );
        let result = self
            .traced(
                &call,
                None,
                self.server.get_prompt(request, context),
                Answer::of,
            )
            .await;
        if let Err(error) = &result
            && is_not_found(error)
        {
            self.signal(&call, SignalKind::PromptNotFound, &name, "");
            self.settle().await;
        }
        result
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let tool = request.name.to_string();
        let arguments = request.arguments.clone();
        let call = Call::new(
            &context,
            <CallToolRequestMethod as ConstString>::VALUE,
            Target::Tool(tool.clone()),
        );
        let answer = |result: &Result<CallToolResponse, ErrorData>| match result {
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => Answer::tool_error(),
            other => Answer::of(other),
        };
        let result = self
            .traced(&call, None, self.server.call_tool(request, context), answer)
            .await;
        let failed = match &result {
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => {
                Some(text_of(&r.content))
            }
            _ => None,
        };
        if super::rmcp::is_feedback_tool(&tool) {
            return result;
        }
        match (&result, failed) {
            (Err(error), _) if is_unknown_tool(error) => {
                self.signal(&call, SignalKind::UnknownTool, &tool, "");
            }
            (Err(error), _) if error.code == ErrorCode::INVALID_PARAMS => {
                let detail = self.refusal(&tool, &error.message, arguments.as_ref());
                self.signal(&call, SignalKind::InvalidArguments, &tool, &detail);
            }
            (Err(error), _) => {
                let text = self.error_text(&error.message);
                self.signal(&call, SignalKind::ToolError, &tool, &text);
            }
            (Ok(_), Some(text)) if text.starts_with(DESERIALIZE_PREFIX) => {
                let detail = self.refusal(&tool, &text, arguments.as_ref());
                self.signal(&call, SignalKind::InvalidArguments, &tool, &detail);
            }
            (Ok(_), Some(text)) => {
                let text = self.error_text(&text);
                self.signal(&call, SignalKind::ToolError, &tool, &text);
            }
            (Ok(_), None) => return result,
        }
        self.settle().await;
        result
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let call = Call::new(
            &context,
            <ListToolsRequestMethod as ConstString>::VALUE,
            Target::None,
        );
        let result = self
            .traced(
                &call,
                None,
                self.server.list_tools(request, context),
                Answer::of,
            )
            .await;
        if let Ok(list) = &result {
            self.remember_schemas(list);
        }
        result
    }

    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let call = Call::new(&context, request.method.clone(), Target::None);
        self.traced(
            &call,
            None,
            self.server.on_custom_request(request, context),
            Answer::of,
        )
        .await
    }

    // Not requests: delegated as they are.

    fn negotiate_initialize(
        &self,
        request: &InitializeRequestParams,
    ) -> Result<InitializeResult, ErrorData> {
        self.server.negotiate_initialize(request)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        self.server.supported_protocol_versions()
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        self.server.accepted_subscription_filter(requested)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        self.server.listen(context).await
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.server.get_tool(name)
    }

    async fn on_cancelled(
        &self,
        notification: CancelledNotificationParam,
        context: NotificationContext<RoleServer>,
    ) {
        self.server.on_cancelled(notification, context).await;
    }

    async fn on_progress(
        &self,
        notification: ProgressNotificationParam,
        context: NotificationContext<RoleServer>,
    ) {
        self.server.on_progress(notification, context).await;
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.server.on_initialized(context).await;
    }

    async fn on_roots_list_changed(&self, context: NotificationContext<RoleServer>) {
        self.server.on_roots_list_changed(context).await;
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) {
        self.server
            .on_custom_notification(notification, context)
            .await;
    }

    fn get_info(&self) -> ServerConfig {
        self.server.get_info()
    }
}

/// The names of the `ServerHandler` methods the impl above delegates (checked against rmcp's wrapper impls).
#[cfg(test)]
const DELEGATED: &[&str] = &[
    "ping",
    "initialize",
    "negotiate_initialize",
    "supported_protocol_versions",
    "discover",
    "complete",
    "set_level",
    "get_prompt",
    "list_prompts",
    "list_resources",
    "list_resource_templates",
    "read_resource",
    "accepted_subscription_filter",
    "listen",
    "subscribe",
    "unsubscribe",
    "call_tool",
    "list_tools",
    "get_tool",
    "on_custom_request",
    "on_cancelled",
    "on_progress",
    "on_initialized",
    "on_roots_list_changed",
    "on_custom_notification",
    "get_info",
    "get_task",
    "update_task",
    "cancel_task",
    "list_skills",
    "get_skill",
    "read_resource_directory",
];

/// Whether an error says what was asked for does not exist: resource not found, method not found (the server
/// has none of that kind), or invalid params saying "not found" (rmcp's prompt router).
fn is_not_found(error: &ErrorData) -> bool {
    error.code == ErrorCode::RESOURCE_NOT_FOUND
        || error.code == ErrorCode::METHOD_NOT_FOUND
        || (error.code == ErrorCode::INVALID_PARAMS && says_not_found(&error.message))
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
            if let (Value::Object(inner), true) = (value, depth < 4)
                && let Some(mut path) = walk(property, inner, depth + 1)
            {
                path.insert(0, name.clone());
                return Some(path);
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

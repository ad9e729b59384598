//! The watcher's `ServerHandler` impl: every method goes to the watched server; each request inside its span, and
//! the answers of `tools/call`, `prompts/get` and `resources/read` classified into gap signals.

use std::borrow::Cow;

#[allow(deprecated)] // `SetLevelRequestParams`: see the impl below.
use ::rmcp::model::{
    CallToolRequestMethod, CallToolRequestParams, CallToolResponse, CancelTaskMethod,
    CancelTaskParams, CancelledNotificationParam, CompleteRequestMethod, CompleteRequestParams,
    CompleteResult, ConstString, CustomNotification, CustomRequest, CustomResult,
    DiscoverRequestMethod, DiscoverResult, ErrorCode, GetPromptRequestMethod,
    GetPromptRequestParams, GetPromptResponse, GetSkillRequestMethod, GetSkillRequestParams,
    GetSkillResult, GetTaskMethod, GetTaskParams, GetTaskResult, InitializeRequestParams,
    InitializeResult, InitializeResultMethod, ListPromptsRequestMethod, ListPromptsResult,
    ListResourceTemplatesRequestMethod, ListResourceTemplatesResult, ListResourcesRequestMethod,
    ListResourcesResult, ListSkillsRequestMethod, ListSkillsResult, ListToolsRequestMethod,
    ListToolsResult, PaginatedRequestParams, PingRequestMethod, ProgressNotificationParam,
    ProtocolVersion, ReadResourceDirectoryRequestMethod, ReadResourceDirectoryRequestParams,
    ReadResourceDirectoryResult, ReadResourceRequestMethod, ReadResourceRequestParams,
    ReadResourceResponse, ServerConfig, SetLevelRequestMethod, SetLevelRequestParams,
    SubscribeRequestMethod, SubscribeRequestParams, SubscriptionFilter, Tool,
    UnsubscribeRequestMethod, UnsubscribeRequestParams, UpdateTaskMethod, UpdateTaskParams,
};
use ::rmcp::service::{NotificationContext, RequestContext, SubscriptionContext};
use ::rmcp::{ErrorData, RoleServer, ServerHandler};

use super::Observed;
use super::classify::{
    DESERIALIZE_PREFIX, is_not_found, is_unknown_tool, mismatch_path, refusal, text_of,
};
use crate::glue::telemetry::{self, Answer, Call, Target};
use crate::signals::SignalKind;

/// A request method that is delegated as it is, inside its telemetry span: `name(params) -> result = method` for
/// the method `method` (rmcp's constant for it), with `, target` when the request names a resource.
macro_rules! traced {
    (@target) => { Target::None };
    (@target $target:expr) => { $target };
    ($($name:ident($($param:ident: $ty:ty),*) -> $out:ty = $method:ty $(, $target:expr)?;)*) => {$(
        async fn $name(
            &self,
            $($param: $ty,)*
            context: RequestContext<RoleServer>,
        ) -> Result<$out, ErrorData> {
            let call = Call::new(&context, <$method as ConstString>::VALUE, traced!(@target $($target)?));
            self.traced(&call, self.server.$name($($param,)* context), Answer::of).await
        }
    )*};
}

/// Every method of rmcp's `ServerHandler` goes to the watched server (`tests.rs` reads this file and checks its methods against
/// rmcp's own wrapper impls, so a method rmcp adds is never left to its default). Requests are traced; `tools/call`,
/// `prompts/get` and `resources/read` are also classified into gap signals, and `tools/list` answers are read for
/// the tools' schemas.
// Deprecated methods (logging, legacy subscriptions) are delegated too: servers that still implement them keep
// working when watched.
#[allow(deprecated)]
impl<S: ServerHandler> ServerHandler for Observed<S> {
    traced! {
        ping() -> () = PingRequestMethod;
        subscribe(request: SubscribeRequestParams) -> ()
            = SubscribeRequestMethod, Target::Resource(request.uri.clone());
        unsubscribe(request: UnsubscribeRequestParams) -> ()
            = UnsubscribeRequestMethod, Target::Resource(request.uri.clone());
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
        self.traced(&call, future, answer).await
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
        let answer = |result: &Result<GetPromptResponse, ErrorData>| Answer {
            unknown_target: result.as_ref().is_err_and(is_not_found),
            ..Answer::of(result)
        };
        let result = self
            .traced(&call, self.server.get_prompt(request, context), answer)
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
        // The first argument the tool's listed schema refuses, read before the server takes the arguments: the path a
        // refusal names when serde's message does not (the walk allocates only when it finds one).
        let mismatch = self
            .schema(&tool)
            .and_then(|schema| mismatch_path(&schema, request.arguments.as_ref()?));
        let call = Call::new(
            &context,
            <CallToolRequestMethod as ConstString>::VALUE,
            Target::Tool(tool.clone()),
        );
        let answer = |result: &Result<CallToolResponse, ErrorData>| match result {
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => Answer::tool_error(),
            Err(error) if is_unknown_tool(error) => Answer {
                unknown_target: true,
                ..Answer::of(result)
            },
            other => Answer::of(other),
        };
        let result = self
            .traced(&call, self.server.call_tool(request, context), answer)
            .await;
        let failed = match &result {
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) => {
                Some(text_of(&r.content))
            }
            _ => None,
        };
        // A success needs nothing more; the feedback tool's own refusals are no gap (checked only for failures).
        if (result.is_ok() && failed.is_none()) || crate::glue::is_feedback_tool(&tool) {
            return result;
        }
        match (&result, failed) {
            (Err(error), _) if is_unknown_tool(error) => {
                self.signal(&call, SignalKind::UnknownTool, &tool, "");
            }
            (Err(error), _) if error.code == ErrorCode::INVALID_PARAMS => {
                let detail = refusal(&error.message, mismatch);
                self.signal(&call, SignalKind::InvalidArguments, &tool, &detail);
            }
            (Err(error), _) => {
                let text = self.error_text(&error.message);
                self.signal(&call, SignalKind::ToolError, &tool, &text);
            }
            (Ok(_), Some(text)) if text.starts_with(DESERIALIZE_PREFIX) => {
                let detail = refusal(&text, mismatch);
                self.signal(&call, SignalKind::InvalidArguments, &tool, &detail);
            }
            (Ok(_), Some(text)) => {
                let text = self.error_text(&text);
                self.signal(&call, SignalKind::ToolError, &tool, &text);
            }
            (Ok(_), None) => {}
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
            .traced(&call, self.server.list_tools(request, context), Answer::of)
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

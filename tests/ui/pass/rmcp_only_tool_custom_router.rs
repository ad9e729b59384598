// rmcp mode with a named router, a renamed tool and a generic server whose only tool is the feedback tool. Its
// `ServerHandler` impl asks more of `T` than the block does: the generated method must not need it.
use patchwork_runtime::patchwork_feedback;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool_handler};

struct Server<T> {
    _state: T,
}

#[patchwork_feedback(tool_name = "report_gap")]
#[rmcp::tool_router(router = feedback_router, vis = "pub")]
impl<T: Send + Sync + 'static> Server<T> {}

#[tool_handler(router = Self::feedback_router())]
impl<T: Clone + Send + Sync + 'static> ServerHandler for Server<T> {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

fn main() {
    let router = Server::<u8>::feedback_router();
    let tools: Vec<String> = router.list_all().into_iter().map(|t| t.name.into_owned()).collect();
    assert_eq!(tools, ["report_gap"]);
    let tool = router.get("report_gap").expect("routed under its configured name");
    assert_eq!(tool.title.as_deref(), Some("Report a limitation"));
    let annotations = tool.annotations.as_ref().expect("annotations");
    assert_eq!(annotations.read_only_hint, Some(false));
    assert_eq!(annotations.destructive_hint, Some(false));
    assert_eq!(annotations.open_world_hint, Some(true));
    let instructions = Server { _state: 1u8 }.get_info().instructions.unwrap_or_default();
    assert!(instructions.contains("`report_gap`"), "{instructions}");
}

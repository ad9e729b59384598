// rmcp mode with a named router, a renamed tool and a generic server whose only tool is the feedback tool.
use patchwork_runtime::patchwork_feedback;

struct Server<T> {
    _state: T,
}

#[patchwork_feedback(tool_name = "report_gap")]
#[rmcp::tool_router(router = feedback_router, vis = "pub")]
impl<T: Send + Sync + 'static> Server<T> {}

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
}

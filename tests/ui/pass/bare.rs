use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(dispatch = "manual")]
impl Server {}

fn main() {
    assert_eq!(Server::PATCHWORK_TOOL_NAME, "feedback");
    assert!(Server::PATCHWORK_SERVER_TOOLS.is_empty());
    assert_eq!(Server::patchwork_tool().name, "feedback");
}

// rmcp's `#[tool_router(server_handler)]` writes `impl ServerHandler` itself: the attribute integrates it, so the
// server's instructions carry the directive (and the server's own text from `instructions`).
use patchwork_runtime::patchwork_feedback;
use rmcp::{ServerHandler, tool, tool_router};

#[derive(Clone)]
struct Server;

#[patchwork_feedback(instructions = r#"Answers pings ("pong")."#)]
#[tool_router(server_handler)]
impl Server {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

fn main() {
    let instructions = Server.get_info().instructions.expect("instructions");
    assert!(instructions.starts_with("Answers pings (\"pong\").\n\n"), "{instructions}");
    assert!(instructions.contains("call the `feedback` tool"), "{instructions}");
    let tools: Vec<String> = Server::tool_router()
        .list_all()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    assert_eq!(tools, ["feedback", "ping"]);
}

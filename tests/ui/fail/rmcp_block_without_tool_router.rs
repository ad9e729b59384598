// The attribute on the server's `#[tool]` block with no `#[tool_router]` below it: rmcp routes those tools through a
// router built elsewhere, never this block's feedback tool. An error in every build, whatever cargo features are on
// (a block without `#[tool]` methods is a hand-written server's, which must compile in every build too).
use patchwork_runtime::patchwork_feedback;
use rmcp::tool;

#[derive(Clone)]
struct Server;

#[patchwork_feedback(slug = "pinger")]
impl Server {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

fn main() {
    let _ = Server::PATCHWORK_INSTRUCTIONS;
}

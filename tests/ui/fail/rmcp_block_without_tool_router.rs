// The attribute on an impl block of the server that is not its `#[tool_router]` block: rmcp would never route the
// tool, so an rmcp build requires the block above `#[tool_router]`, or `dispatch = "manual"`.
use patchwork_runtime::patchwork_feedback;
use rmcp::{tool, tool_router};

#[derive(Clone)]
struct Server;

#[tool_router]
impl Server {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

#[patchwork_feedback(slug = "pinger")]
impl Server {}

fn main() {
    let _ = Server::PATCHWORK_INSTRUCTIONS;
}

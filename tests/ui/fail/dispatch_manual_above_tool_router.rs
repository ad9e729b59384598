use patchwork_runtime::patchwork_feedback;
use rmcp::{tool, tool_router};

#[derive(Clone)]
struct Server;

#[patchwork_feedback(dispatch = "manual")]
#[tool_router]
impl Server {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

fn main() {}

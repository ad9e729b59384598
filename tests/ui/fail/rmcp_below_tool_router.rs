use patchwork_runtime::patchwork_feedback;
use rmcp::{tool, tool_router};

struct Server;

#[tool_router]
#[patchwork_feedback]
impl Server {
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

fn main() {
    let _ = Server::tool_router();
}

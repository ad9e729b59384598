// The attribute above the `#[tool_router]` of two blocks of one type: one error, at the second attribute (a block
// cannot see the other, so the expansions meet through a guard named after the type).
use patchwork_runtime::patchwork_feedback;
use rmcp::{tool, tool_router};

#[derive(Clone)]
struct Server;

#[patchwork_feedback(slug = "pinger")]
#[tool_router(router = pings)]
impl Server {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

#[patchwork_feedback(slug = "pinger")]
#[tool_router(router = echoes)]
impl Server {
    /// Say hello.
    #[tool]
    async fn hello(&self) -> String {
        "hello".to_owned()
    }
}

fn main() {
    let _ = (Server::pings() + Server::echoes(), Server::PATCHWORK_INSTRUCTIONS);
}

// Two routers combined with `+`: the attribute goes on one of them (once per server type).
use patchwork_runtime::patchwork_feedback;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};

#[derive(Clone)]
struct Server;

#[patchwork_feedback]
#[tool_router(router = pings)]
impl Server {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

#[tool_router(router = echoes)]
impl Server {
    /// Say hello.
    #[tool]
    async fn hello(&self) -> String {
        "hello".to_owned()
    }
}

#[tool_handler(router = (Self::pings() + Self::echoes()))]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

fn main() {
    let mut tools: Vec<String> = (Server::pings() + Server::echoes())
        .list_all()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    tools.sort();
    assert_eq!(tools, ["feedback", "hello", "ping"]);
}

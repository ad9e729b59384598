use patchwork_runtime::patchwork_feedback;
use rmcp::handler::server::router::tool::ToolRouter;

struct Server;

#[patchwork_feedback]
impl Server {
    fn router() -> ToolRouter<Self> {
        ToolRouter::new()
    }
}

fn main() {
    let _ = Server::router();
}

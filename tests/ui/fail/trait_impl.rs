use patchwork_runtime::patchwork_feedback;

trait ServerHandler {
    fn name(&self) -> &str;
}

struct Server;

#[patchwork_feedback]
impl ServerHandler for Server {
    fn name(&self) -> &str {
        "server"
    }
}

fn main() {
    let _ = Server.name();
}

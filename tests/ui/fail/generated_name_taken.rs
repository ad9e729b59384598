use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback]
impl Server {
    fn patchwork_tool() {}
}

fn main() {
    Server::patchwork_tool();
}

// The attribute on two plain blocks of one type (a hand-written server): one error, at the second attribute.
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(dispatch = "manual")]
impl Server {
    fn lookup(&self) {}
}

#[patchwork_feedback(dispatch = "manual")]
impl Server {
    fn other(&self) {}
}

fn main() {
    let _ = (Server.lookup(), Server.other(), Server::patchwork_tool());
}

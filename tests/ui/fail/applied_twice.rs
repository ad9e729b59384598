use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(dispatch = "manual")]
#[patchwork_feedback(dispatch = "manual")]
impl Server {}

fn main() {
    let _ = Server::PATCHWORK_INSTRUCTIONS;
}

// On the struct instead of its impl block: one error, and code using the generated items adds no cascade.
use patchwork_runtime::patchwork_feedback;

#[patchwork_feedback]
struct Server;

fn main() {
    let _ = (Server, Server::patchwork_tool(), Server::PATCHWORK_INSTRUCTIONS);
}

// With a mistake in the attribute, code using the generated items reports nothing more: one error only.
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "not a slug")]
impl Server {}

fn main() {
    let tool = Server::patchwork_tool();
    let _ = (tool.name, Server::PATCHWORK_INSTRUCTIONS, Server::PATCHWORK_SERVER_TOOLS);
    let arguments = serde_json::Value::Null;
    let _ = Server.patchwork_dispatch("feedback", &arguments);
}

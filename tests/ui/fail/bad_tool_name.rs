use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(tool_name = "send feedback!")]
impl Server {}

fn main() {}

use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(toolname = "feedback")]
impl Server {}

fn main() {}

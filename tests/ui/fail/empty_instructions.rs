use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(instructions = "  ")]
impl Server {}

fn main() {}

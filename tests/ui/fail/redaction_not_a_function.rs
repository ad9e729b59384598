use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(dispatch = "manual", redaction = "Self::rules")]
impl Server {}

fn main() {}

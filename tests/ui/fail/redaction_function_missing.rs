use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(dispatch = "manual", redaction = "no_such_rules")]
impl Server {}

fn main() {}

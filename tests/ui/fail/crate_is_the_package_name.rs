use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(crate = "patchwork-runtime", dispatch = "manual")]
impl Server {}

fn main() {}

// The `crate` path is what generated code names: a path that does not exist fails there.
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(crate = "::no_such_runtime", dispatch = "manual")]
impl Server {}

fn main() {}

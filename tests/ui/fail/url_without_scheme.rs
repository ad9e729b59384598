use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(url = "patchworkmcp.com")]
impl Server {}

fn main() {}

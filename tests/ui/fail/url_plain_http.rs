use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(url = "http://patchworkmcp.com")]
impl Server {}

fn main() {}

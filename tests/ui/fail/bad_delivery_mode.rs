use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(delivery = "blocking")]
impl Server {}

fn main() {}

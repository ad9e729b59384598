use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug)]
impl Server {}

fn main() {}

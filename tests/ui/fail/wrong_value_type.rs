use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = 42)]
impl Server {}

fn main() {}

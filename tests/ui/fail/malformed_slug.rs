use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "my weather server")]
impl Server {}

fn main() {}

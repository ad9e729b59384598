use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug: "weather", dispatch = "manual")]
impl Server {}

fn main() {}

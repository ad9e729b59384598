use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(delivery = await, slug = weather, dispatch = "manual")]
impl Server {}

fn main() {}

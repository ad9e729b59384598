use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "weather", api_key = "pk_live_do_not_commit")]
impl Server {}

fn main() {}

use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(api_key_env = "pk-live-1234")]
impl Server {}

fn main() {}

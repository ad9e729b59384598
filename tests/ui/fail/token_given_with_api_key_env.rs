use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(token = "pk_live_do_not_commit", api_key_env = "WEATHER_PATCHWORK_KEY")]
impl Server {}

fn main() {}

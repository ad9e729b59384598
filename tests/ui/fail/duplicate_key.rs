use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "weather", slug = "weather-eu")]
impl Server {}

fn main() {}

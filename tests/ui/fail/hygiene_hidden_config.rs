// The runtime configuration the attribute builds is hidden: users cannot name it.
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "weather", dispatch = "manual")]
impl Server {}

fn main() {
    let _ = Server::PATCHWORK_CONFIG;
    let _ = PATCHWORK_CONFIG;
}

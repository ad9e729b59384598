// Plain `http://` goes to loopback hosts only; `api.localhost` is not `localhost` (the runtime refuses it too).
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(url = "http://api.localhost:8080")]
impl Server {}

fn main() {}

use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(url = "https://team:secret@patchworkmcp.com")]
impl Server {}

fn main() {}

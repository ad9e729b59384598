// Every mistake is reported in one compile, each at its own tokens.
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "", tool_name = "feed back", colour = "red", url = "ftp://x", instructions = "")]
impl Server {}

fn main() {}

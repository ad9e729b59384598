// The feedback endpoint instead of the base URL: the error shows the base URL to write.
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(url = "https://patchworkmcp.com/api/v1/feedback/")]
impl Server {}

fn main() {}

// A user's own `PATCHWORK_INSTRUCTIONS`: one error that names the `instructions` key, and every other generated
// item still exists (no "no function or associated item" errors for `patchwork_tool()`).
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(dispatch = "manual")]
impl Server {
    const PATCHWORK_INSTRUCTIONS: &'static str = "Weather forecasts.";
}

fn main() {
    let _ = Server::patchwork_tool();
    let _ = Server::PATCHWORK_TOOL_NAME;
}

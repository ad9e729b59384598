use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(tool_name = "report")]
impl Server {
    fn report(&self) -> &'static str {
        "daily report"
    }
}

fn main() {
    let _ = Server.report();
}

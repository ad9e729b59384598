use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback]
impl Server {
    /// The server's own feedback form, unrelated to PatchworkMCP.
    fn feedback(&self) -> &'static str {
        "form"
    }
}

fn main() {
    let _ = Server.feedback();
}

use patchwork_runtime::patchwork_feedback;

#[patchwork_feedback]
struct Server;

fn main() {
    let _ = Server;
}

use patchwork_runtime::patchwork_feedback;

#[patchwork_feedback]
fn handle_request() {}

fn main() {
    handle_request();
}

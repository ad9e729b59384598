// Another type of the same name, written the same way, in a module after the first block of the file: the guard
// sees names, not types, so it is taken for a second block. Its error says how to write it apart; in a nested module
// rustc adds that the guard's name is ambiguous (its rule for a `macro_rules!` of an outer module).
use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "weather", dispatch = "manual")]
impl Server {}

mod helpers {
    use patchwork_runtime::patchwork_feedback;

    pub struct Server;

    #[patchwork_feedback(slug = "helpers", dispatch = "manual")]
    impl Server {}
}

fn main() {
    let _ = (Server::PATCHWORK_TOOL_NAME, helpers::Server);
}

// On the module that holds the server: one error, the module kept, and no cascade from code naming the items.
use patchwork_runtime::patchwork_feedback;

#[patchwork_feedback(dispatch = "manual")]
mod server {
    pub struct Server;

    impl Server {
        pub fn instructions() -> &'static str {
            Self::PATCHWORK_INSTRUCTIONS
        }
    }
}

fn main() {
    let _ = server::Server::instructions();
    let _ = server::Server::patchwork_tool();
}

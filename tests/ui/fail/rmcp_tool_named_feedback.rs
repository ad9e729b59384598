// Another tool already called `feedback` through rmcp's `name = "..."`: the error points at those tokens.
use patchwork_runtime::patchwork_feedback;
use rmcp::{tool, tool_router};

#[derive(Clone)]
struct Server;

#[patchwork_feedback]
#[tool_router]
impl Server {
    /// Leave a review.
    #[tool(name = "feedback", description = "Leave a review of a product")]
    async fn review(&self) -> String {
        String::new()
    }
}

fn main() {}

// Servers with strict lints: the expansion adds no warning, whether the generated items are used or not, in a
// plain block, a generic block and rmcp mode (above `#[tool_router]`).
#![deny(warnings, missing_docs, unreachable_pub, unused_qualifications, unused_results)]
#![deny(unused_extern_crates, unused_import_braces, trivial_casts, single_use_lifetimes)]
//! Private server types in a crate that denies warnings.

use patchwork_runtime::patchwork_feedback;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};

struct Server;

#[patchwork_feedback(slug = "strict", dispatch = "manual")]
impl Server {}

struct Generic<T>(T);

#[patchwork_feedback(slug = "strict", delivery = "await", dispatch = "manual")]
impl<T: Send + Sync + 'static> Generic<T> {}

#[derive(Clone)]
struct Routed;

#[patchwork_feedback(slug = "strict", tool_name = "report_gap")]
#[tool_router]
impl Routed {
    /// Answer a ping.
    #[tool]
    async fn ping(&self) -> String {
        "pong".to_owned()
    }
}

#[tool_handler]
impl ServerHandler for Routed {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

fn main() {
    let _server = Server;
    let _generic = Generic(0_u8).0;
    let _routed = Routed.get_info();
}

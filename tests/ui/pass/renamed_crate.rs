// A user who renamed the dependency points the attribute at the new name.
extern crate patchwork_runtime as patchwork_renamed;

use patchwork_renamed::patchwork_feedback;

struct Server;

#[patchwork_feedback(crate = "patchwork_renamed", dispatch = "manual")]
impl Server {}

// A path inside the user's crate works too; this one proves the path is really used: its `tool_definition`
// shadows the runtime's and marks the title.
mod shim {
    pub use ::patchwork_runtime::*;

    pub mod __private {
        pub use ::patchwork_runtime::__private::*;

        pub fn tool_definition(
            config: &FeedbackConfig,
            description: &'static str,
            input_schema: &'static str,
        ) -> ::patchwork_runtime::ToolDefinition {
            let mut tool = ::patchwork_runtime::__private::tool_definition(config, description, input_schema);
            tool.title = "through the shim".to_owned();
            tool
        }
    }
}

struct Shimmed;

#[patchwork_feedback(crate = "crate::shim", dispatch = "manual")]
impl Shimmed {}

// A `use` alias of the crate, and one in a module beside the block's: `crate` names them as the block's module
// does.
mod aliased {
    use patchwork_runtime as pw;

    pub struct Aliased;

    #[pw::patchwork_feedback(crate = "pw", dispatch = "manual")]
    impl Aliased {}
}

mod deps {
    pub use patchwork_runtime as pw;
}

struct Pathed;

#[patchwork_feedback(crate = "deps::pw", dispatch = "manual")]
impl Pathed {}

// rmcp mode names the runtime through the same path: the routed `#[tool]` attribute, the schema and the call.
#[derive(Clone)]
struct Routed;

#[patchwork_feedback(crate = "patchwork_renamed", tool_name = "report_gap")]
#[rmcp::tool_router]
impl Routed {}

fn main() {
    assert_eq!(Server::patchwork_tool().name, "feedback");
    assert_eq!(Shimmed::patchwork_tool().title, "through the shim");
    assert_eq!(aliased::Aliased::patchwork_tool().name, "feedback");
    assert_eq!(Pathed::patchwork_tool().name, "feedback");
    let routed: Vec<String> = Routed::tool_router().list_all().into_iter().map(|t| t.name.into_owned()).collect();
    assert_eq!(routed, ["report_gap"]);
}

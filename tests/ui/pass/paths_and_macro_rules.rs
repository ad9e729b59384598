// The attribute through a renamed import and through its full path, with values passed through `macro_rules!`,
// and raw strings; and in a `#![no_implicit_prelude]` module.
use patchwork_runtime::patchwork_feedback as report_gaps;

struct Renamed;

#[report_gaps(dispatch = "manual", slug = "renamed")]
impl Renamed {}

struct FullPath;

#[patchwork_runtime::patchwork_feedback(dispatch = "manual", instructions = r"Paths like C:\data work.")]
impl FullPath {}

macro_rules! server_with_feedback {
    ($name:ident, $slug:expr, $tool:literal) => {
        struct $name;

        #[report_gaps(dispatch = "manual", slug = $slug, tool_name = $tool)]
        impl $name {}
    };
}

server_with_feedback!(FromMacro, "from-macro", "report_gap");

#[no_implicit_prelude]
mod bare_scope {
    pub struct Server;

    #[::patchwork_runtime::patchwork_feedback(dispatch = "manual", slug = "no-prelude")]
    impl Server {}
}

fn main() {
    assert!(Renamed::PATCHWORK_INSTRUCTIONS.contains("`feedback`"));
    assert!(FullPath::PATCHWORK_INSTRUCTIONS.starts_with("Paths like C:\\data work.\n\n"));
    assert_eq!(FromMacro::PATCHWORK_TOOL_NAME, "report_gap");
    assert_eq!(bare_scope::Server::patchwork_tool().name, "feedback");
}

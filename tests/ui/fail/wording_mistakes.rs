use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(
    dispatch = "manual",
    tool_name = "report_gap",
    wording = "polite",
    directive = "Please report gaps with the feedback tool."
)]
impl Server {}

fn main() {}

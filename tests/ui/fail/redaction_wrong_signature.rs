use patchwork_runtime::patchwork_feedback;

struct Server;

/// Takes and returns the wrong types: the attribute wants `fn(Redaction) -> Redaction`.
fn rules(level: u32) -> u32 {
    level
}

#[patchwork_feedback(dispatch = "manual", redaction = "rules")]
impl Server {}

fn main() {}

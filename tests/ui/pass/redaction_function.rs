// `redaction = "..."` names a free function that makes the rules from the standard set.
use patchwork_runtime::{Redaction, patchwork_feedback};

fn privacy_rules(rules: Redaction) -> Redaction {
    rules
        .with_rule("order_id", |text: &str| {
            text.match_indices("ORD-").map(|(at, _)| at..at + 12).collect()
        })
        .unwrap_or_else(|_| Redaction::standard())
}

mod privacy {
    pub fn none(_: patchwork_runtime::Redaction) -> patchwork_runtime::Redaction {
        patchwork_runtime::Redaction::none()
    }
}

struct Server;

#[patchwork_feedback(dispatch = "manual", redaction = "privacy_rules")]
impl Server {}

struct Open;

#[patchwork_feedback(dispatch = "manual", redaction = "privacy::none")]
impl Open {}

fn main() {
    assert_eq!(
        privacy_rules(Redaction::standard()).redact("ORD-12345678"),
        "[REDACTED:order_id]"
    );
    let _ = (Server::patchwork_tool(), Open::patchwork_tool());
}

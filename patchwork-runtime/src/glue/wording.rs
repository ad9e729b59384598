//! What generated code calls for the texts agents read, so the installed client's choice of wording
//! (`Builder::wording`, `tool_description`, `directive`) wins over the attribute's compile-time texts.

use super::FeedbackConfig;
use crate::config::Mode;
use crate::contract::texts::instructions_with;
use crate::patchwork::Patchwork;

/// The tool's description: the installed client's choice, else `compiled` (the attribute's).
#[must_use]
pub fn tool_description(compiled: &'static str) -> String {
    match Patchwork::running() {
        Some(patchwork) => tool_description_on(patchwork, compiled),
        None => compiled.to_owned(),
    }
}

pub(crate) fn tool_description_on(patchwork: &Patchwork, compiled: &'static str) -> String {
    patchwork.wording().description(compiled)
}

/// The server's instructions for `initialize` (the generated `patchwork_instructions()`): the attribute's
/// `instructions`, then the directive the installed client chose, else the attribute's. With feedback off
/// ([`Mode::Off`]) only the attribute's `instructions` (empty without them): agents are not told to call a tool that
/// is not offered.
#[must_use]
pub fn instructions(config: &'static FeedbackConfig) -> String {
    match Patchwork::running() {
        Some(patchwork) => instructions_on(patchwork, config),
        None if Patchwork::global_mode() == Mode::Off => without_directive(config),
        None => instructions_with(config.instructions, config.directive),
    }
}

pub(crate) fn instructions_on(patchwork: &Patchwork, config: &FeedbackConfig) -> String {
    if patchwork.mode() == Mode::Off {
        return without_directive(config);
    }
    let directive = patchwork
        .wording()
        .directive(config.tool_name, config.directive);
    instructions_with(config.instructions, &directive)
}

fn without_directive(config: &FeedbackConfig) -> String {
    config.instructions.unwrap_or_default().to_owned()
}

//! What generated code calls for the texts agents read, so the installed client's choice of wording
//! (`Builder::wording`, `tool_description`, `directive`) wins over the attribute's compile-time texts.

use super::FeedbackConfig;
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
/// `instructions`, then the directive the installed client chose, else the attribute's.
#[must_use]
pub fn instructions(config: &'static FeedbackConfig) -> String {
    match Patchwork::running() {
        Some(patchwork) => instructions_on(patchwork, config),
        None => instructions_with(config.instructions, config.directive),
    }
}

pub(crate) fn instructions_on(patchwork: &Patchwork, config: &FeedbackConfig) -> String {
    let directive = patchwork
        .wording()
        .directive(config.tool_name, config.directive);
    instructions_with(config.instructions, &directive)
}

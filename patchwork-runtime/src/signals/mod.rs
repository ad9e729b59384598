//! Gap signals: what patchwork hears without the agent's help. A call of a tool the server does not offer,
//! arguments a tool cannot accept, a tool that answered `isError: true`, a resource or prompt that was not found.
//! Each is a typed [`Signal`]; the [`Window`] counts them per kind, target and detail (count, first and last seen),
//! capped and rate-limited, and [`report`] turns each count into a report in the contract's schema. Plain data:
//! the watcher (`glue/observe.rs`) classifies, the client (`patchwork/signals.rs`) records, flushes and delivers.

mod report;
mod window;

pub(crate) use report::{overflow_payload, payload};
pub(crate) use window::{Aggregate, Window};

use crate::feedback::GapType;
use crate::feedback::caps::floor_char_boundary;

/// The kind of a gap signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SignalKind {
    /// `tools/call` for a tool the server does not offer (the target is the name the agent asked for).
    UnknownTool,
    /// Arguments a tool refused: the tool, the error's class and the field's path, never the values.
    InvalidArguments,
    /// A tool result with `isError: true` (its text only when the server opts in, redacted).
    ToolError,
    /// `resources/read` of a resource the server does not have.
    ResourceNotFound,
    /// `prompts/get` of a prompt the server does not have.
    PromptNotFound,
}

impl SignalKind {
    /// Every kind, in the order the README lists them.
    #[cfg(test)]
    pub(crate) const ALL: [Self; 5] = [
        Self::UnknownTool,
        Self::InvalidArguments,
        Self::ToolError,
        Self::ResourceNotFound,
        Self::PromptNotFound,
    ];

    /// The kind's name in logs, reports and the README.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::UnknownTool => "unknown_tool",
            Self::InvalidArguments => "invalid_arguments",
            Self::ToolError => "tool_error",
            Self::ResourceNotFound => "resource_not_found",
            Self::PromptNotFound => "prompt_not_found",
        }
    }

    /// The contract's gap type a report of this kind is filed under.
    pub(crate) fn gap_type(self, detail: &str) -> GapType {
        match self {
            Self::UnknownTool | Self::ResourceNotFound | Self::PromptNotFound => {
                GapType::MissingTool
            }
            Self::InvalidArguments if detail.starts_with(MISSING_FIELD) => {
                GapType::MissingParameter
            }
            Self::InvalidArguments => GapType::WrongFormat,
            Self::ToolError => GapType::IncompleteResults,
        }
    }
}

/// The class of a refused argument that was absent (a parameter the agent did not know it needed).
pub(crate) const MISSING_FIELD: &str = "missing_field";

/// Longest target (tool, prompt or resource name) kept, in bytes.
pub(crate) const MAX_TARGET_BYTES: usize = 200;
/// Longest detail (error class and path, or the opted-in error text) kept, in bytes.
pub(crate) const MAX_DETAIL_BYTES: usize = 500;

/// One gap signal, as the watcher saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signal {
    pub(crate) kind: SignalKind,
    /// The tool, prompt or resource it concerns (as the agent named it).
    pub(crate) target: String,
    /// For `invalid_arguments` the class and path (`missing_field at query`); for `tool_error` the error's text
    /// when the server opted in; else empty.
    pub(crate) detail: String,
    /// The client's `name/version` when the server knows it (never a placeholder).
    pub(crate) client: Option<String>,
}

impl Signal {
    /// A signal with its strings cut to their caps (at a character boundary).
    pub(crate) fn new(
        kind: SignalKind,
        target: &str,
        detail: &str,
        client: Option<String>,
    ) -> Self {
        let cut = |text: &str, max: usize| text[..floor_char_boundary(text, max)].to_owned();
        Self {
            kind,
            target: cut(target.trim(), MAX_TARGET_BYTES),
            detail: cut(detail.trim(), MAX_DETAIL_BYTES),
            client,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_cut_at_their_caps_on_a_character_boundary() {
        let long = "é".repeat(MAX_TARGET_BYTES);
        let signal = Signal::new(SignalKind::UnknownTool, &long, &"x".repeat(9_999), None);
        assert!(signal.target.len() <= MAX_TARGET_BYTES);
        assert!(signal.target.chars().all(|c| c == 'é'));
        assert_eq!(signal.detail.len(), MAX_DETAIL_BYTES);
    }

    #[test]
    fn each_kind_files_under_a_gap_type_of_the_contract() {
        let names: Vec<_> = SignalKind::ALL.iter().map(|kind| kind.as_str()).collect();
        assert_eq!(
            names,
            [
                "unknown_tool",
                "invalid_arguments",
                "tool_error",
                "resource_not_found",
                "prompt_not_found"
            ]
        );
        assert_eq!(
            SignalKind::InvalidArguments.gap_type("missing_field at query"),
            GapType::MissingParameter
        );
        assert_eq!(
            SignalKind::InvalidArguments.gap_type("invalid_type at limit"),
            GapType::WrongFormat
        );
        assert_eq!(SignalKind::UnknownTool.gap_type(""), GapType::MissingTool);
    }
}

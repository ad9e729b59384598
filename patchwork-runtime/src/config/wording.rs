//! The texts agents read, chosen at run time: a preset, or the description and directive themselves
//! ([`Builder::wording`](crate::Builder::wording), [`Builder::tool_description`](crate::Builder::tool_description),
//! [`Builder::directive`](crate::Builder::directive)). They win over the attribute's `wording`, `description` and
//! `directive`.

use crate::contract::texts;

/// A wording preset for the feedback tool's description and the directive in the server's instructions.
///
/// ```no_run
/// use patchwork_runtime::{Patchwork, Wording};
/// let _guard = Patchwork::builder().wording(Wording::Directory).install(); // agents see it in `tools/list`
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Wording {
    /// The reference client's texts (the default).
    #[default]
    Reference,
    /// For directory listings: no capitalised imperatives; asks for genuine gaps only (not fallbacks that worked,
    /// temporary failures or permission denials) and to leave out personal data and secrets.
    Directory,
}

impl Wording {
    fn preset(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Directory => "directory",
        }
    }
}

/// What the builder chose; each unset part falls back to the attribute's compile-time text.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordingChoice {
    pub(crate) preset: Option<Wording>,
    pub(crate) description: Option<String>,
    pub(crate) directive: Option<String>,
}

impl WordingChoice {
    /// The tool's description: the builder's own text, else its preset's, else `compiled`.
    pub(crate) fn description(&self, compiled: &'static str) -> String {
        if let Some(text) = &self.description {
            return text.clone();
        }
        match self.preset.and_then(|p| texts::wording(p.preset(), "")) {
            Some((description, _)) => description.to_owned(),
            None => compiled.to_owned(),
        }
    }

    /// The directive for `tool_name`: the builder's own (when it names the tool; otherwise it is ignored with a
    /// warning), else its preset's, else `compiled`.
    pub(crate) fn directive(&self, tool_name: &str, compiled: &'static str) -> String {
        if let Some(text) = &self.directive {
            if texts::names_tool(text, tool_name) {
                return text.clone();
            }
            static WARNED: std::sync::atomic::AtomicBool =
                std::sync::atomic::AtomicBool::new(false);
            if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                tracing::warn!(
                    tool = tool_name,
                    "the configured directive does not name the feedback tool; using the attribute's"
                );
            }
        }
        match self
            .preset
            .and_then(|p| texts::wording(p.preset(), tool_name))
        {
            Some((_, directive)) => directive,
            None => compiled.to_owned(),
        }
    }
}

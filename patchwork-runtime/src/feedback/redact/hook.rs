//! The report hook: the server's own code sees each report before anything is stored, logged or sent, and may
//! withhold it or strip what the agent wrote in a field. The fields the server itself filled (its slug, and the
//! client's name, the tool list and the session id when the server knew them) are facts, not the agent's text:
//! the hook cannot strip them and the redaction rules leave them as they are.

use std::sync::Arc;

use crate::feedback::{FeedbackPayload, GapType};

/// A field of a report that the agent can write. `#[non_exhaustive]`: the wire contract may grow.
///
/// ```
/// use patchwork_runtime::{Field, Redaction, Report, Verdict};
/// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
///     for field in [Field::UserGoal, Field::AgentModel] {
///         report.strip(field); // never stored or sent
///     }
///     Verdict::Keep
/// });
/// # let _ = rules;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `what_i_needed` (required: stripped, it becomes `[REDACTED:report_hook]`).
    WhatINeeded,
    /// `what_i_tried` (required: stripped, it becomes `[REDACTED:report_hook]`).
    WhatITried,
    /// `suggestion`.
    Suggestion,
    /// `user_goal`: the user's own request, often the most personal field.
    UserGoal,
    /// `agent_model`.
    AgentModel,
    /// `session_id`, when the agent wrote it.
    SessionId,
    /// `client_type`, when the agent wrote it.
    ClientType,
    /// `tools_available`, when the agent wrote it.
    ToolsAvailable,
}

impl Field {
    /// Every field, in the wire contract's order.
    ///
    /// ```
    /// use patchwork_runtime::Field;
    /// assert_eq!(Field::ALL.first(), Some(&Field::WhatINeeded));
    /// assert_eq!(Field::ALL.len(), 8);
    /// ```
    pub const ALL: [Self; 8] = [
        Self::WhatINeeded,
        Self::WhatITried,
        Self::Suggestion,
        Self::UserGoal,
        Self::AgentModel,
        Self::SessionId,
        Self::ClientType,
        Self::ToolsAvailable,
    ];
}

/// What the report hook decides for a report.
///
/// ```
/// use patchwork_runtime::{Field, Redaction, Report, Verdict};
/// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
///     if report.text(Field::WhatINeeded).contains("payroll") {
///         Verdict::Withhold // the agent reads "not recorded"; nothing is stored or sent
///     } else {
///         Verdict::Keep
///     }
/// });
/// # let _ = rules;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Go on: the redaction rules run on what is left, then the report is stored and sent.
    Keep,
    /// Withhold the report: nothing is stored, logged or sent, and the agent is told it was not recorded.
    Withhold,
}

/// Which identity fields the server filled itself (the slug always is).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Filled {
    pub(crate) client_type: bool,
    pub(crate) tools_available: bool,
    pub(crate) session_id: bool,
}

impl Filled {
    /// Whether `field` holds what the server filled (so neither the hook nor the rules may change it).
    pub(crate) fn holds(self, field: Field) -> bool {
        match field {
            Field::ClientType => self.client_type,
            Field::ToolsAvailable => self.tools_available,
            Field::SessionId => self.session_id,
            _ => false,
        }
    }
}

/// A report as the hook sees it: every field to read, the agent's fields to strip.
///
/// ```
/// use patchwork_runtime::{Field, Redaction, Report, Verdict};
/// // Never send what the user asked for; withhold reports about the billing tools altogether.
/// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
///     report.strip(Field::UserGoal);
///     if report.text(Field::WhatINeeded).contains("billing") {
///         Verdict::Withhold
///     } else {
///         Verdict::Keep
///     }
/// });
/// # let _ = rules;
/// ```
pub struct Report<'a> {
    payload: &'a mut FeedbackPayload,
    filled: Filled,
}

impl std::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The agent's text stays out of logs, `Debug` included.
        f.debug_struct("Report")
            .field("server_slug", &self.payload.server_slug)
            .field("gap_type", &self.payload.gap_type)
            .finish_non_exhaustive()
    }
}

impl<'a> Report<'a> {
    pub(crate) fn new(payload: &'a mut FeedbackPayload, filled: Filled) -> Self {
        Self { payload, filled }
    }

    /// The text of `field` as the agent wrote it (before the redaction rules run); the tool names joined by `, `.
    ///
    /// ```
    /// use patchwork_runtime::{Field, Redaction, Report, Verdict};
    /// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
    ///     let tools = report.text(Field::ToolsAvailable); // "search, forecast"
    ///     if tools.is_empty() { Verdict::Withhold } else { Verdict::Keep }
    /// });
    /// # let _ = rules;
    /// ```
    #[must_use]
    pub fn text(&self, field: Field) -> std::borrow::Cow<'_, str> {
        let p = &*self.payload;
        std::borrow::Cow::Borrowed(match field {
            Field::WhatINeeded => &p.what_i_needed,
            Field::WhatITried => &p.what_i_tried,
            Field::Suggestion => &p.suggestion,
            Field::UserGoal => &p.user_goal,
            Field::AgentModel => &p.agent_model,
            Field::SessionId => &p.session_id,
            Field::ClientType => &p.client_type,
            Field::ToolsAvailable => return std::borrow::Cow::Owned(p.tools_available.join(", ")),
        })
    }

    /// The kind of gap the agent chose.
    ///
    /// ```
    /// use patchwork_runtime::{GapType, Redaction, Report, Verdict};
    /// // keep only reports of missing tools
    /// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| match report.gap_type() {
    ///     GapType::MissingTool => Verdict::Keep,
    ///     _ => Verdict::Withhold,
    /// });
    /// # let _ = rules;
    /// ```
    #[must_use]
    pub fn gap_type(&self) -> GapType {
        self.payload.gap_type
    }

    /// The server's slug (from configuration; never the agent's).
    ///
    /// ```
    /// use patchwork_runtime::{Field, Redaction, Report, Verdict};
    /// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
    ///     if report.server_slug() == "payroll" {
    ///         report.strip(Field::UserGoal);
    ///     }
    ///     Verdict::Keep
    /// });
    /// # let _ = rules;
    /// ```
    #[must_use]
    pub fn server_slug(&self) -> &str {
        &self.payload.server_slug
    }

    /// Whether `field` holds what the server filled itself (the client's declared name, the tools it offers, the
    /// transport's session id) rather than what the agent wrote.
    ///
    /// ```
    /// use patchwork_runtime::{Field, Redaction, Report, Verdict};
    /// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
    ///     // the agent's own guess at its client is noise; what the server knows stays
    ///     if !report.filled_by_server(Field::ClientType) {
    ///         report.strip(Field::ClientType);
    ///     }
    ///     Verdict::Keep
    /// });
    /// # let _ = rules;
    /// ```
    #[must_use]
    pub fn filled_by_server(&self, field: Field) -> bool {
        self.filled.holds(field)
    }

    /// Removes what the agent wrote in `field`: an optional field becomes empty, a required one
    /// `[REDACTED:report_hook]`. Returns `false`, changing nothing, for a field the server filled.
    ///
    /// ```
    /// use patchwork_runtime::{Field, Redaction, Report, Verdict};
    /// let rules = Redaction::standard().with_report_hook(|report: &mut Report<'_>| {
    ///     report.strip(Field::UserGoal); // `false` only for a field the server filled
    ///     Verdict::Keep
    /// });
    /// # let _ = rules;
    /// ```
    pub fn strip(&mut self, field: Field) -> bool {
        if self.filled.holds(field) {
            return false;
        }
        let p = &mut *self.payload;
        let stripped = format!("{}{}]", super::MARKER_PREFIX, HOOK_KIND);
        match field {
            Field::WhatINeeded => p.what_i_needed = stripped,
            Field::WhatITried => p.what_i_tried = stripped,
            Field::Suggestion => p.suggestion.clear(),
            Field::UserGoal => p.user_goal.clear(),
            Field::AgentModel => p.agent_model.clear(),
            Field::SessionId => p.session_id.clear(),
            Field::ClientType => p.client_type.clear(),
            Field::ToolsAvailable => p.tools_available.clear(),
        }
        true
    }
}

/// The marker kind of a required field the hook stripped.
pub(crate) const HOOK_KIND: &str = "report_hook";

/// A report hook, shared by the clones of a [`Redaction`](super::Redaction).
pub(crate) type Hook = Arc<dyn Fn(&mut Report<'_>) -> Verdict + Send + Sync>;

//! The feedback itself: the wire payload and its enums, the size caps, strict validation of a tool call's
//! arguments, and the unsent line that keeps feedback no worker could take.
//!
//! A tool call's arguments become a payload once ([`validate`]), are capped and serialised once
//! ([`Prepared`]), and that JSON text is what is stored and sent on every attempt.

pub(crate) mod caps;
pub(crate) mod redact;
pub(crate) mod unsent;
pub(crate) mod validate;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::contract::fields::{GAP_TYPES, RESOLUTIONS};

/// The category of gap the agent hit (the contract's `gap_type`).
///
/// Serializes to the contract's strings; any unknown or empty string reads as [`GapType::Other`].
///
/// ```
/// use patchwork_runtime::{FeedbackPayload, GapType};
/// let payload = FeedbackPayload { gap_type: GapType::MissingTool, ..Default::default() };
/// assert_eq!(serde_json::to_value(&payload).unwrap()["gap_type"], "missing_tool");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GapType {
    /// `missing_tool`: a tool or resource it looked for does not exist.
    MissingTool,
    /// `incomplete_results`: a tool returned incomplete or unhelpful results.
    IncompleteResults,
    /// `missing_parameter`: a tool lacks a parameter it needed.
    MissingParameter,
    /// `wrong_format`: results came in a format it could not use.
    WrongFormat,
    /// `other`: anything else (also unknown or empty values).
    #[default]
    Other,
}

impl GapType {
    /// Every variant, in the order of [`GAP_TYPES`].
    pub(crate) const ALL: [GapType; 5] = [
        Self::MissingTool,
        Self::IncompleteResults,
        Self::MissingParameter,
        Self::WrongFormat,
        Self::Other,
    ];

    /// The contract's string for this variant.
    ///
    /// ```
    /// assert_eq!(patchwork_runtime::GapType::MissingTool.as_str(), "missing_tool");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        GAP_TYPES[self as usize]
    }

    /// Reads a contract string; unknown or empty text gives [`GapType::Other`].
    pub(crate) fn from_str_lenient(text: &str) -> Self {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|gap| gap.as_str().eq_ignore_ascii_case(text))
            .unwrap_or(Self::Other)
    }
}

impl fmt::Display for GapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for GapType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GapType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        Ok(Self::from_str_lenient(text.as_deref().unwrap_or("")))
    }
}

/// What happened after the agent hit the gap (the contract's `resolution`).
///
/// ```
/// use patchwork_runtime::{FeedbackPayload, Resolution};
/// let payload = FeedbackPayload { resolution: Some(Resolution::WorkedAround), ..Default::default() };
/// assert_eq!(serde_json::to_value(&payload).unwrap()["resolution"], "worked_around");
/// let unsaid = FeedbackPayload::default(); // `None` is sent as "", as the reference client sends it
/// assert_eq!(serde_json::to_value(&unsaid).unwrap()["resolution"], "");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// `blocked`: the agent could not complete the task.
    Blocked,
    /// `worked_around`: the agent found another way.
    WorkedAround,
    /// `partial`: the agent completed part of the task.
    Partial,
}

impl Resolution {
    /// Every variant, in the order of [`RESOLUTIONS`].
    pub(crate) const ALL: [Resolution; 3] = [Self::Blocked, Self::WorkedAround, Self::Partial];

    /// The contract's string for this variant.
    ///
    /// ```
    /// assert_eq!(patchwork_runtime::Resolution::WorkedAround.as_str(), "worked_around");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        RESOLUTIONS[self as usize]
    }

    /// Reads a contract string; `None` for anything else.
    pub(crate) fn from_str_opt(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|resolution| resolution.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `resolution` travels as a string, `""` when absent (as the reference sends it).
mod resolution_text {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        value: &Option<Resolution>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.map_or("", Resolution::as_str))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Resolution>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        Ok(text.as_deref().and_then(Resolution::from_str_opt))
    }
}

/// One piece of feedback, exactly the body of `POST /api/v1/feedback/`.
///
/// Every field is always serialized (absent strings as `""`, absent tools as `[]`), as the reference client
/// does.
///
/// ```
/// use patchwork_runtime::{FeedbackPayload, GapType};
/// let payload = FeedbackPayload {
///     what_i_needed: "a tool that lists invoices by customer".into(),
///     what_i_tried: "search_invoices, which only filters by date".into(),
///     gap_type: GapType::MissingParameter,
///     ..FeedbackPayload::default()
/// };
/// assert_eq!(serde_json::to_value(&payload).unwrap()["gap_type"], "missing_parameter");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeedbackPayload {
    /// The server's slug, from configuration (never from the agent).
    pub server_slug: String,
    /// What capability, data or tool the agent was looking for.
    pub what_i_needed: String,
    /// What the agent tried.
    pub what_i_tried: String,
    /// The category of gap.
    #[serde(default)]
    pub gap_type: GapType,
    /// The agent's idea of what would have helped.
    #[serde(default)]
    pub suggestion: String,
    /// The user's original request.
    #[serde(default)]
    pub user_goal: String,
    /// What happened after the gap; `None` is sent as `""`.
    #[serde(default, with = "resolution_text")]
    pub resolution: Option<Resolution>,
    /// The agent's model identifier.
    #[serde(default)]
    pub agent_model: String,
    /// Conversation or session identifier.
    #[serde(default)]
    pub session_id: String,
    /// The MCP client in use (e.g. `claude-code`).
    #[serde(default)]
    pub client_type: String,
    /// Tool names the agent considered or tried.
    #[serde(default)]
    pub tools_available: Vec<String>,
}

impl FeedbackPayload {
    /// The payload as one line of JSON (newlines inside strings are escaped).
    pub(crate) fn to_json_line(&self) -> String {
        // Serializing plain strings and enums cannot fail; "{}" keeps this panic-free.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

/// A payload within the caps and its JSON body: what is stored, logged and sent, computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    pub(crate) payload: FeedbackPayload,
    pub(crate) body: String,
    /// `tools_available` entries dropped by the cap (sent as `Patchwork-Tools-Dropped`).
    pub(crate) tools_dropped: u64,
    /// Who sent the report, as far as the server knows (never the agent's word): what the repeat guard and the
    /// ceilings count.
    pub(crate) caller: Caller,
    /// Whether an agent (or the application) wrote it, or patchwork made it from what it saw (a gap signal).
    pub(crate) origin: Origin,
    /// How many markers of each kind redaction left in `body` (the `Patchwork-Redactions` header), counted once
    /// here rather than per attempt.
    pub(crate) redactions: String,
}

/// Who wrote a report. The body fits the same schema either way; the service tells them apart by the
/// `Patchwork-Origin: signal` header, which an agent's text cannot set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Origin {
    /// An agent through the feedback tool, or the application through `deliver`/`enqueue`.
    #[default]
    Report,
    /// patchwork itself, from calls it watched fail (an aggregated gap signal).
    Signal,
}

impl Origin {
    /// Whether an agent or the application wrote it (the default, left out of stored items).
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
    pub(crate) fn is_report(&self) -> bool {
        *self == Self::Report
    }
}

/// Who sent a report, as far as the server knows. The agent's own `session_id` is not trusted for this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Caller {
    /// The application itself (`Patchwork::deliver`, `enqueue`): it names the session in the payload, so identical
    /// payloads are repeats, and only the process ceiling applies.
    #[default]
    Application,
    /// A transport session the server knows (a streamable HTTP session's `Mcp-Session-Id`).
    Session(String),
    /// A transport with one session per process (stdio): the process is the session.
    Process,
    /// No session, but the client's `name/version` is known (stateless HTTP): different users of one client
    /// look alike, so their repeats are never merged.
    Client(String),
    /// Nothing known (stateless HTTP without client info, a hand-written server that did not say): repeats are
    /// never merged.
    Unknown,
}

impl Caller {
    /// The key of the session the report came from, when the server knows one: what the per-session ceiling
    /// counts.
    pub(crate) fn session(&self) -> Option<&str> {
        match self {
            Self::Session(id) => Some(id),
            Self::Process => Some("\0process"),
            Self::Application | Self::Client(_) | Self::Unknown => None,
        }
    }

    /// Within what identical reports are repeats: the session, or the application's own calls; `None` when
    /// they may come from different users and must never be merged.
    pub(crate) fn repeat_scope(&self) -> Option<&str> {
        match self {
            Self::Application => Some(""),
            other => other.session(),
        }
    }

    /// The key of the caller's share of the per-process ceiling: its session, else its client, else the one
    /// share of callers nothing is known about. `None` for the application's own calls (the only caller then).
    pub(crate) fn share(&self) -> Option<String> {
        match self {
            Self::Application => None,
            Self::Session(_) | Self::Process => self.session().map(str::to_owned),
            Self::Client(label) => Some(format!("\0client {label}")),
            Self::Unknown => Some("\0unknown".to_owned()),
        }
    }
}

impl Prepared {
    /// A report from an agent or the application: the report hook of `redaction` first (`None` when it withheld
    /// the report), then as [`Prepared::new`].
    pub(crate) fn screened(
        mut payload: FeedbackPayload,
        redaction: &redact::Redaction,
        filled: redact::Filled,
    ) -> Option<Self> {
        (redaction.run_hook(&mut payload, filled) == redact::Verdict::Keep)
            .then(|| Self::new(payload, redaction, filled))
    }

    /// Redacts `payload` with the rules of `redaction` (leaving what the server `filled`), caps it and serialises
    /// it. Live reports go through [`Prepared::screened`]; this alone is for text that was screened when it was
    /// recorded (replay) and for the reference functions, which use the standard rules.
    pub(crate) fn new(
        mut payload: FeedbackPayload,
        redaction: &redact::Redaction,
        filled: redact::Filled,
    ) -> Self {
        redaction.apply(&mut payload, filled);
        let tools_dropped = payload.apply_caps();
        let body = payload.to_json_line();
        let redactions = redact::counts(&body);
        Self {
            payload,
            body,
            redactions,
            tools_dropped,
            caller: Caller::Application,
            origin: Origin::Report,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_every_field_with_contract_strings() {
        let payload = FeedbackPayload {
            server_slug: "s".into(),
            gap_type: GapType::MissingTool,
            resolution: Some(Resolution::WorkedAround),
            ..FeedbackPayload::default()
        };
        let value = serde_json::to_value(&payload).unwrap();
        assert_eq!(value["gap_type"], "missing_tool");
        assert_eq!(value["resolution"], "worked_around");
        assert_eq!(value["tools_available"], json!([]));
        assert_eq!(value.as_object().unwrap().len(), 11);
        let none = serde_json::to_value(FeedbackPayload::default()).unwrap();
        assert_eq!(none["resolution"], "");
        assert_eq!(none["gap_type"], "other");
    }

    #[test]
    fn enums_follow_the_contract_tables() {
        assert_eq!(GapType::ALL.map(GapType::as_str), GAP_TYPES);
        assert_eq!(Resolution::ALL.map(Resolution::as_str), RESOLUTIONS);
        for text in ["", "  ", "bogus", "missing tool"] {
            assert_eq!(GapType::from_str_lenient(text), GapType::Other);
        }
        assert_eq!(
            GapType::from_str_lenient("incomplete_results"),
            GapType::IncompleteResults
        );
        let parsed: FeedbackPayload = serde_json::from_str(
            r#"{"server_slug":"","what_i_needed":"","what_i_tried":"","gap_type":"zzz"}"#,
        )
        .unwrap();
        assert_eq!(parsed.gap_type, GapType::Other);
    }

    #[test]
    fn prepared_bodies_are_one_capped_json_line() {
        let prepared = Prepared::new(
            FeedbackPayload {
                what_i_needed: "a\nb".into(),
                what_i_tried: "x".repeat(100_000),
                ..FeedbackPayload::default()
            },
            &redact::Redaction::standard(),
            crate::feedback::redact::Filled::default(),
        );
        assert!(!prepared.body.contains('\n'));
        assert_eq!(
            serde_json::from_str::<FeedbackPayload>(&prepared.body).unwrap(),
            prepared.payload
        );
        assert!(prepared.payload.what_i_tried.len() <= crate::contract::fields::MAX_FIELD_BYTES);
    }

    #[test]
    fn prepared_carries_its_redaction_counts() {
        let prepared = Prepared::new(
            FeedbackPayload {
                what_i_needed: "mail ana@example.com or bo@example.org".into(),
                ..FeedbackPayload::default()
            },
            &redact::Redaction::standard(),
            redact::Filled::default(),
        );
        assert_eq!(prepared.redactions, "email=2");
        assert_eq!(prepared.redactions, redact::counts(&prepared.body));
        let clean = Prepared::new(
            FeedbackPayload::default(),
            &redact::Redaction::standard(),
            redact::Filled::default(),
        );
        assert_eq!(clean.redactions, "");
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod schema_agreement;

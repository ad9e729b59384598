//! The feedback payload of the wire contract, its enums, the lenient builder
//! [`payload_from_args`], and the size caps that keep an agent from making us
//! send megabytes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::options::{Options, ResolvedOptions};

/// Longest string field, in bytes (UTF-8), after which the text is cut.
pub const MAX_FIELD_BYTES: usize = 8 * 1024;
/// Most entries kept in `tools_available`.
pub const MAX_TOOLS_AVAILABLE: usize = 50;
/// Longest entry of `tools_available`, in bytes.
pub const MAX_TOOL_NAME_BYTES: usize = 256;
/// Largest payload, in bytes of its JSON form.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Appended where a string was cut, so readers see it is incomplete.
pub const TRUNCATION_MARKER: &str = "…[truncated]";

/// The category of gap the agent hit (the contract's `gap_type`).
///
/// Serializes to the contract's strings; any unknown or empty string reads
/// as [`GapType::Other`].
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
    /// Every variant, in the schema's order.
    pub const ALL: [GapType; 5] = [
        Self::MissingTool,
        Self::IncompleteResults,
        Self::MissingParameter,
        Self::WrongFormat,
        Self::Other,
    ];

    /// The contract's string for this variant.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingTool => "missing_tool",
            Self::IncompleteResults => "incomplete_results",
            Self::MissingParameter => "missing_parameter",
            Self::WrongFormat => "wrong_format",
            Self::Other => "other",
        }
    }

    /// Reads a contract string; unknown or empty text gives [`GapType::Other`].
    pub fn from_str_lenient(text: &str) -> Self {
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
    /// Every variant, in the schema's order.
    pub const ALL: [Resolution; 3] = [Self::Blocked, Self::WorkedAround, Self::Partial];

    /// The contract's string for this variant.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blocked => "blocked",
            Self::WorkedAround => "worked_around",
            Self::Partial => "partial",
        }
    }

    /// Reads a contract string; `None` for anything else.
    pub fn from_str_opt(text: &str) -> Option<Self> {
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

    pub fn serialize<S: Serializer>(value: &Option<Resolution>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.map_or("", Resolution::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Resolution>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        Ok(text.as_deref().and_then(Resolution::from_str_opt))
    }
}

/// One piece of feedback, exactly the body of `POST /api/v1/feedback/`.
///
/// Every field is always serialized (absent strings as `""`, absent tools as
/// `[]`), as the reference client does.
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
    pub fn to_json_line(&self) -> String {
        // Serializing plain strings and enums cannot fail; "{}" keeps this panic-free.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Whether the payload is within every cap (field sizes, entry count, total size).
    pub fn is_within_caps(&self) -> bool {
        self.strings().all(|s| s.len() <= MAX_FIELD_BYTES)
            && self.tools_available.len() <= MAX_TOOLS_AVAILABLE
            && self
                .tools_available
                .iter()
                .all(|t| t.len() <= MAX_TOOL_NAME_BYTES)
            && self.to_json_line().len() <= MAX_PAYLOAD_BYTES
    }

    /// Cuts the payload down to the caps: each string to [`MAX_FIELD_BYTES`],
    /// `tools_available` to [`MAX_TOOLS_AVAILABLE`] entries of
    /// [`MAX_TOOL_NAME_BYTES`], then the longest strings until the JSON fits in
    /// [`MAX_PAYLOAD_BYTES`]. Every cut is on a UTF-8 boundary and ends with
    /// [`TRUNCATION_MARKER`].
    pub fn apply_caps(&mut self) {
        for field in self.strings_mut() {
            truncate_with_marker(field, MAX_FIELD_BYTES);
        }
        if self.tools_available.len() > MAX_TOOLS_AVAILABLE {
            let dropped = self.tools_available.len() - (MAX_TOOLS_AVAILABLE - 1);
            self.tools_available.truncate(MAX_TOOLS_AVAILABLE - 1);
            self.tools_available
                .push(format!("{TRUNCATION_MARKER} {dropped} more"));
        }
        for tool in &mut self.tools_available {
            truncate_with_marker(tool, MAX_TOOL_NAME_BYTES);
        }
        self.shrink_to_payload_cap();
    }

    /// Shortens the longest strings until the JSON fits. Each round either fits
    /// or empties one string, so the loop ends within (strings + 1) rounds.
    fn shrink_to_payload_cap(&mut self) {
        let rounds = 11 + self.tools_available.len();
        for _ in 0..rounds {
            let size = self.to_json_line().len();
            if size <= MAX_PAYLOAD_BYTES {
                return;
            }
            let overflow = size - MAX_PAYLOAD_BYTES;
            let Some(longest) = self.every_string_mut().max_by_key(|s| s.len()) else {
                return;
            };
            let base = longest
                .strip_suffix(TRUNCATION_MARKER)
                .map_or(longest.len(), str::len);
            longest.truncate(base);
            // Removing `overflow` raw bytes removes at least `overflow` JSON bytes.
            truncate_with_marker_exact(longest, base.saturating_sub(overflow));
        }
    }

    /// Every string of the payload, `tools_available` entries included.
    fn every_string_mut(&mut self) -> impl Iterator<Item = &mut String> {
        let Self {
            server_slug,
            what_i_needed,
            what_i_tried,
            gap_type: _,
            suggestion,
            user_goal,
            resolution: _,
            agent_model,
            session_id,
            client_type,
            tools_available,
        } = self;
        [
            server_slug,
            what_i_needed,
            what_i_tried,
            suggestion,
            user_goal,
            agent_model,
            session_id,
            client_type,
        ]
        .into_iter()
        .chain(tools_available.iter_mut())
    }

    fn strings(&self) -> impl Iterator<Item = &String> {
        [
            &self.server_slug,
            &self.what_i_needed,
            &self.what_i_tried,
            &self.suggestion,
            &self.user_goal,
            &self.agent_model,
            &self.session_id,
            &self.client_type,
        ]
        .into_iter()
    }

    fn strings_mut(&mut self) -> impl Iterator<Item = &mut String> {
        [
            &mut self.server_slug,
            &mut self.what_i_needed,
            &mut self.what_i_tried,
            &mut self.suggestion,
            &mut self.user_goal,
            &mut self.agent_model,
            &mut self.session_id,
            &mut self.client_type,
        ]
        .into_iter()
    }
}

/// Cuts `text` to at most `max_bytes` bytes on a UTF-8 boundary, ending with
/// [`TRUNCATION_MARKER`] (when it fits). Returns whether it cut.
pub fn truncate_with_marker(text: &mut String, max_bytes: usize) -> bool {
    if text.len() <= max_bytes {
        return false;
    }
    truncate_with_marker_exact(text, max_bytes);
    true
}

/// Like [`truncate_with_marker`] but always marks, even when nothing is cut
/// beyond the marker's room (used when the payload as a whole must shrink).
fn truncate_with_marker_exact(text: &mut String, max_bytes: usize) {
    let marker = if max_bytes >= TRUNCATION_MARKER.len() {
        TRUNCATION_MARKER
    } else {
        ""
    };
    let mut cut = max_bytes.saturating_sub(marker.len()).min(text.len());
    // Index 0 is always a boundary, so this loop ends.
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text.push_str(marker);
}

/// Builds a payload from a tool call's arguments, leniently, like the
/// reference client: missing or non-string fields become `""`, non-string
/// entries of `tools_available` are dropped, an unknown or empty `gap_type`
/// becomes `other`, an unknown `resolution` is left out. The server slug comes
/// from `opts`, then `PATCHWORKMCP_SERVER_SLUG`, then `"unknown"`. The result
/// is within the caps.
///
/// For tool calls, prefer [`validate_arguments`](crate::validate_arguments),
/// which tells the agent what to fix instead of sending empty feedback.
///
/// ```
/// use patchwork_runtime::{GapType, Options, payload_from_args};
/// let args = serde_json::json!({"what_i_needed": "a search tool", "gap_type": "nonsense"});
/// let opts = Options { server_slug: Some("my-server".into()), ..Options::default() };
/// let payload = payload_from_args(&args, Some(&opts));
/// assert_eq!(payload.gap_type, GapType::Other);
/// assert_eq!(payload.what_i_tried, "");
/// assert_eq!(payload.server_slug, "my-server");
/// ```
pub fn payload_from_args(args: &Value, opts: Option<&Options>) -> FeedbackPayload {
    let slug = ResolvedOptions::resolve(opts).server_slug;
    lenient_payload(args, slug)
}

/// [`payload_from_args`] with the slug already resolved.
pub(crate) fn lenient_payload(args: &Value, server_slug: String) -> FeedbackPayload {
    let text = |key: &str| {
        args.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let tools_available = args
        .get("tools_available")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut payload = FeedbackPayload {
        server_slug,
        what_i_needed: text("what_i_needed"),
        what_i_tried: text("what_i_tried"),
        gap_type: GapType::from_str_lenient(&text("gap_type")),
        suggestion: text("suggestion"),
        user_goal: text("user_goal"),
        resolution: Resolution::from_str_opt(&text("resolution")),
        agent_model: text("agent_model"),
        session_id: text("session_id"),
        client_type: text("client_type"),
        tools_available,
    };
    payload.apply_caps();
    payload
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
    fn round_trips_through_json() {
        let payload = lenient_payload(
            &json!({"what_i_needed": "a\nb", "gap_type": "wrong_format", "resolution": "partial",
                    "tools_available": ["x", 1, "y"]}),
            "slug".into(),
        );
        assert_eq!(payload.tools_available, ["x", "y"]);
        let line = payload.to_json_line();
        assert!(!line.contains('\n'));
        assert_eq!(
            serde_json::from_str::<FeedbackPayload>(&line).unwrap(),
            payload
        );
    }

    #[test]
    fn unknown_and_empty_gap_types_are_other() {
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
    fn truncation_respects_utf8_and_marks_the_cut() {
        let mut text = "é".repeat(10_000); // 2 bytes each
        assert!(truncate_with_marker(&mut text, 101));
        assert!(text.len() <= 101);
        assert!(text.ends_with(TRUNCATION_MARKER));
        let mut short = "short".to_string();
        assert!(!truncate_with_marker(&mut short, 101));
        assert_eq!(short, "short");
    }

    #[test]
    fn caps_bound_fields_tools_and_total_size() {
        let huge = "🦀".repeat(100_000);
        let mut payload = FeedbackPayload {
            server_slug: "s".into(),
            what_i_needed: huge.clone(),
            what_i_tried: huge.clone(),
            suggestion: huge.clone(),
            user_goal: huge.clone(),
            agent_model: huge.clone(),
            session_id: huge.clone(),
            client_type: huge.clone(),
            tools_available: (0..500).map(|i| format!("tool_{i}_{huge}")).collect(),
            ..FeedbackPayload::default()
        };
        payload.apply_caps();
        assert!(payload.is_within_caps());
        assert_eq!(payload.tools_available.len(), MAX_TOOLS_AVAILABLE);
        assert!(payload.tools_available.last().unwrap().contains("451 more"));
        assert!(payload.what_i_needed.ends_with(TRUNCATION_MARKER));
    }

    #[test]
    fn escaping_heavy_text_still_fits_the_payload_cap() {
        let controls = "\u{1}".repeat(MAX_FIELD_BYTES); // 6 JSON bytes per raw byte
        let mut payload = FeedbackPayload {
            what_i_needed: controls.clone(),
            what_i_tried: controls.clone(),
            suggestion: controls,
            ..FeedbackPayload::default()
        };
        payload.apply_caps();
        assert!(payload.to_json_line().len() <= MAX_PAYLOAD_BYTES);
    }
}

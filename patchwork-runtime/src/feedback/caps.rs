//! The size caps that keep an agent from making the server store or send megabytes: each string to
//! [`MAX_FIELD_BYTES`], `tools_available` to [`MAX_TOOLS_AVAILABLE`] entries of [`MAX_TOOL_NAME_BYTES`], the
//! whole JSON to [`MAX_PAYLOAD_BYTES`]. Every cut is on a UTF-8 boundary and ends with [`TRUNCATION_MARKER`].

use super::FeedbackPayload;
use crate::contract::fields::{
    MAX_FIELD_BYTES, MAX_PAYLOAD_BYTES, MAX_TOOL_NAME_BYTES, MAX_TOOLS_AVAILABLE, TRUNCATION_MARKER,
};

impl FeedbackPayload {
    /// Whether the payload is within every cap.
    #[cfg(test)]
    pub(crate) fn is_within_caps(&self) -> bool {
        self.strings().all(|s| s.len() <= MAX_FIELD_BYTES)
            && self.tools_available.len() <= MAX_TOOLS_AVAILABLE
            && self
                .tools_available
                .iter()
                .all(|t| t.len() <= MAX_TOOL_NAME_BYTES)
            && self.to_json_line().len() <= MAX_PAYLOAD_BYTES
    }

    /// Cuts the payload down to the caps; returns how many `tools_available` entries were dropped (the list keeps
    /// only real names: the count travels in the `Patchwork-Tools-Dropped` header, never as an entry).
    pub(crate) fn apply_caps(&mut self) -> u64 {
        for field in self.strings_mut() {
            truncate_with_marker(field, MAX_FIELD_BYTES);
        }
        // Only whole, real names: an overlong name is left out rather than cut into a name no tool has.
        let listed = self.tools_available.len();
        self.tools_available
            .retain(|tool| tool.len() <= MAX_TOOL_NAME_BYTES);
        self.tools_available.truncate(MAX_TOOLS_AVAILABLE);
        self.shrink_to_payload_cap();
        // Past the cap with every text already cut (only JSON-escaping-heavy names get here): drop names too.
        while self.to_json_line().len() > MAX_PAYLOAD_BYTES && self.tools_available.pop().is_some()
        {
        }
        u64::try_from(listed - self.tools_available.len()).unwrap_or(u64::MAX)
    }

    /// Shortens the longest strings until the JSON fits. Each round either fits or empties one string, so the
    /// loop ends within (strings + 1) rounds.
    fn shrink_to_payload_cap(&mut self) {
        let rounds = 9;
        for _ in 0..rounds {
            let size = self.to_json_line().len();
            if size <= MAX_PAYLOAD_BYTES {
                return;
            }
            let overflow = size - MAX_PAYLOAD_BYTES;
            let Some(longest) = self.strings_mut().max_by_key(|s| s.len()) else {
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

    #[cfg(test)]
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

/// Cuts `text` to at most `max_bytes` bytes on a UTF-8 boundary, ending with [`TRUNCATION_MARKER`] (when it
/// fits). Returns whether it cut.
pub(crate) fn truncate_with_marker(text: &mut String, max_bytes: usize) -> bool {
    if text.len() <= max_bytes {
        return false;
    }
    truncate_with_marker_exact(text, max_bytes);
    true
}

/// Like [`truncate_with_marker`] but always marks, even when nothing is cut beyond the marker's room (used
/// when the payload as a whole must shrink).
fn truncate_with_marker_exact(text: &mut String, max_bytes: usize) {
    let marker = if max_bytes >= TRUNCATION_MARKER.len() {
        TRUNCATION_MARKER
    } else {
        ""
    };
    text.truncate(floor_char_boundary(
        text,
        max_bytes.saturating_sub(marker.len()),
    ));
    text.push_str(marker);
}

/// The smallest char boundary of `text` at or above `index` (at most `text.len()`).
pub(crate) fn ceil_char_boundary(text: &str, index: usize) -> usize {
    let mut cut = index.min(text.len());
    // `text.len()` is always a boundary, so this loop ends.
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    cut
}

/// The largest char boundary of `text` at or below `index` (the one cut every truncation uses).
pub(crate) fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut cut = index.min(text.len());
    // Index 0 is always a boundary, so this loop ends.
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let dropped = payload.apply_caps();
        assert!(payload.is_within_caps());
        assert!(
            payload.tools_available.is_empty(),
            "no name survives being cut: {:?}",
            payload.tools_available
        );
        assert_eq!(dropped, 500);
        let mut many = FeedbackPayload {
            tools_available: (0..500).map(|i| format!("tool_{i}")).collect(),
            ..FeedbackPayload::default()
        };
        assert_eq!(many.apply_caps(), 450);
        assert_eq!(many.tools_available.len(), MAX_TOOLS_AVAILABLE);
        assert_eq!(
            many.tools_available.last().map(String::as_str),
            Some("tool_49"),
            "only real names"
        );
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

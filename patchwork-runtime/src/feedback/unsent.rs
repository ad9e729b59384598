//! The `PATCHWORKMCP_UNSENT_FEEDBACK` line: feedback that could not be delivered or queued, written as one
//! stderr line that log stores keep and `patchwork-replay` parses back.
//!
//! Format: `PATCHWORKMCP_UNSENT_FEEDBACK reason=<reason> payload=<one-line JSON>`, with ` origin=signal` before
//! ` payload=` for a gap signal. The reason is a single token; the payload never holds the API key. This module
//! formats and parses the line; `delivery::unsent` writes it, with a typed `Reason`.

use super::{FeedbackPayload, Origin};

/// The prefix that makes unsent feedback greppable in any log store.
pub(crate) const UNSENT_PREFIX: &str = "PATCHWORKMCP_UNSENT_FEEDBACK";

/// The unsent line for `body` (the payload's JSON line), without a trailing newline. The reason is reduced
/// to one token (`[A-Za-z0-9_.:/-]`, others become `_`).
pub(crate) fn unsent_line(reason: &str, body: &str, origin: Origin) -> String {
    let origin = match origin {
        Origin::Report => "",
        Origin::Signal => SIGNAL_ORIGIN,
    };
    format!(
        "{UNSENT_PREFIX}{RECORD_REASON}{}{origin} payload={body}",
        reason_token(reason)
    )
}

/// What marks a gap signal's unsent line, between the reason and the payload.
const SIGNAL_ORIGIN: &str = " origin=signal";

/// Whether `line` holds an unsent record (whole or torn), also after a log store's prefix; patchwork's own log
/// lines that name the prefix do not.
pub(crate) fn is_unsent_record(line: &str) -> bool {
    line.match_indices(UNSENT_PREFIX)
        .any(|(at, _)| line[at + UNSENT_PREFIX.len()..].starts_with(RECORD_REASON))
}

/// What follows the prefix in an unsent record.
const RECORD_REASON: &str = " reason=";

/// Parses an unsent line, also when a log store put a timestamp or other prefix before it: its reason, its
/// payload, and the payload's JSON text as logged. `None` if the line holds no valid record.
pub(crate) fn parse_unsent_line(line: &str) -> Option<UnsentLine<'_>> {
    let start = line.find(UNSENT_PREFIX)?;
    let rest = line[start + UNSENT_PREFIX.len()..].strip_prefix(RECORD_REASON)?;
    let (reason, json) = rest.split_once(" payload=")?;
    let (reason, origin) = match reason.strip_suffix(SIGNAL_ORIGIN) {
        Some(reason) => (reason, Origin::Signal),
        None => (reason, Origin::Report),
    };
    let json = json.trim_end();
    let payload = serde_json::from_str(json).ok()?;
    Some(UnsentLine {
        reason,
        payload,
        json,
        origin,
    })
}

/// What an unsent line holds.
#[derive(Debug, PartialEq)]
pub(crate) struct UnsentLine<'a> {
    pub(crate) reason: &'a str,
    pub(crate) payload: FeedbackPayload,
    /// The payload's JSON text as logged.
    pub(crate) json: &'a str,
    pub(crate) origin: Origin,
}

fn reason_token(reason: &str) -> String {
    let token: String = reason
        .chars()
        .take(200)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.:/-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if token.is_empty() {
        "unknown".to_string()
    } else {
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_become_one_token_and_lines_parse_back() {
        let payload = FeedbackPayload {
            what_i_needed: "line one\nline two payload= reason=".into(),
            ..FeedbackPayload::default()
        };
        let line = unsent_line(
            "unreachable: connection refused payload=x",
            &payload.to_json_line(),
            Origin::Report,
        );
        assert_eq!(line.lines().count(), 1);
        let parsed = parse_unsent_line(&line).unwrap();
        assert_eq!(parsed.reason, "unreachable:_connection_refused_payload_x");
        assert_eq!(parsed.payload, payload);
        assert_eq!(parsed.json, payload.to_json_line());
        assert_eq!(parsed.origin, Origin::Report);
        let prefixed = format!("2025-01-01T00:00:00Z {line}");
        assert_eq!(parse_unsent_line(&prefixed), parse_unsent_line(&line));
    }

    #[test]
    fn a_signal_s_line_says_so_and_parses_back_as_a_signal() {
        let body = FeedbackPayload::default().to_json_line();
        let line = unsent_line("missing_api_key", &body, Origin::Signal);
        assert!(
            line.contains("reason=missing_api_key origin=signal payload={"),
            "{line}"
        );
        let parsed = parse_unsent_line(&line).unwrap();
        assert_eq!(
            (parsed.reason, parsed.origin),
            ("missing_api_key", Origin::Signal)
        );
        assert_eq!(parsed.json, body);
    }

    #[test]
    fn other_lines_do_not_parse() {
        assert_eq!(parse_unsent_line("hello"), None);
        assert_eq!(
            parse_unsent_line("PATCHWORKMCP_UNSENT_FEEDBACK reason=x payload={"),
            None
        );
    }
}

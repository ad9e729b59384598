//! A window's aggregate as a report in the contract's schema: the gap type of its kind, what was needed and what
//! was tried in words an author reads, the counts and times, the client when one made them all. Nothing an agent
//! wrote goes in but the target's name and, when the server opted in, a tool's error text; both are redacted
//! with the report.

use super::{Aggregate, SignalKind};
use crate::feedback::{FeedbackPayload, GapType};

/// The report for `aggregate`, for `slug`.
pub(crate) fn payload(aggregate: &Aggregate, slug: &str) -> FeedbackPayload {
    let Aggregate {
        kind,
        target,
        detail,
        count,
        ..
    } = aggregate;
    let calls = if *count == 1 { "call" } else { "calls" };
    let what_i_needed = match kind {
        SignalKind::UnknownTool => {
            format!("A tool named `{target}`: agents called it, and this server does not offer it.")
        }
        SignalKind::InvalidArguments => format!(
            "The tool `{target}` to accept the arguments agents sent: it refused them ({detail})."
        ),
        SignalKind::ToolError => format!("The tool `{target}` to succeed: it answered isError."),
        SignalKind::ResourceNotFound => {
            format!("The resource `{target}`: agents read it, and this server does not have it.")
        }
        SignalKind::PromptNotFound => {
            format!("The prompt `{target}`: agents asked for it, and this server does not have it.")
        }
    };
    let what_i_tried = format!(
        "patchwork gap signal {kind}: {count} {calls} from {first} to {last} (seen by the server, not written \
         by an agent).",
        kind = kind.as_str(),
        first = utc(aggregate.first_ms),
        last = utc(aggregate.last_ms),
    );
    // The error text of a tool error, when the server opted in; the class and path are already in the need.
    let suggestion = match kind {
        SignalKind::ToolError => detail.clone(),
        _ => String::new(),
    };
    FeedbackPayload {
        server_slug: slug.to_owned(),
        what_i_needed,
        what_i_tried,
        gap_type: kind.gap_type(detail),
        suggestion,
        client_type: aggregate.client.clone().unwrap_or_default(),
        ..FeedbackPayload::default()
    }
}

/// The report saying how many signals a full window could not itemise.
pub(crate) fn overflow_payload(overflow: u64, now_ms: u64, slug: &str) -> FeedbackPayload {
    FeedbackPayload {
        server_slug: slug.to_owned(),
        what_i_needed: format!(
            "{overflow} more gap signals than one window itemises (tools, prompts or resources agents could not \
             use)."
        ),
        what_i_tried: format!(
            "patchwork gap signal overflow: {overflow} signals in the window ending {} were counted, not \
             itemised.",
            utc(now_ms)
        ),
        gap_type: GapType::Other,
        ..FeedbackPayload::default()
    }
}

/// `ms` since the Unix epoch as an RFC 3339 UTC time to the second.
fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's civil-from-days, for days ≥ 0).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::super::{Signal, Window};
    use super::*;

    #[test]
    fn times_are_rfc_3339_utc() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_396_645_999), "2026-12-04T15:04:05Z");
    }

    #[test]
    fn a_report_names_kind_target_counts_and_times_and_never_a_placeholder_client() {
        let mut window = Window::default();
        let signal = Signal::new(SignalKind::UnknownTool, "search_docs", "", None);
        window.record(signal.clone(), 1_796_396_645_000);
        window.record(signal, 1_796_396_700_000);
        let aggregate = &window.take(1_796_396_700_000).aggregates[0];
        let payload = payload(aggregate, "docs");
        assert_eq!(payload.server_slug, "docs");
        assert_eq!(payload.gap_type, GapType::MissingTool);
        assert!(payload.what_i_needed.contains("`search_docs`"));
        assert_eq!(
            payload.what_i_tried,
            "patchwork gap signal unknown_tool: 2 calls from 2026-12-04T15:04:05Z to 2026-12-04T15:05:00Z \
             (seen by the server, not written by an agent)."
        );
        assert_eq!(payload.client_type, "");
        assert_eq!(payload.session_id, "");
        assert!(payload.tools_available.is_empty());
    }

    #[test]
    fn a_tool_error_s_opted_in_text_is_the_suggestion_and_arguments_say_class_and_path() {
        let mut window = Window::default();
        window.record(
            Signal::new(SignalKind::ToolError, "fetch", "upstream timed out", None),
            1,
        );
        window.record(
            Signal::new(
                SignalKind::InvalidArguments,
                "fetch",
                "invalid_type at url",
                Some("cursor/1".into()),
            ),
            1,
        );
        let taken = window.take(2);
        let error = payload(&taken.aggregates[0], "s");
        assert_eq!(error.suggestion, "upstream timed out");
        assert_eq!(error.gap_type, GapType::IncompleteResults);
        let refused = payload(&taken.aggregates[1], "s");
        assert!(refused.what_i_needed.contains("(invalid_type at url)"));
        assert_eq!(refused.suggestion, "");
        assert_eq!(refused.client_type, "cursor/1");
    }
}

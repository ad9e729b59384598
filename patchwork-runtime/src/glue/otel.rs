//! The OpenTelemetry side of MCP telemetry (feature `otel`): a request's span takes its parent from the W3C
//! `traceparent` (and `tracestate`) in the request's `_meta`, and each request's duration goes to the
//! `mcp.server.operation.duration` histogram of the global meter provider. Only the OpenTelemetry API: the
//! application chooses the SDK and the exporter.

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::metrics::Histogram;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::{Context, KeyValue};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::telemetry::{Answer, Call, OTHER};

/// The histogram's bucket boundaries in seconds (the GenAI conventions' advice for operation durations).
const BOUNDARIES: [f64; 14] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 300.0,
];

/// Makes the remote span of `traceparent` the parent of `span`. A malformed or all-zero value is ignored (W3C
/// Trace Context: the request then starts a new trace).
pub(crate) fn set_parent(span: &tracing::Span, traceparent: &str, tracestate: Option<&str>) {
    if let Some(remote) = parse_traceparent(traceparent, tracestate) {
        let _ = span.set_parent(Context::new().with_remote_span_context(remote));
    }
}

/// Links `span` to the context it was opened in (the conventions: the server span SHOULD link the current ambient
/// context), when that context has a valid span: under rmcp, the session's service loop; the span itself is a root
/// or the child of the `traceparent` (`telemetry::span`). Call after [`set_parent`] (both before the span starts).
pub(crate) fn link_ambient(span: &tracing::Span) {
    let ambient = tracing::Span::current().context();
    let ambient = ambient.span().span_context().clone();
    if ambient.is_valid() {
        span.add_link(ambient);
    }
}

/// A `traceparent` of version `00` (or a later version's first four fields): `00-<32 hex>-<16 hex>-<2 hex>`.
pub(crate) fn parse_traceparent(value: &str, tracestate: Option<&str>) -> Option<SpanContext> {
    let mut parts = value.trim().split('-');
    let (version, trace, span, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |text: &str, len: usize| {
        text.len() == len
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if !hex(version, 2) || version == "ff" || (version == "00" && parts.next().is_some()) {
        return None;
    }
    if !hex(trace, 32) || !hex(span, 16) || !hex(flags, 2) {
        return None;
    }
    let trace_id = TraceId::from_hex(trace).ok()?;
    let span_id = SpanId::from_hex(span).ok()?;
    if trace_id == TraceId::INVALID || span_id == SpanId::INVALID {
        return None;
    }
    let flags = TraceFlags::new(u8::from_str_radix(flags, 16).ok()? & 1);
    let state = tracestate
        .and_then(|s| s.parse::<TraceState>().ok())
        .unwrap_or_default();
    Some(SpanContext::new(trace_id, span_id, flags, true, state))
}

/// Records one request's duration with the conventions' metric attributes.
pub(crate) fn record_duration(call: &Call, answer: &Answer, elapsed: Duration) {
    histogram().record(elapsed.as_secs_f64(), &metric_attributes(call, answer));
}

/// The metric's attributes: the common ones and the server's status, never the session, the request id or a
/// resource's URI (high cardinality; the URI is opt-in in the conventions).
pub(crate) fn metric_attributes(call: &Call, answer: &Answer) -> Vec<KeyValue> {
    let mut attributes = vec![KeyValue::new("mcp.method.name", call.method.clone())];
    let mut add = |key: &'static str, value: Option<String>| {
        if let Some(value) = value {
            attributes.push(KeyValue::new(key, value));
        }
    };
    // A name the server does not offer is counted as `_OTHER`: clients cannot make series at will.
    let target = |name: &Option<String>| {
        name.as_ref().map(|name| {
            if answer.unknown_target {
                OTHER.to_owned()
            } else {
                name.clone()
            }
        })
    };
    add("gen_ai.tool.name", target(&call.tool));
    add("gen_ai.prompt.name", target(&call.prompt));
    add(
        "gen_ai.operation.name",
        call.tool.as_ref().map(|_| "execute_tool".to_owned()),
    );
    add(
        "mcp.protocol.version",
        answer
            .protocol_version
            .clone()
            .or_else(|| call.protocol_version.clone()),
    );
    add("error.type", answer.error_type.clone());
    add(
        "rpc.response.status_code",
        answer.code.map(|code| code.to_string()),
    );
    if let Some(version) = call.http_version {
        add("network.transport", Some("tcp".to_owned()));
        add("network.protocol.name", Some("http".to_owned()));
        add("network.protocol.version", Some(version.to_owned()));
    }
    attributes
}

/// The histogram, made on first use from the global meter provider: set the provider before the server serves.
fn histogram() -> &'static Histogram<f64> {
    static HISTOGRAM: OnceLock<Histogram<f64>> = OnceLock::new();
    HISTOGRAM.get_or_init(|| {
        opentelemetry::global::meter("patchwork-runtime")
            .f64_histogram("mcp.server.operation.duration")
            .with_unit("s")
            .with_description(
                "MCP request or notification duration as observed on the receiver from the time it was received \
                 until the result or ack is sent.",
            )
            .with_boundaries(BOUNDARIES.to_vec())
            .build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparents_parse_by_the_w3c_rules() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let parsed = parse_traceparent(good, Some("vendor=x")).expect("valid");
        assert_eq!(
            parsed.trace_id(),
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
        );
        assert_eq!(
            parsed.span_id(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap()
        );
        assert!(parsed.is_sampled());
        assert!(parsed.is_remote());
        assert_eq!(parsed.trace_state().get("vendor"), Some("x"));
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        ] {
            assert_eq!(parse_traceparent(bad, None), None, "{bad}");
        }
        let later = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future";
        assert!(
            !parse_traceparent(later, None)
                .expect("a later version")
                .is_sampled()
        );
    }
}

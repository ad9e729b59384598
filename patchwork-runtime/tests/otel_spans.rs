//! The spans of a watched rmcp server against the OpenTelemetry conventions for MCP (`mcp.server`), attribute by
//! attribute: each request of a scenario (every kind of answer a server gives) is exported through
//! `tracing-opentelemetry` to the SDK's in-memory exporter and checked against our extract of the conventions
//! (`otel/mcp_conventions.json`), with what the client saw as the oracle. The subscriber is set per test
//! (`set_default`, on the test's current-thread runtime, where the server's tasks run too), never globally.
#![cfg(feature = "otel")]

mod common;
mod otel;

use std::collections::BTreeSet;

use opentelemetry::trace::{SpanId, SpanKind, Status, TraceId, TracerProvider as _};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use otel::{Conventions, Seen, Step};
use serde_json::json;
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

/// Spans exported to memory while the guard lives. The layer adds nothing of its own (no code location, thread,
/// target or busy time), so every attribute checked is one the watcher wrote; it takes only the watcher's spans
/// (target `patchwork_runtime::mcp`), not rmcp's own.
struct Exported {
    exporter: InMemorySpanExporter,
    _provider: SdkTracerProvider,
    _guard: DefaultGuard,
}

impl Exported {
    fn start() -> Self {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("otel-spans-test"))
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false)
            .with_filter(
                Targets::new().with_target("patchwork_runtime::mcp", tracing::Level::TRACE),
            );
        let guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
        Self {
            exporter,
            _provider: provider,
            _guard: guard,
        }
    }

    fn spans(&self) -> Vec<SpanData> {
        self.exporter
            .get_finished_spans()
            .expect("the exported spans")
    }
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn text(span: &SpanData, key: &str) -> Option<String> {
    attribute(span, key).map(|value| match value {
        Value::String(s) => s.to_string(),
        other => panic!("{key} is not a string: {other:?} on {}", span.name),
    })
}

/// One span against the conventions and against what the client saw of its request.
fn check(conventions: &Conventions, span: &SpanData, step: &Step, version: &str) {
    let at = format!("span {:?} for {step:?}", span.name);
    assert_eq!(
        conventions.span.kind, "server",
        "the extract is the server span's"
    );
    assert_eq!(span.span_kind, SpanKind::Server, "{at}");

    // Every key is the conventions' or ours, each appears once, and each has the registry's type.
    let keys: Vec<&str> = span.attributes.iter().map(|kv| kv.key.as_str()).collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "a key twice: {keys:?} ({at})");
    for KeyValue { key, value, .. } in &span.attributes {
        assert!(
            conventions.span_allows(key.as_str()),
            "{key} is neither the conventions' nor patchwork.* ({at})"
        );
        let wanted = conventions
            .span
            .attributes
            .get(key.as_str())
            .and_then(|a| a.value_type.as_deref())
            .unwrap_or("string");
        let is = match value {
            Value::String(_) => "string",
            Value::I64(_) => "int",
            Value::F64(_) => "double",
            Value::Bool(_) => "boolean",
            _ => "array",
        };
        assert!(
            wanted == is || wanted == "any",
            "{key} is {is}, the conventions say {wanted} ({at})"
        );
    }

    // Requirement levels: required always; conditionally required exactly when the condition holds; a recommended
    // attribute with a condition of its own (gen_ai.operation.name) only then, with the one value allowed.
    for (key, rule) in &conventions.span.attributes {
        let present = attribute(span, key).is_some();
        match (rule.requirement.as_str(), rule.when.as_deref()) {
            ("required", _) => assert!(present, "required {key} missing ({at})"),
            ("conditionally_required", Some(when)) | ("recommended", Some(when)) => assert_eq!(
                present,
                conventions.holds(when, step),
                "{key} ({} when {when}) ({at})",
                rule.requirement
            ),
            _ => {}
        }
        if let (Some(value), true) = (&rule.value, present) {
            assert_eq!(text(span, key).as_ref(), Some(value), "{key} ({at})");
        }
    }

    // The values.
    let method = text(span, "mcp.method.name").expect("mcp.method.name");
    assert!(
        conventions.methods.contains(&method),
        "{method} is not a member of mcp.method.name ({at})"
    );
    assert_eq!(method, step.method, "{at}");
    let target = conventions
        .span
        .name
        .targets
        .iter()
        .find_map(|key| text(span, key));
    assert_eq!(target, step.target, "the tool or prompt named ({at})");
    let name = match &target {
        Some(target) => format!("{method} {target}"),
        None => method.clone(),
    };
    assert_eq!(span.name, name, "{{mcp.method.name}} {{target}} ({at})");
    assert_eq!(text(span, "mcp.resource.uri"), step.resource, "{at}");
    assert_eq!(
        text(span, "error.type"),
        conventions.error_type(step),
        "{at}"
    );
    let code = match &step.seen {
        Seen::Error { code, .. } => Some(code.to_string()),
        Seen::Result { .. } => None,
    };
    assert_eq!(text(span, "rpc.response.status_code"), code, "{at}");
    assert_eq!(
        text(span, "mcp.protocol.version").as_deref(),
        Some(version),
        "the version used, as negotiated ({at})"
    );
    assert_eq!(
        text(span, "mcp.session.id"),
        None,
        "no session in process ({at})"
    );
    assert_eq!(
        text(span, "patchwork.client.name").as_deref(),
        Some("otel-test-client"),
        "{at}"
    );
    assert_eq!(
        text(span, "patchwork.client.version").as_deref(),
        Some("4.5.6"),
        "{at}"
    );

    // Status: ERROR iff error.type, described by the JSON-RPC message when there is one, redacted (the client saw
    // the server's own text; a span is the operator's and never holds what the user wrote unredacted).
    let expected = match (conventions.error_type(step), &step.seen) {
        (None, _) => Status::Unset,
        (Some(_), Seen::Error { message, .. }) => {
            Status::error(message.replace("ana@example.com", "[REDACTED:email]"))
        }
        (Some(_), Seen::Result { .. }) => Status::error(""),
    };
    assert_eq!(span.status, expected, "{at}");
}

#[tokio::test]
async fn every_span_follows_the_mcp_server_conventions_attribute_by_attribute() {
    let conventions = Conventions::load();
    let exported = Exported::start();
    let client = otel::connect().await;
    let steps = otel::scenario(&client).await;
    let version = otel::negotiated(&client);
    client.cancel().await.expect("the client stops");

    // The scenario has every kind of answer the conventions tell apart.
    let seen: Vec<&Seen> = steps.iter().map(|s| &s.seen).collect();
    assert!(seen.contains(&&Seen::Result { is_error: true }));
    assert!(
        steps
            .iter()
            .any(|s| conventions.error_type(s).is_some() && matches!(s.seen, Seen::Error { .. }))
    );
    assert!(
        steps
            .iter()
            .any(|s| conventions.error_type(s).is_none() && matches!(s.seen, Seen::Error { .. }))
    );

    let spans = exported.spans();
    assert_eq!(
        spans
            .iter()
            .map(|s| s.name.to_string())
            .collect::<Vec<_>>()
            .len(),
        steps.len(),
        "one span per request: {:#?}",
        spans.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    for (span, step) in spans.iter().zip(&steps) {
        check(&conventions, span, step, &version);
    }
    let ids: BTreeSet<String> = spans
        .iter()
        .map(|s| text(s, "jsonrpc.request.id").expect("an id"))
        .collect();
    assert_eq!(ids.len(), spans.len(), "each request its own id: {ids:?}");
}

#[tokio::test]
async fn a_traceparent_in_meta_makes_the_span_a_child_of_the_remote_span() {
    let exported = Exported::start();
    let client = otel::connect().await;
    let malformed = "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01";
    let steps = [
        otel::call(
            &client,
            "add",
            json!({"a": 1, "b": 2}),
            Some(otel::TRACEPARENT),
        )
        .await,
        otel::call(&client, "add", json!({"a": 1, "b": 2}), Some(malformed)).await,
        otel::call(&client, "add", json!({"a": 1, "b": 2}), None).await,
    ];
    client.cancel().await.expect("the client stops");

    let spans: Vec<SpanData> = exported
        .spans()
        .into_iter()
        .filter(|s| s.name != "initialize")
        .collect();
    assert_eq!(spans.len(), steps.len());
    let remote_trace = TraceId::from_hex(otel::TRACE_ID).unwrap();
    let (child, malformed, plain) = (&spans[0], &spans[1], &spans[2]);
    let context = &child.span_context;
    assert_eq!(context.trace_id(), remote_trace, "the remote trace");
    assert_eq!(
        child.parent_span_id,
        SpanId::from_hex(otel::PARENT_SPAN_ID).unwrap(),
        "the remote span is the parent"
    );
    assert!(child.parent_span_is_remote);
    assert!(context.is_sampled(), "the parent's sampled flag");
    assert_eq!(
        context.trace_state().header(),
        otel::TRACESTATE,
        "the tracestate travels with the trace"
    );
    // An all-zero parent id is invalid (W3C Trace Context): the request starts a trace of its own, as one without.
    for span in [malformed, plain] {
        assert_ne!(span.span_context.trace_id(), remote_trace);
        assert_eq!(span.parent_span_id, SpanId::INVALID, "a root span");
    }
}

//! Helpers shared by the runtime's integration tests (public API only).
#![allow(dead_code)]

pub mod calc;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{Builder, FeedbackPayload, GapType, RetryPolicy};

/// A string unique to this call, to find a test's own lines among parallel tests'.
pub fn marker(test: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{test}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A payload whose `what_i_needed` is `marker`.
pub fn payload(marker: &str) -> FeedbackPayload {
    FeedbackPayload {
        server_slug: "test-server".into(),
        what_i_needed: marker.to_string(),
        what_i_tried: "searched every tool".into(),
        gap_type: GapType::MissingTool,
        tools_available: vec!["search".into(), "fetch".into()],
        ..FeedbackPayload::default()
    }
}

/// The reference policy with short waits and request timeouts, for tests that only count attempts.
pub fn fast_reference() -> RetryPolicy {
    RetryPolicy::reference()
        .with_request_timeout(Duration::from_millis(400))
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(20))
}

/// A client of `collector` (slug `test-server`) with no outbox and [`fast_reference`] for awaited sends.
pub fn client_of(collector: &Collector) -> Builder {
    collector
        .patchwork("test-server")
        .no_outbox()
        .await_retry(fast_reference())
}

/// A `tracing` subscriber that writes every event (message and fields) into a shared string, so tests can
/// search diagnostics for secrets.
#[derive(Clone, Default)]
pub struct TextSubscriber {
    pub text: Arc<Mutex<String>>,
    next_id: Arc<AtomicUsize>,
}

struct FieldText<'a>(&'a mut String);

impl tracing::field::Visit for FieldText<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for TextSubscriber {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut text = self.text.lock().unwrap();
        span.record(&mut FieldText(&mut text));
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) as u64 + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut FieldText(&mut self.text.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = self.text.lock().unwrap();
        event.record(&mut FieldText(&mut text));
        text.push('\n');
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

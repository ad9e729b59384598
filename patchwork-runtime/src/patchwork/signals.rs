//! The client's side of gap signals: each one is redacted and written as a `tracing` event at once, counted in
//! the open window, and, when the window closes (after the configured time, at [`Patchwork::flush`] or when the
//! [`Guard`](super::Guard) drops), reported through the outbox and the background worker like an agent's report,
//! marked as a signal. Only in [`Mode::Live`] with delivery on; dry runs log the reports they would send.

use std::sync::{Arc, Mutex, Weak};

use super::{Inner, Patchwork};
use crate::config::signals::SignalSettings;
use crate::config::{Layer, Mode};
use crate::feedback::redact::Filled;
use crate::feedback::{Origin, Prepared};
use crate::outbox::now_ms;
use crate::signals::{Signal, Window, overflow_payload, payload};
use crate::sync::lock;

/// The client's signal settings and open window.
#[derive(Debug)]
pub(super) struct Signals {
    pub(super) settings: SignalSettings,
    window: Mutex<Window>,
}

impl Signals {
    pub(super) fn new(settings: SignalSettings) -> Self {
        Self {
            settings,
            window: Mutex::new(Window::default()),
        }
    }
}

// Recording is the rmcp watcher's (feature `rmcp`); closing the window is every client's.
#[cfg_attr(not(feature = "rmcp"), allow(dead_code))]
impl Patchwork {
    /// Whether a `tool_error` signal carries the tool's error text (`Builder::signal_error_text`).
    pub(crate) fn signal_error_text(&self) -> bool {
        self.inner.signals.settings.error_text
    }

    /// `text` redacted with this client's rules (a resource's URI in a telemetry span).
    pub(crate) fn redact_for_telemetry(&self, text: &str) -> String {
        let destination = self.inner.destination(&Layer::default());
        self.redaction(None, &destination).redact(text)
    }

    /// Records one gap signal the watcher saw: redacted, logged at debug, counted; the first of a window
    /// schedules its close.
    pub(crate) fn signal(&self, mut signal: Signal) {
        let destination = self.inner.destination(&Layer::default());
        let redaction = self.redaction(None, &destination);
        signal.target = redaction.redact(&signal.target);
        signal.detail = redaction.redact(&signal.detail);
        tracing::debug!(
            target: "patchwork_runtime::signals",
            kind = signal.kind.as_str(),
            target_name = %signal.target,
            detail = %signal.detail,
            "gap signal"
        );
        if self.inner.mode == Mode::Off {
            return;
        }
        let opened = lock(&self.inner.signals.window).record(signal, now_ms());
        if opened {
            self.schedule_window_close();
        }
    }

    /// On a host that may freeze after the reply ([`Builder::deliver_before_reply`](super::Builder)), a window
    /// open in memory would be lost with the instance: there the signals of a request are stored in the outbox
    /// before the watcher answers (each then its own report, within the hourly rate). Elsewhere nothing.
    pub(crate) async fn settle_signals_before_reply(&self) {
        if self.inner.before_reply.is_none() || lock(&self.inner.signals.window).is_empty() {
            return;
        }
        let this = self.clone();
        // Storing fsyncs files: off the runtime's worker threads.
        let _ = tokio::task::spawn_blocking(move || this.close_signal_window()).await;
    }

    /// Closes the window after the configured time, on the background worker's runtime, which lives as long as the
    /// client (the caller's may end first), else the caller's; with neither, at the next flush or the guard's drop.
    fn schedule_window_close(&self) {
        let runtime = self
            .inner
            .reporter
            .background()
            .map(|(runtime, _)| runtime)
            .or_else(|| tokio::runtime::Handle::try_current().ok());
        let Some(runtime) = runtime else {
            tracing::debug!(
                "no runtime to close the signal window on; it closes at the next flush"
            );
            return;
        };
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let window = self.inner.signals.settings.window;
        runtime.spawn(async move {
            tokio::time::sleep(window).await;
            if let Some(inner) = weak.upgrade() {
                let patchwork = Patchwork { inner };
                // Storing fsyncs files: off the runtime's worker threads.
                let _ = tokio::task::spawn_blocking(move || patchwork.close_signal_window()).await;
            }
        });
    }

    /// Closes the open window: each aggregate is logged at info and, in live mode with delivery on, reported
    /// through the outbox marked as a signal. What the caps held back is said at warn.
    pub(crate) fn close_signal_window(&self) {
        let now = now_ms();
        let taken = lock(&self.inner.signals.window).take(now);
        if taken.over_rate > 0 {
            tracing::warn!(
                target: "patchwork_runtime::signals",
                held_back = taken.over_rate,
                "more gap signals than the hourly rate allows; these were counted here and not reported"
            );
        }
        let destination = self.inner.destination(&Layer::default());
        let settings = &destination.settings;
        let slug = settings.slug_or_default();
        let overflow = (taken.overflow > 0).then(|| overflow_payload(taken.overflow, now, slug));
        let reports = taken
            .aggregates
            .iter()
            .inspect(|aggregate| {
                tracing::info!(
                    target: "patchwork_runtime::signals",
                    kind = aggregate.kind.as_str(),
                    target_name = %aggregate.target,
                    detail = %aggregate.detail,
                    count = aggregate.count,
                    "gap signals in the last window"
                );
            })
            .map(|aggregate| payload(aggregate, slug))
            .chain(overflow);
        let deliver = self.inner.signals.settings.deliver;
        let redaction = self.redaction(None, &destination);
        for report in reports {
            let Some(mut prepared) = Prepared::screened(report, &redaction, Filled::default())
            else {
                continue;
            };
            prepared.origin = Origin::Signal;
            match self.inner.mode {
                Mode::Live if deliver => {
                    self.inner.reporter.submit_blocking(&prepared, &destination);
                }
                Mode::DryRun => {
                    tracing::info!(payload = %prepared.body, "dry run: gap signal report checked, not sent");
                }
                Mode::Live | Mode::Off => {}
            }
        }
    }
}

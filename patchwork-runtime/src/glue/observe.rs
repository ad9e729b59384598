//! The watcher: [`observe`] wraps any rmcp server (a `ServerHandler`) in one line.
//! Every request passes to the server unchanged and its answer comes back unchanged; on the way the watcher opens
//! the request's telemetry span (`telemetry.rs`) and classifies the answer into gap signals: a tool the server
//! does not offer, arguments a tool refused, a tool result with `isError: true`, a resource or prompt not found.
//!
//! Split by concern: this file holds the type and what every method does around the server's answer (the span,
//! recording a signal); `delegate.rs` the `ServerHandler` impl that hands each method to the server; `classify.rs`
//! what an answer says (not found, refused arguments and their class and path).

mod classify;
mod delegate;

use std::future::Future;
use std::time::Instant;

use ::rmcp::{ErrorData, ServerHandler};
use tracing::Instrument;

use super::telemetry::{self, Answer, Call};
use crate::patchwork::Patchwork;
use crate::signals::{Signal, SignalKind};

/// Longest text of the client's (a resource's URI, an unknown name, an error message) put on a span, in bytes.
const MAX_TEXT_BYTES: usize = 500;

/// An rmcp server watched by patchwork: the same replies and errors, plus gap signals and MCP telemetry. Made by
/// [`observe`]; serve it as the server itself (it is a `ServerHandler`, over stdio and streamable HTTP).
///
/// ```
/// # #[derive(Clone)] struct Calc;
/// # impl rmcp::ServerHandler for Calc {}
/// use patchwork_runtime::rmcp::{Observed, observe};
/// let watched: Observed<Calc> = observe(Calc); // serve it where you served `Calc`
/// ```
#[derive(Clone)]
pub struct Observed<S> {
    server: S,
    patchwork: Option<Patchwork>,
}

impl<S> std::fmt::Debug for Observed<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observed").finish_non_exhaustive()
    }
}

/// Wraps `server` so that patchwork hears what agents do not say: calls of tools the server does not offer,
/// arguments a tool refused (the tool, the error's class and the field's path, never the values), tool results
/// with `isError: true`, resources and prompts not found. They go to PatchworkMCP aggregated per window through
/// the installed client ([`Builder::signals`](crate::Builder::signals) and `PATCHWORKMCP_SIGNALS` switch that off)
/// and are always written as `tracing` events. Each request also gets a span by the OpenTelemetry conventions for
/// MCP (see the README's "Signals and telemetry").
///
/// What the client sees does not change: the same replies, the same errors.
///
/// ```no_run
/// # #[derive(Clone)] struct Calc;
/// # impl rmcp::ServerHandler for Calc {}
/// use rmcp::ServiceExt;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let _guard = patchwork_runtime::Patchwork::builder().slug("calc").install();
/// patchwork_runtime::rmcp::observe(Calc).serve(rmcp::transport::stdio()).await?.waiting().await?;
/// # Ok(()) }
/// ```
#[must_use = "serve the watched server: `observe(server).serve(transport)`"]
pub fn observe<S: ServerHandler>(server: S) -> Observed<S> {
    Observed {
        server,
        patchwork: None,
    }
}

impl<S: 'static> Observed<S> {
    /// Reports signals through `patchwork` instead of the process-wide client (tests; several services in one
    /// process).
    ///
    /// ```no_run
    /// # #[derive(Clone)] struct Calc;
    /// # impl rmcp::ServerHandler for Calc {}
    /// use patchwork_runtime::Patchwork;
    /// let client = Patchwork::builder().slug("calc").signals(true).build();
    /// let watched = patchwork_runtime::rmcp::observe(Calc).with_client(client);
    /// # let _ = watched;
    /// ```
    #[must_use]
    pub fn with_client(mut self, patchwork: Patchwork) -> Self {
        self.patchwork = Some(patchwork);
        self
    }

    /// The watched server.
    ///
    /// ```
    /// # #[derive(Clone)] struct Calc { precision: u32 }
    /// # impl rmcp::ServerHandler for Calc {}
    /// let watched = patchwork_runtime::rmcp::observe(Calc { precision: 6 });
    /// assert_eq!(watched.server().precision, 6);
    /// ```
    pub fn server(&self) -> &S {
        &self.server
    }

    fn patchwork(&self) -> &Patchwork {
        self.patchwork
            .as_ref()
            .unwrap_or_else(|| Patchwork::global())
    }

    /// Runs `future` (the watched server's answer) inside the request's span; the request's resource URI goes on the
    /// span redacted.
    async fn traced<T>(
        &self,
        call: &Call,
        future: impl Future<Output = Result<T, ErrorData>>,
        answer: impl FnOnce(&Result<T, ErrorData>) -> Answer,
    ) -> Result<T, ErrorData> {
        let span = telemetry::span(call);
        // What the client wrote goes on the span redacted, and only when a subscriber records the span.
        let redact = |text: &str| {
            let mut text = self.patchwork().redact_for_telemetry(text);
            text.truncate(crate::feedback::caps::floor_char_boundary(
                &text,
                MAX_TEXT_BYTES,
            ));
            text
        };
        if let (false, Some(uri)) = (span.is_disabled(), &call.resource) {
            span.record("mcp.resource.uri", redact(uri));
        }
        #[cfg(feature = "otel")]
        {
            if let Some(traceparent) = &call.traceparent {
                super::otel::set_parent(&span, traceparent, call.tracestate.as_deref());
            }
            super::otel::link_ambient(&span);
        }
        let started = Instant::now();
        let result = future.instrument(span.clone()).await;
        let mut answer = answer(&result);
        if !span.is_disabled() {
            answer.message = answer.message.as_deref().map(redact);
        }
        telemetry::record(&span, call, &answer, started.elapsed());
        result
    }

    /// Records a gap signal of `kind` about `target` through the client.
    fn signal(&self, call: &Call, kind: SignalKind, target: &str, detail: &str) {
        let client = call
            .client_name
            .as_ref()
            .map(|name| match &call.client_version {
                Some(version) => format!("{name}/{version}"),
                None => name.clone(),
            });
        self.patchwork()
            .signal(Signal::new(kind, target, detail, client));
    }

    /// What the client does with signals before the reply (stores them at once on hosts that freeze after it).
    async fn settle(&self) {
        self.patchwork().settle_signals_before_reply().await;
    }
}

#[cfg(test)]
mod tests;

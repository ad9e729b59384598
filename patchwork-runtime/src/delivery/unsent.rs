//! Writing the unsent line: feedback that was neither delivered nor queued goes to stderr as one
//! `PATCHWORKMCP_UNSENT_FEEDBACK` line (formatted by `feedback::unsent`), with the typed [`Reason`] it was kept for.

use std::sync::OnceLock;

use super::Reason;
use crate::feedback::Origin;
use crate::feedback::unsent::{UNSENT_PREFIX, unsent_line};

/// Something that sees every unsent line (the `testing` kit's capture).
pub(crate) type Observer = fn(&str);

static OBSERVER: OnceLock<Observer> = OnceLock::new();

/// Installs the process's one observer of unsent lines (later calls are ignored).
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn observe(observer: Observer) {
    let _ = OBSERVER.set(observer);
}

/// Writes the unsent line for `body` to stderr (exactly one line), kept for `reason`, and reports it through
/// `tracing`. Never panics, even if stderr is closed.
pub(crate) fn log_unsent(reason: &Reason, body: &str, origin: Origin) {
    let token = reason.token();
    let line = unsent_line(&token, body, origin);
    tracing::warn!(
        target: "patchwork_runtime::unsent",
        reason = %token,
        "feedback kept as unsent; replay it from the {UNSENT_PREFIX} stderr line"
    );
    write_line(&line);
    if let Some(observer) = OBSERVER.get() {
        observer(&line);
    }
}

/// Writes `line` to stderr. A failed write has nowhere better to go.
#[cfg(not(any(test, feature = "test-util")))]
fn write_line(line: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
    let _ = stderr.flush();
}

/// With the test kit: through the standard error macro, which a test harness captures (the line shows with a
/// failing test's output, not among every passing test's), and which writes to stderr when nothing captures it.
#[cfg(any(test, feature = "test-util"))]
fn write_line(line: &str) {
    eprintln!("{line}");
}

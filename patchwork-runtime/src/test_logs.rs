//! What unit tests read of the logs (`cfg(test)` only): everything logged on the test's thread while a capture
//! lives, as plain text lines (`tracing`'s fmt layer, no colours). One helper for every unit test that asserts a
//! log line.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tracing::subscriber::DefaultGuard;

/// The captured text; read it with [`Logs::lines`], or wait for a line with [`Logs::wait_for`].
#[derive(Clone, Default)]
pub(crate) struct Logs(Arc<(Mutex<Vec<u8>>, Condvar)>);

fn text_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_owned)
        .collect()
}

impl Logs {
    /// Every line logged so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        text_lines(&self.0.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Blocks until a line containing `needle` is logged (by any thread logging into this capture), for at most
    /// `timeout`: that line, or `None`.
    pub(crate) fn wait_for(&self, needle: &str, timeout: Duration) -> Option<String> {
        let start = Instant::now();
        let (text, written) = &*self.0;
        let mut bytes = text.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(line) = text_lines(&bytes).into_iter().find(|l| l.contains(needle)) {
                return Some(line);
            }
            let left = timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                return None;
            }
            bytes = written
                .wait_timeout(bytes, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The lines logged at warn so far.
    pub(crate) fn warnings(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|line| line.contains(" WARN "))
            .collect()
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        self.0.1.notify_all();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures what this thread logs at `level` and above while the guard lives.
pub(crate) fn capture(level: tracing::Level) -> (Logs, DefaultGuard) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(level)
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}

/// Runs `run`, returning its result and the lines it logged at info and above.
pub(crate) fn logged<T>(run: impl FnOnce() -> T) -> (T, Vec<String>) {
    let (logs, guard) = capture(tracing::Level::INFO);
    let result = run();
    drop(guard);
    (result, logs.lines())
}

//! A subscriber the application installs after building the client still gets the background worker's lines (its
//! deliveries, the line at start): the worker must not keep tracing's no-op dispatcher of the moment it started. Its own
//! test binary, since it sets the process's global subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{FeedbackPayload, Outcome};

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn text(&self) -> String {
        String::from_utf8_lossy(
            &self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_owned()
    }
}

#[tokio::test]
async fn a_subscriber_installed_after_the_client_gets_the_workers_lines() {
    let collector = Collector::start().expect("collector");
    let outbox = tempfile::tempdir().expect("outbox");
    // Built while no subscriber is installed (no heartbeat: its answer could come before the subscriber).
    let patchwork = collector
        .patchwork("late")
        .outbox_dir(outbox.path())
        .build();
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("patchwork_runtime=debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");

    // Recorded after the subscriber is installed, so the worker's first delivery is logged after it too.
    let queued = patchwork
        .enqueue(&FeedbackPayload {
            what_i_needed: "through the worker".into(),
            what_i_tried: "enqueue".into(),
            ..FeedbackPayload::default()
        })
        .await;
    assert!(matches!(queued, Outcome::Queued), "{queued:?}");
    assert!(patchwork.flush(Duration::from_secs(10)).await.settled());
    let text = lines.text();
    assert!(
        text.contains("PatchworkMCP accepted the first feedback report of this run"),
        "the worker's line about its first delivery reaches the late subscriber:\n{text}"
    );
}

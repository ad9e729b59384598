//! The optional heartbeat: tells the service the server is alive and which tools it has.
//!
//! `POST {url}/api/v1/heartbeat/` with `{"server_slug", "tool_count", "tool_names"}`: once at
//! start, then every interval (60 s by default) with ±10% jitter so a fleet started together does
//! not beat together. It runs on the background reporter's own runtime thread, so it works from
//! sync code and from any async runtime and never panics for the lack of one. Without an API key
//! or a slug it does not start and says nothing; failures are only logged. Its first answer is the self-check
//! at start: one line saying whether the service accepted the key and the slug (`self_check.rs`).

use std::time::Duration;

use tokio::sync::oneshot;

use super::Patchwork;
use super::self_check::{Acceptance, heartbeat_body, heartbeat_request};
use crate::config::{Layer, Options, Settings};
use crate::contract::texts::HEARTBEAT_PATH;
use crate::delivery::{Attempt, Target};
use crate::random::random_u64;
use crate::reporter::Reporter;

/// The reference interval between beats.
pub(crate) const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(60);

/// Stops a running heartbeat. Dropping the handle leaves the heartbeat running.
///
/// ```no_run
/// # async fn demo() {
/// let tools = vec!["forecast".to_string(), "feedback".to_string()];
/// if let Some(heartbeat) = patchwork_runtime::start_heartbeat(None, tools) {
///     // ... serve ...
///     heartbeat.stop().await; // or let it run as long as the process
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct HeartbeatHandle {
    stop: Option<oneshot::Sender<()>>,
    done: Option<oneshot::Receiver<()>>,
}

impl HeartbeatHandle {
    /// Stops the heartbeat (a beat in flight is abandoned) and waits until its task has ended;
    /// true when it has, so no beat starts after this returns (false if the reporter's
    /// runtime is gone). Needs no tokio runtime: any executor can await it.
    ///
    /// ```no_run
    /// # async fn demo(heartbeat: patchwork_runtime::HeartbeatHandle) {
    /// assert!(heartbeat.stop().await); // no beat starts after this
    /// # }
    /// ```
    pub async fn stop(mut self) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.done.take() {
            Some(done) => done.await.is_ok(),
            None => true,
        }
    }

    /// Asks the heartbeat to stop without waiting (for sync code).
    ///
    /// ```no_run
    /// # fn demo(heartbeat: patchwork_runtime::HeartbeatHandle) {
    /// heartbeat.stop_now(); // from a signal handler or a `Drop` impl
    /// # }
    /// ```
    pub fn stop_now(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the heartbeat with the reference interval on the process-wide client's worker. `options` win over
/// the installed [`Builder`](crate::Builder)'s settings and the environment; `tool_names` should be the
/// server's real tool list (for rmcp: the names in `Self::tool_router().list_all()`). `None` when feedback is not
/// live (said at debug), or when no API key or slug is configured (said at warn, with what is missing). It sees the
/// installed client's settings and the environment, not an attribute's: with the slug only in
/// `#[patchwork_feedback(slug = ..)]`, start the heartbeat from the generated builder instead
/// (`Self::patchwork_builder().heartbeat(tool_names).install()`) or pass the slug in `options`.
///
/// ```no_run
/// # fn demo() {
/// let handle = patchwork_runtime::start_heartbeat(None, vec!["search".into(), "feedback".into()]);
/// # drop(handle);
/// # }
/// ```
pub fn start_heartbeat(
    options: Option<&Options>,
    tool_names: Vec<String>,
) -> Option<HeartbeatHandle> {
    let patchwork = Patchwork::global();
    if patchwork.mode() != crate::Mode::Live {
        tracing::debug!(mode = ?patchwork.mode(), "heartbeat not started");
        return None;
    }
    let layer = options.map(Layer::from).unwrap_or_default();
    let destination = patchwork.destination_for(&layer);
    start_on(
        patchwork.reporter(),
        &destination.settings,
        tool_names,
        HEARTBEAT_INTERVAL,
    )
    .inspect_err(|reason| {
        tracing::warn!(
            %reason,
            "PatchworkMCP heartbeat not started (start_heartbeat sees the installed client and the environment; a \
             slug given only in the attribute reaches the heartbeat through `Self::patchwork_builder().heartbeat(..)`)"
        );
    })
    .ok()
}

/// [`start_heartbeat`] on a given reporter, with resolved settings and an interval; the error says why it
/// cannot start.
pub(crate) fn start_on(
    reporter: &Reporter,
    settings: &Settings,
    tool_names: Vec<String>,
    interval: Duration,
) -> Result<HeartbeatHandle, String> {
    let Some(slug) = settings.slug.clone() else {
        return Err(
            "no PatchworkMCP server slug (attribute `slug`, Builder::slug or \
                    PATCHWORKMCP_SERVER_SLUG)"
                .to_string(),
        );
    };
    let target = Target::at(settings, HEARTBEAT_PATH).map_err(|reason| reason.to_string())?;
    let (runtime, client) = reporter
        .background()
        .ok_or_else(|| "the background worker is not running".to_string())?;
    let body = heartbeat_body(&slug, &tool_names);
    let outbox = reporter.has_outbox();
    let timeout = crate::delivery::RetryPolicy::reference().request_timeout();
    let (stop, stopped) = oneshot::channel::<()>();
    let (finished, done) = oneshot::channel();
    let observe = reporter.outage_observer();
    runtime.spawn(async move {
        // The first answer is the self-check at start (one line); a refusal after it is warned about once.
        let (mut first, mut refusal_warned) = (true, false);
        // Only an explicit stop ends it: a dropped handle closes the channel, which must not.
        let stop_requested = async move {
            if stopped.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::pin!(stop_requested);
        let interval = interval.max(Duration::from_millis(1));
        let request = heartbeat_request(&target, &body);
        loop {
            tokio::select! {
                () = &mut stop_requested => break,
                outcome = client.attempt(request, timeout) => {
                    // An unreachable service is warned about within a minute, as for feedback.
                    observe(&outcome);
                    let first_beat = std::mem::replace(&mut first, false);
                    match outcome {
                        // The self-check at start: one line, whatever the answer.
                        outcome if first_beat => {
                            Acceptance::of(&outcome).log_at_start(&slug, outbox);
                            refusal_warned = matches!(outcome, Attempt::Refused(_));
                        }
                        Attempt::Accepted { .. } => tracing::debug!("heartbeat sent"),
                        Attempt::Refused(reason) if !refusal_warned => {
                            refusal_warned = true;
                            tracing::warn!(
                                %reason,
                                "PatchworkMCP refused the heartbeat (check the API key and the slug); logged once"
                            );
                        }
                        outcome => tracing::info!(?outcome, "heartbeat not accepted"),
                    }
                }
            }
            tokio::select! {
                () = &mut stop_requested => break,
                () = tokio::time::sleep(jittered(interval, random_u64())) => {}
            }
        }
        let _ = finished.send(());
    });
    Ok(HeartbeatHandle {
        stop: Some(stop),
        done: Some(done),
    })
}

/// `interval` ±10%, from a random draw.
fn jittered(interval: Duration, draw: u64) -> Duration {
    let tenth = interval / 10;
    let span = u64::try_from(tenth.as_nanos().saturating_mul(2)).unwrap_or(u64::MAX);
    let offset = Duration::from_nanos(draw % span.saturating_add(1));
    interval - tenth + offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_within_ten_percent() {
        for draw in [0, 1, 12345, u64::MAX / 2, u64::MAX] {
            let beat = jittered(HEARTBEAT_INTERVAL, draw);
            assert!(
                beat >= Duration::from_secs(54) && beat <= Duration::from_secs(66),
                "{beat:?}"
            );
        }
        assert_eq!(jittered(HEARTBEAT_INTERVAL, 0), Duration::from_secs(54));
    }

    #[cfg(feature = "test-util")]
    mod against_the_collector {
        use super::super::*;
        use crate::config::{OutboxSetting, resolve};
        use crate::reporter::ReporterConfig;
        use crate::testing::Collector;
        use serde_json::json;
        use std::sync::Arc;

        fn settings_of(options: &Options) -> Settings {
            resolve(&[&Layer::from(options)], &|_| None)
        }

        fn reporter() -> Reporter {
            Reporter::start(ReporterConfig {
                outbox: OutboxSetting::Off,
                ..ReporterConfig::default()
            })
        }

        #[tokio::test]
        async fn beats_at_start_and_then_again_with_the_tool_list_until_stopped() {
            let collector = Collector::start().expect("collector");
            let reporter = reporter();
            let resolved = settings_of(&collector.options("beating"));
            let names = vec!["search".to_string(), "feedback".to_string()];
            let handle = start_on(&reporter, &resolved, names, Duration::from_millis(20))
                .expect("configured");
            let beats = collector
                .wait_for_requests(3, Duration::from_secs(60))
                .await
                .expect("three beats");
            for beat in &beats[..3] {
                assert_eq!(beat.path, HEARTBEAT_PATH);
                assert_eq!(beat.status, Some(200));
                assert_eq!(
                    beat.body,
                    json!({"server_slug": "beating", "tool_count": 2, "tool_names": ["search", "feedback"]})
                );
            }
            assert!(handle.stop().await, "the heartbeat task ended");
        }

        #[tokio::test]
        async fn dropping_the_handle_leaves_the_heartbeat_running() {
            let collector = Collector::start().expect("collector");
            let reporter = reporter();
            let resolved = settings_of(&collector.options("kept"));
            drop(
                start_on(&reporter, &resolved, vec![], Duration::from_millis(10))
                    .expect("configured"),
            );
            collector
                .wait_for_requests(3, Duration::from_secs(60))
                .await
                .expect("beats go on without the handle");
        }

        #[test]
        fn stop_ends_a_hanging_beat_from_outside_any_runtime() {
            let collector = Collector::start().expect("collector");
            collector.never_answer_next(usize::MAX);
            let reporter = reporter();
            let resolved = settings_of(&collector.options("hung"));
            let handle =
                start_on(&reporter, &resolved, vec![], HEARTBEAT_INTERVAL).expect("configured");
            let waiter = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            waiter
                .block_on(collector.wait_for_requests(1, Duration::from_secs(60)))
                .expect("the first beat is in flight");
            drop(waiter);
            assert!(tokio::runtime::Handle::try_current().is_err());
            assert!(block_on_without_tokio(handle.stop()), "the task ended");
        }

        /// Polls `future` on this thread with no tokio runtime around (a minimal executor),
        /// for at most 60 s.
        fn block_on_without_tokio<F: std::future::Future>(future: F) -> F::Output {
            struct Unpark(std::thread::Thread);
            impl std::task::Wake for Unpark {
                fn wake(self: Arc<Self>) {
                    self.0.unpark();
                }
            }
            let waker = Arc::new(Unpark(std::thread::current())).into();
            let mut cx = std::task::Context::from_waker(&waker);
            let mut future = std::pin::pin!(future);
            let start = std::time::Instant::now();
            while start.elapsed() < Duration::from_secs(60) {
                if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                    return output;
                }
                std::thread::park_timeout(Duration::from_millis(100));
            }
            panic!("the future did not complete within 60 s");
        }

        #[tokio::test]
        async fn silent_without_a_key_or_a_slug() {
            let collector = Collector::start().expect("collector");
            let reporter = reporter();
            let mut no_key = settings_of(&collector.options("s"));
            no_key.api_key = None;
            assert!(start_on(&reporter, &no_key, vec![], Duration::from_millis(1)).is_err());
            let mut no_slug = settings_of(&collector.options("x"));
            no_slug.slug = None;
            assert!(start_on(&reporter, &no_slug, vec![], Duration::from_millis(1)).is_err());
            assert!(collector.requests().is_empty());
        }

        #[tokio::test]
        async fn a_failing_service_only_logs_and_the_beat_goes_on() {
            let collector = Collector::start().expect("collector");
            collector.fail_next(2, 503);
            let reporter = reporter();
            let resolved = settings_of(&collector.options("flaky"));
            let handle = start_on(&reporter, &resolved, vec![], Duration::from_millis(10))
                .expect("configured");
            let beats = collector
                .wait_for_requests(3, Duration::from_secs(60))
                .await
                .expect("beats continue after failures");
            assert_eq!(beats[0].status, Some(503));
            assert_eq!(beats[2].status, Some(200));
            assert!(handle.stop().await);
        }

        /// A FIFO, a link to `/dev/zero`, a directory and a 100 MB file, all named like items, and a linked
        /// ledger, beside good items: the good items are delivered and the heartbeat goes on beating.
        #[cfg(unix)]
        #[tokio::test]
        async fn hostile_outbox_entries_stop_neither_delivery_nor_the_heartbeat() {
            use crate::delivery::{IdempotencyKey, Target};
            use crate::outbox::{Outbox, OutboxItem, OutboxLimits};
            let wait = Duration::from_secs(60);
            let dir = tempfile::tempdir().expect("tempdir");
            let collector = Collector::start().expect("collector");
            let resolved = settings_of(&collector.options("guest"));
            let owner = Target::feedback(&resolved).expect("target");
            let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
            for n in 0..3 {
                let body = json!({"server_slug": "guest", "what_i_needed": format!("good {n}")});
                let good = OutboxItem::new(&owner.base, &owner.key_id, "guest", &body.to_string());
                outbox.append(&good).expect("append");
            }
            let pending = dir.path().join("pending");
            let name = || format!("{:013}-{}.json", 1, IdempotencyKey::random());
            let fifo = std::process::Command::new("mkfifo")
                .arg(pending.join(name()))
                .status()
                .expect("mkfifo");
            assert!(fifo.success());
            std::os::unix::fs::symlink("/dev/zero", pending.join(name())).expect("symlink");
            std::fs::create_dir(pending.join(name())).expect("mkdir");
            std::fs::File::create_new(pending.join(name()))
                .and_then(|file| file.set_len(100 * 1024 * 1024))
                .expect("a sparse 100 MB file");
            std::os::unix::fs::symlink("/dev/zero", dir.path().join("delivered.log"))
                .expect("symlink");

            let reporter = Reporter::start(ReporterConfig {
                outbox: OutboxSetting::Dir(dir.path().to_path_buf()),
                ..ReporterConfig::default()
            });
            let handle = start_on(&reporter, &resolved, vec![], Duration::from_millis(10))
                .expect("configured");
            reporter.register(&crate::delivery::Destination::new(resolved.clone()));
            let delivered = collector
                .wait_for_feedback(3, wait)
                .await
                .expect("good items");
            assert_eq!(delivered.len(), 3);
            let so_far = collector.requests().len();
            collector
                .wait_for_requests(so_far + 2, wait)
                .await
                .expect("the heartbeat beats on");
            assert!(handle.stop().await);
            assert!(outbox.pending().expect("list").is_empty());
        }
    }
}

//! What the agent waits for: the latency of one `feedback` call through a real rmcp client (in process, over
//! `tokio::io::duplex`) to a server whose tool comes from `#[patchwork_feedback]`, for the default background
//! delivery and for `delivery = "await"`, with the local collector healthy, slow (2 s per answer), refusing
//! connections and never answering; and the memory a 10,000-call burst costs, healthy and in an outage.
//!
//! ```text
//! cargo bench -p patchwork-tests --bench feedback_latency
//! ```
//!
//! Runs in under a minute on 2 cores (after the build). Delivery settings are the defaults (2 s connect and 5 s
//! request timeouts, 2 retries, durable outbox with fsync), nothing shortened; the outbox is a temporary directory
//! whose item cap is raised to 50,000 so the outage burst fits beside what the earlier rows left. Background calls
//! are made one after another; awaiting calls in the slow, refusing and never-answering states run as several
//! agents at once (each call still takes its full time; only the wall clock is saved), and fewer of them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use patchwork_runtime::testing::Collector;
use patchwork_runtime::{Patchwork, patchwork_feedback};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::{Peer, RunningService};
use rmcp::{
    RoleClient, ServerHandler, ServiceExt, object, schemars, tool, tool_handler, tool_router,
};
use serde::Deserialize;

/// Counts heap bytes in use and their peak, so the burst's cost is measured, not guessed.
struct CountingAllocator;

static HEAP_NOW: AtomicUsize = AtomicUsize::new(0);
static HEAP_PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated beside it.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on to `System`.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = HEAP_NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            HEAP_PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on to `System`.
        unsafe { System.dealloc(ptr, layout) };
        HEAP_NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on to `System`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let now = HEAP_NOW.fetch_add(grown, Ordering::Relaxed) + grown;
                HEAP_PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                HEAP_NOW.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct EchoArgs {
    /// What to echo.
    text: String,
}

/// The default: the tool replies once the feedback is in the outbox.
#[derive(Debug, Clone, Default)]
struct BackgroundServer;

#[patchwork_feedback(slug = "bench")]
#[tool_router]
impl BackgroundServer {
    /// Echo a text.
    #[tool]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }
}

#[tool_handler]
impl ServerHandler for BackgroundServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The reference behaviour: the tool replies after delivery.
#[derive(Debug, Clone, Default)]
struct AwaitingServer;

#[patchwork_feedback(slug = "bench", delivery = "await")]
#[tool_router]
impl AwaitingServer {
    /// Echo a text.
    #[tool]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }
}

#[tool_handler]
impl ServerHandler for AwaitingServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

type Client = RunningService<RoleClient, ClientConfig>;

/// Every wait is bounded; only reached when something is broken.
const BOUND: Duration = Duration::from_secs(120);

/// How many calls to time, and how many agents make them at once.
#[derive(Clone, Copy)]
struct Plan {
    calls: usize,
    agents: usize,
}

const BACKGROUND: Plan = Plan {
    calls: 400,
    agents: 1,
};
const AWAIT_HEALTHY: Plan = Plan {
    calls: 200,
    agents: 1,
};
const AWAIT_SLOW: Plan = Plan {
    calls: 24,
    agents: 12,
};
const AWAIT_REFUSED: Plan = Plan {
    calls: 24,
    agents: 12,
};
const AWAIT_NEVER: Plan = Plan {
    calls: 8,
    agents: 8,
};
const BURST_CALLS: usize = 10_000;
/// The delivery column of the baseline row: the server's own `echo` tool instead of `feedback`.
const BARE_TOOL: &str = "bare tool";
/// The same plain tool through the same server wrapped with `patchwork_runtime::rmcp::observe`: the watcher's
/// overhead (its span, the classification of the answer) is the difference from the `BARE_TOOL` row.
const WATCHED_TOOL: &str = "bare tool, observed";
const BURST_AGENTS: usize = 64;

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` this binary only proves it builds.
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!(
            "feedback_latency: run it with `cargo bench -p patchwork-tests --bench feedback_latency`"
        );
        return;
    }
    let collector = Collector::start().expect("the local collector starts");
    let addr = collector.addr();
    let outbox = tempfile::tempdir().expect("a temporary outbox");
    // The generated tools deliver through the process-wide client: the collector's URL and key (the slug is the
    // attribute's), default delivery settings, the outbox in the temporary directory with room for the outage
    // burst on top of what the earlier outage rows left (the default cap is 10,000 items; 32 MiB is the default
    // size cap).
    let guard = Patchwork::builder()
        .url(collector.url())
        .api_key(Collector::DEFAULT_API_KEY)
        .outbox_dir(outbox.path())
        .outbox_limits(50_000, 32 * 1024 * 1024)
        // The burst rows measure memory, not the ceilings: no report is turned away.
        .report_limits(u32::MAX, u32::MAX)
        .install();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    runtime.block_on(run(collector, addr, guard.patchwork(), outbox.path()));
    println!(
        "\ntotal bench time: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

async fn run(collector: Collector, addr: SocketAddr, patchwork: &Patchwork, outbox: &Path) {
    let background = connect(BackgroundServer).await;
    let awaiting = connect(AwaitingServer).await;
    let watched = connect(patchwork_runtime::rmcp::observe(BackgroundServer)).await;
    let mut rows = Vec::new();
    let mut serial = 0usize;

    // The healthy burst first, on a quiet process, so its peak is its own.
    let healthy_burst = burst(
        "healthy collector",
        &background,
        Some(&collector),
        patchwork,
        outbox,
        &mut serial,
    )
    .await;

    let healthy = "healthy";
    // The baseline: a plain tool of the same server, through the same client.
    rows.push(measure(healthy, BARE_TOOL, &background, BACKGROUND, &mut serial).await);
    rows.push(measure(healthy, WATCHED_TOOL, &watched, BACKGROUND, &mut serial).await);
    rows.push(measure(healthy, "background", &background, BACKGROUND, &mut serial).await);
    rows.push(measure(healthy, "await", &awaiting, AWAIT_HEALTHY, &mut serial).await);

    collector.set_delay(Duration::from_secs(2));
    let slow = "slow (2 s)";
    rows.push(measure(slow, "background", &background, BACKGROUND, &mut serial).await);
    rows.push(measure(slow, "await", &awaiting, AWAIT_SLOW, &mut serial).await);

    collector.shutdown();
    // The address now refuses connections; a socket bound there without listening keeps it ours (and refusing)
    // until the never-answering collector starts on it.
    let refusing = refusing_socket(addr);
    let refused = "refusing connections";
    rows.push(measure(refused, "background", &background, BACKGROUND, &mut serial).await);
    rows.push(measure(refused, "await", &awaiting, AWAIT_REFUSED, &mut serial).await);

    // The refusing socket itself begins to listen: the address is never released.
    let hanging = Collector::builder()
        .start_on(refusing)
        .expect("a collector on the same address");
    hanging.never_answer_next(usize::MAX);
    let never = "never answering";
    rows.push(measure(never, "background", &background, BACKGROUND, &mut serial).await);
    rows.push(measure(never, "await", &awaiting, AWAIT_NEVER, &mut serial).await);

    // The outage burst last: nothing is delivered, so the worker holds what it can and the rest waits on disk.
    hanging.shutdown();
    let _refusing = refusing_socket(addr);
    let outage_burst = burst(
        "collector refusing connections",
        &background,
        None,
        patchwork,
        outbox,
        &mut serial,
    )
    .await;

    print_table(&rows);
    healthy_burst.print();
    outage_burst.print();
    let _ = bounded(background.cancel()).await;
    let _ = bounded(awaiting.cancel()).await;
    let _ = bounded(watched.cancel()).await;
    // Whatever is still being retried stays in the (temporary) outbox.
    let _ = patchwork.flush(Duration::from_millis(200)).await;
}

/// A socket bound to `addr` but not listening: connections to it are refused, and nothing else can bind the
/// port while it lives.
fn refusing_socket(addr: SocketAddr) -> tokio::net::TcpSocket {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_reuseaddr(true).expect("SO_REUSEADDR");
    socket.bind(addr).expect("bind the collector's old address");
    socket
}

/// One row of the table.
struct Row {
    state: &'static str,
    mode: &'static str,
    plan: Plan,
    latencies: Vec<Duration>,
    replies: Replies,
}

/// What the agent was told, by kind.
#[derive(Default)]
struct Replies {
    plain: usize,
    recorded: usize,
    delivered: usize,
    kept: usize,
    other: usize,
}

impl Replies {
    fn count(&mut self, result: &CallToolResult) {
        let text: String = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect();
        if result.is_error == Some(true) {
            self.other += 1;
        } else if text.starts_with("echo ") {
            self.plain += 1;
        } else if text.contains("has been saved and is queued for delivery") {
            self.recorded += 1;
        } else if text.contains("recorded and will be used") {
            self.delivered += 1;
        } else if text.contains("kept in the server's log") {
            self.kept += 1;
        } else {
            self.other += 1;
        }
    }

    fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (count, what) in [
            (self.plain, "tool results"),
            (self.recorded, "recorded"),
            (self.delivered, "delivered"),
            (self.kept, "kept in log"),
            (self.other, "other"),
        ] {
            if count > 0 {
                parts.push(format!("{count} {what}"));
            }
        }
        parts.join(", ")
    }
}

/// Times `plan.calls` feedback calls, spread over `plan.agents` agents calling at once.
async fn measure(
    state: &'static str,
    mode: &'static str,
    client: &Client,
    plan: Plan,
    serial: &mut usize,
) -> Row {
    eprintln!("measuring: {state}, {mode} ({} calls)", plan.calls);
    let per_agent = plan.calls.div_ceil(plan.agents);
    let mut agents = tokio::task::JoinSet::new();
    for agent in 0..plan.agents {
        let peer = client.peer().clone();
        let first = *serial + agent * per_agent;
        let count = per_agent.min(plan.calls.saturating_sub(agent * per_agent));
        agents.spawn(async move {
            let mut timed = Vec::with_capacity(count);
            for n in first..first + count {
                let started = Instant::now();
                let result = if mode == BARE_TOOL || mode == WATCHED_TOOL {
                    call_echo(&peer, n).await
                } else {
                    call(&peer, n).await
                };
                timed.push((started.elapsed(), result));
            }
            timed
        });
    }
    *serial += plan.calls;
    let mut latencies = Vec::with_capacity(plan.calls);
    let mut replies = Replies::default();
    while let Some(joined) = bounded(agents.join_next()).await {
        for (latency, result) in joined.expect("an agent task") {
            latencies.push(latency);
            replies.count(&result);
        }
    }
    latencies.sort_unstable();
    Row {
        state,
        mode,
        plan,
        latencies,
        replies,
    }
}

/// What the 10,000-call burst cost.
struct Burst {
    state: &'static str,
    wall: Duration,
    replies: Replies,
    heap_before: usize,
    heap_peak: usize,
    heap_after: usize,
    rss_before_kib: Option<u64>,
    hwm_kib: Option<u64>,
    hwm_reset: bool,
    /// Healthy: how many the collector received. Outage: how many the worker holds in memory.
    delivered: Option<usize>,
    in_flight: usize,
    pending: Option<usize>,
}

impl Burst {
    fn print(&self) {
        let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
        println!(
            "\n10,000-call burst ({BURST_AGENTS} agents at once, background mode, {}): {:.1} s, {:.0} calls/s; replies: {}",
            self.state,
            self.wall.as_secs_f64(),
            BURST_CALLS as f64 / self.wall.as_secs_f64(),
            self.replies.summary()
        );
        println!(
            "  heap in use: {:.1} MiB before, peak {:.1} MiB during (+{:.1} MiB), {:.1} MiB after",
            mib(self.heap_before),
            mib(self.heap_peak),
            mib(self.heap_peak.saturating_sub(self.heap_before)),
            mib(self.heap_after)
        );
        if let (Some(before), Some(hwm)) = (self.rss_before_kib, self.hwm_kib) {
            println!(
                "  resident memory: {:.1} MiB before, peak (VmHWM{}) {:.1} MiB",
                before as f64 / 1024.0,
                if self.hwm_reset {
                    ", reset before the burst"
                } else {
                    " since process start"
                },
                hwm as f64 / 1024.0
            );
        }
        match self.delivered {
            Some(delivered) => println!(
                "  the collector received {delivered} of them; the heap after includes the in-process collector's \
                 record of every request it received, which the peak partly includes too"
            ),
            None => println!(
                "  afterwards: {} items in the worker's hands (bounded by its queue), {} in the outbox on disk",
                self.in_flight,
                self.pending
                    .map_or_else(|| "?".to_string(), |pending| pending.to_string())
            ),
        }
    }
}

/// 10,000 distinct feedback calls from `BURST_AGENTS` agents at once, with the heap and RSS peaks around them.
/// With a `collector`, waits for it to receive them all and for the worker to settle.
async fn burst(
    state: &'static str,
    client: &Client,
    collector: Option<&Collector>,
    patchwork: &Patchwork,
    outbox: &Path,
    serial: &mut usize,
) -> Burst {
    eprintln!("burst: {BURST_CALLS} calls, {state}");
    let rss_before_kib = proc_status_kib("VmRSS");
    // Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let heap_before = HEAP_NOW.load(Ordering::Relaxed);
    HEAP_PEAK.store(heap_before, Ordering::Relaxed);
    let started = Instant::now();
    let plan = Plan {
        calls: BURST_CALLS,
        agents: BURST_AGENTS,
    };
    let row = measure("burst", "background", client, plan, serial).await;
    let wall = started.elapsed();
    let heap_peak = HEAP_PEAK.load(Ordering::Relaxed);
    let hwm_kib = proc_status_kib("VmHWM");
    let mut delivered = None;
    if let Some(collector) = collector {
        // Let the worker finish, so the timed rows start from a quiet process.
        let _ = collector.wait_for_requests(BURST_CALLS, BOUND).await;
        delivered = Some(collector.feedback().len());
        let _ = patchwork.flush(BOUND).await;
    }
    // A flush that does not wait reports what is in the worker's hands.
    let in_flight = patchwork.flush(Duration::ZERO).await.in_flight;
    Burst {
        state,
        wall,
        replies: row.replies,
        heap_before,
        heap_peak,
        heap_after: HEAP_NOW.load(Ordering::Relaxed),
        rss_before_kib,
        hwm_kib,
        hwm_reset,
        delivered,
        in_flight,
        pending: std::fs::read_dir(outbox.join("pending"))
            .ok()
            .map(|items| items.count()),
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "\nAgent-visible latency of one feedback call (rmcp client over tokio::io::duplex, default delivery settings)\n"
    );
    println!(
        "| collector | delivery | calls (agents) | p50 | p99 | max | replies |\n|---|---|---|---|---|---|---|"
    );
    for row in rows {
        println!(
            "| {} | {} | {} ({}) | {} | {} | {} | {} |",
            row.state,
            row.mode,
            row.plan.calls,
            row.plan.agents,
            show(percentile(&row.latencies, 50)),
            show(percentile(&row.latencies, 99)),
            show(row.latencies.last().copied().unwrap_or_default()),
            row.replies.summary()
        );
    }
}

/// The `p`th percentile of sorted `latencies` (nearest rank).
fn percentile(latencies: &[Duration], p: usize) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    let rank = (latencies.len() * p).div_ceil(100).max(1);
    latencies[rank.min(latencies.len()) - 1]
}

fn show(latency: Duration) -> String {
    let ms = latency.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        // Below a millisecond, microseconds: the watcher's overhead is a difference of a few.
        format!("{:.0} µs", ms * 1000.0)
    }
}

/// A `/proc/self/status` field in KiB (Linux only).
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn call(peer: &Peer<RoleClient>, n: usize) -> CallToolResult {
    let request = CallToolRequestParams::new("feedback").with_arguments(object!({
        "what_i_needed": format!("bench feedback number {n}"),
        "what_i_tried": "echo",
        "gap_type": "missing_tool",
    }));
    bounded(peer.call_tool(request))
        .await
        .expect("tools/call gets a result")
}

/// A plain tool call of the same server: the baseline row.
async fn call_echo(peer: &Peer<RoleClient>, n: usize) -> CallToolResult {
    let request = CallToolRequestParams::new("echo").with_arguments(object!({
        "text": format!("echo {n}"),
    }));
    bounded(peer.call_tool(request))
        .await
        .expect("tools/call gets a result")
}

async fn connect(server: impl ServerHandler) -> Client {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    bounded(
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("bench-agent", "1.0.0"),
        )
        .serve(client_io),
    )
    .await
    .expect("the client connects")
}

async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, future)
        .await
        .unwrap_or_else(|_| panic!("a bench step did not finish within {BOUND:?}"))
}

//! The same MCP server as `stdio_server` (three tools and the PatchworkMCP feedback tool), served remotely over
//! rmcp's streamable HTTP transport on axum, at `/mcp`.
//!
//! ```text
//! cargo run -p patchwork-runtime --example http_server --features rmcp -- --bind 127.0.0.1:8000
//! # stderr: listening on http://127.0.0.1:8000/mcp
//! ```
//!
//! `--bind ADDR` takes any socket address (port 0 picks a free port; the line on stderr says which). Each
//! `--allowed-host HOST` adds a name clients may use in the `Host` header (rmcp accepts only loopback names by
//! default, against DNS rebinding; a public deployment lists its own host names). Both the legacy session
//! lifecycle (`initialize`, then `Mcp-Session-Id`) and the stateless 2026-07-28 lifecycle (`server/discover`) are
//! served. Feedback from different sessions or clients is never merged: the transport's session fills
//! `session_id`, and the client's declared `name/version` fills `client_type`.
//!
//! Settings come from `PATCHWORKMCP_*` (key, slug, URL, mode, outbox). On SIGTERM or Ctrl-C the server stops
//! taking requests, ends open sessions, and flushes deliveries in flight before it exits (at most 1 s; what is
//! not delivered stays in the outbox and is sent on the next start).

mod toolbox;

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use toolbox::Toolbox;

const USAGE: &str = "usage: http_server [--bind ADDR] [--allowed-host HOST]...\n\
    \n  --bind ADDR          socket address to listen on (default 127.0.0.1:8000; port 0 picks a free port)\
    \n  --allowed-host HOST  a Host header value to accept besides localhost, 127.0.0.1 and ::1 (repeatable)\n";

struct Args {
    bind: SocketAddr,
    allowed_hosts: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
        allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
    };
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        let mut value = |name: &str| argv.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--bind" => {
                let text = value("--bind")?;
                args.bind = text
                    .parse()
                    .map_err(|e| format!("--bind {text}: {e} (write e.g. 127.0.0.1:8000)"))?;
            }
            "--allowed-host" => args.allowed_hosts.push(value("--allowed-host")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("http_server: {message}");
            }
            eprint!("{USAGE}");
            std::process::exit(if message.is_empty() { 0 } else { 2 });
        }
    };
    toolbox::log_to_stderr();
    // As in `stdio_server`: installing drains earlier runs' feedback and starts the heartbeat; the guard
    // flushes when main returns.
    let _guard = Toolbox::patchwork_builder()
        .heartbeat(toolbox::tool_names())
        .install();

    let mut allowed_hosts = args.allowed_hosts;
    allowed_hosts.push(args.bind.ip().to_string());
    let config = StreamableHttpServerConfig::default().with_allowed_hosts(allowed_hosts);
    // Cancelled at shutdown: ends open sessions and their event streams, which graceful shutdown waits for.
    let sessions_done = config.cancellation_token.clone();
    let mcp = StreamableHttpService::new(
        // Watched as in `stdio_server` (gap signals and MCP telemetry), one watcher per session.
        || Ok(patchwork_runtime::rmcp::observe(Toolbox::new())),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let app = axum::Router::new().nest_service("/mcp", mcp);

    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    eprintln!("listening on http://{}/mcp", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            sessions_done.cancel();
        })
        .await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what container runtimes and process managers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

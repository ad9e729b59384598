//! The test kit (feature `test-util`): a real local PatchworkMCP collector, a capture of the unsent lines, for
//! testing your own server's feedback tool, and a scorer for redaction rules on a labelled corpus.
//!
//! ```
//! use patchwork_runtime::testing::Collector;
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let collector = Collector::start()?;
//! let patchwork = collector.patchwork("my-server").no_outbox().build();
//! let payload = patchwork_runtime::FeedbackPayload {
//!     what_i_needed: "a tool that lists invoices".into(),
//!     what_i_tried: "search".into(),
//!     ..Default::default()
//! };
//! assert!(patchwork.deliver(&payload).await.is_delivered());
//! assert_eq!(collector.feedback()[0].server_slug, "my-server");
//! # Ok(()) }
//! ```

mod capture;
mod collector;
mod redaction;
mod server;
mod tls;

pub use capture::{UnsentCapture, UnsentRecord, capture_unsent};
pub use collector::{Collector, CollectorBuilder, RecordedRequest, WaitTimeout};
pub use redaction::{CorpusScore, KindScore, LabelledText, score_redaction};

/// A loopback URL that refuses connections, and the socket that keeps it so: bound to `127.0.0.1:0` but not
/// listening. Keep the socket for as long as the URL must refuse; no other test can take the port meanwhile
/// (unlike binding a listener and dropping it, which frees the port for anyone).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let (_socket, url) = patchwork_runtime::testing::refusing_url()?;
/// let refused = tokio::net::TcpStream::connect(url.trim_start_matches("http://")).await;
/// assert_eq!(refused.unwrap_err().kind(), std::io::ErrorKind::ConnectionRefused);
/// # Ok(()) }
/// ```
pub fn refusing_url() -> std::io::Result<(tokio::net::TcpSocket, String)> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(std::net::SocketAddr::from((
        std::net::Ipv4Addr::LOCALHOST,
        0,
    )))?;
    let url = format!("http://{}", socket.local_addr()?);
    Ok((socket, url))
}

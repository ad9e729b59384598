//! The test kit (feature `test-util`): a real local PatchworkMCP collector, and a capture of the unsent
//! lines, for testing your own server's feedback tool.
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
mod server;

pub use crate::feedback::unsent::UnsentRecord;
pub use capture::{UnsentCapture, capture_unsent};
pub use collector::{Collector, CollectorBuilder, RecordedRequest, WaitTimeout};

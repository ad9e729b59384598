//! patchwork-runtime: the PatchworkMCP feedback tool for Rust MCP servers.

pub use patchwork_macros::patchwork_feedback;

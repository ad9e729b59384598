// A server with strict lints and none of the generated items used: the expansion adds no warning.
#![deny(warnings, missing_docs, unreachable_pub, unused_qualifications, unused_results)]
//! A private server type in a crate that denies warnings.

use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(slug = "strict")]
impl Server {}

fn main() {
    let _server = Server;
}

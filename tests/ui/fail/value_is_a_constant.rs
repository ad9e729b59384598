use patchwork_runtime::patchwork_feedback;

const SLUG: &str = "weather";

struct Server;

#[patchwork_feedback(slug = SLUG)]
impl Server {}

fn main() {
    let _ = SLUG;
}

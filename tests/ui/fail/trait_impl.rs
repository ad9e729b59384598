// On a trait impl: one error, and the generated items still exist (as signatures), so the trait impl's own use of
// them adds no cascade.
use patchwork_runtime::patchwork_feedback;

trait ServerHandler {
    fn instructions(&self) -> &'static str;
}

struct Server<T>(T);

#[patchwork_feedback]
impl<T: Send> ServerHandler for Server<T> {
    fn instructions(&self) -> &'static str {
        Self::PATCHWORK_INSTRUCTIONS
    }
}

fn main() {
    let _ = Server(1_u8).instructions();
    let _ = Server::<u8>::patchwork_tool();
}

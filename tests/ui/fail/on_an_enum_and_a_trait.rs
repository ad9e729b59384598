use patchwork_runtime::patchwork_feedback;

#[patchwork_feedback]
enum Server {
    Only,
}

#[patchwork_feedback]
trait Tools {
    fn ping(&self) -> String;
}

fn main() {
    let _ = Server::Only;
}

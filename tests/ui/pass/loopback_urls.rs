// `http://` is accepted for loopback hosts (a local collector), in each spelling.
use patchwork_runtime::patchwork_feedback;

struct V4;
#[patchwork_feedback(url = "http://127.0.0.1:8080", dispatch = "manual")]
impl V4 {}

struct V6;
#[patchwork_feedback(url = "http://[::1]:8080/", dispatch = "manual")]
impl V6 {}

struct Named;
#[patchwork_feedback(url = "http://localhost:3000", dispatch = "manual")]
impl Named {}

// The WHATWG spelling of 127.0.0.1 that browsers and reqwest accept.
struct ShortV4;
#[patchwork_feedback(url = "http://127.1:9000", dispatch = "manual")]
impl ShortV4 {}

// ::1 written out in full.
struct LongV6;
#[patchwork_feedback(url = "http://[0:0:0:0:0:0:0:1]:9000", dispatch = "manual")]
impl LongV6 {}

fn main() {
    let _ = (
        V4::patchwork_tool(),
        V6::patchwork_tool(),
        Named::patchwork_tool(),
        ShortV4::patchwork_tool(),
        LongV6::patchwork_tool(),
    );
}

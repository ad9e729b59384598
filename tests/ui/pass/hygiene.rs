// Generated code names everything by absolute path and hides its locals: shadowing prelude names, owning items
// called like the hidden ones, or a local `patchwork_runtime` module changes nothing.
#![allow(dead_code, non_camel_case_types)]

use patchwork_runtime::patchwork_feedback;

struct Option;
struct Some;
struct None;
struct str;
mod core {}
mod __private {}
static PATCHWORK_CONFIG: u8 = 0;
const CONFIG: u8 = 0;

mod inner {
    mod patchwork_runtime {}

    pub struct Server;

    #[::patchwork_runtime::patchwork_feedback(dispatch = "manual")]
    impl Server {
        const PATCHWORK_CONFIG_OF_MY_OWN: u8 = 1;
    }
}

struct Server;

#[patchwork_feedback(dispatch = "manual")]
impl Server {
    fn name(&self, arguments: u8) -> u8 {
        arguments
    }
}

fn main() {
    assert_eq!(Server.name(7), 7);
    assert_eq!(inner::Server::patchwork_tool().name, "feedback");
    assert_eq!(PATCHWORK_CONFIG + CONFIG, 0);
}

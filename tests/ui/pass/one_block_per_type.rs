// The once-per-type guard (`expand/once.rs`) leaves apart what is not a repeat: two types in one module, two
// instantiations of a generic type, a block compiled out by `#[cfg]`, and a block inside a function.
#![deny(warnings)]

use patchwork_runtime::patchwork_feedback;

struct Weather;
struct Tides;
struct Store<T>(T);

#[patchwork_feedback(slug = "weather", dispatch = "manual")]
impl Weather {}

#[patchwork_feedback(slug = "tides", dispatch = "manual")]
impl Tides {}

#[patchwork_feedback(slug = "bytes", dispatch = "manual")]
impl Store<u8> {}

#[patchwork_feedback(slug = "words", dispatch = "manual")]
impl Store<u16> {}

#[cfg(any())]
#[patchwork_feedback(slug = "never", dispatch = "manual")]
impl Weather {}

#[patchwork_feedback(slug = "weather-again", dispatch = "manual")]
#[cfg(any())]
impl Weather {}

fn main() {
    struct Local;

    #[patchwork_feedback(slug = "local", dispatch = "manual")]
    impl Local {}

    let _ = (
        Weather::PATCHWORK_INSTRUCTIONS,
        Tides::PATCHWORK_INSTRUCTIONS,
        Store::<u8>::PATCHWORK_TOOL_NAME,
        Store::<u16>::PATCHWORK_TOOL_NAME,
        Local::PATCHWORK_TOOL_NAME,
    );
    let _ = (Store(0u8).0, Store(0u16).0);
}

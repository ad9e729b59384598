// The once-per-type guard (`expand/once.rs`) leaves apart what is not a repeat: two types in one module, two
// instantiations of a generic type, a block compiled out by `#[cfg]` (before or after a live one), a block inside a
// function, and another type of the same name in a nested module written as `self::Name`.
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

// Compiled out before the live block: its guard is compiled out with it, so the live block is the first.
struct Early;

#[cfg(any())]
#[patchwork_feedback(slug = "early-never", dispatch = "manual")]
impl Early {}

#[patchwork_feedback(slug = "early", dispatch = "manual")]
impl Early {}

mod nested {
    use patchwork_runtime::patchwork_feedback;

    pub struct Weather;

    #[patchwork_feedback(slug = "nested-weather", dispatch = "manual")]
    impl self::Weather {}
}

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
        Early::PATCHWORK_TOOL_NAME,
        nested::Weather::PATCHWORK_TOOL_NAME,
    );
    let _ = (Store(0u8).0, Store(0u16).0);
}

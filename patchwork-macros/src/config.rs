//! The checked configuration the expansion is built from: what `valid` makes of the arguments, and what `expand`
//! and `fallback` read.

use syn::LitStr;

/// How the generated tool delivers (`delivery = "..."`); mirrors the runtime's `__private::Delivery`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum DeliveryMode {
    /// `"background"`: reply once recorded, deliver from the runtime's background worker.
    #[default]
    Background,
    /// `"await"`: reply after delivery, as the reference client does.
    Await,
}

/// The checked configuration the expansion is built from.
pub(crate) struct Config {
    /// Path to the runtime crate (`::patchwork_runtime` unless `crate = "..."`).
    pub krate: syn::Path,
    pub slug: Option<String>,
    pub tool_name: String,
    pub instructions: Option<String>,
    /// The tool's description: the `description` key, else the `wording` preset's.
    pub description: String,
    /// The directive appended to the instructions: the `directive` key, else the `wording` preset's.
    pub directive: String,
    /// The base URL in the contract's normal form (`BaseUrl::as_str`), not as written.
    pub url: Option<String>,
    pub api_key_env: Option<String>,
    pub delivery: DeliveryMode,
    /// `dispatch = "manual"`: the server routes the tool itself (`patchwork_dispatch`), even in an rmcp build.
    pub dispatch_manual: bool,
    /// The `dispatch = "..."` literal, for pointing at it.
    pub dispatch_lit: Option<LitStr>,
    /// `redaction = "path::to::function"`: a `fn(Redaction) -> Redaction` that makes the rules.
    pub redaction: Option<syn::Path>,
}

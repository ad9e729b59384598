//! Configuration: the one resolver. Every setting comes from, in order, the run-time layer (the
//! [`Builder`](crate::Builder) or the reference [`Options`]), the attribute's keys, the environment
//! (`PATCHWORKMCP_*`, read only here), then the defaults; empty values count as unset and surrounding
//! whitespace is trimmed (a key pasted with a newline still works). The result is a checked [`Settings`]: a
//! policy-checked service URL (or the reason there is none), the key and the slug.

mod outbox;
pub(crate) mod signals;
pub(crate) mod wording;

use std::fmt;

pub(crate) use outbox::OutboxSetting;

use crate::contract::texts::{
    DEFAULT_URL, ENV_API_KEY, ENV_MODE, ENV_OUTBOX, ENV_SERVER_SLUG, ENV_URL,
};
use crate::contract::url::{BaseUrl, UrlError};

/// Overrides for the connection to PatchworkMCP, field for field as in the reference client. `None` (or an
/// empty string) falls back to the environment (`PATCHWORKMCP_URL`, `PATCHWORKMCP_API_KEY`,
/// `PATCHWORKMCP_SERVER_SLUG`), then to the defaults (`https://patchworkmcp.com`, slug `"unknown"`).
///
/// `Debug` never shows the API key.
///
/// ```
/// use patchwork_runtime::Options;
/// let opts = Options {
///     patchwork_url: Some("https://custom.example.com".to_string()),
///     api_key: Some("my-key".to_string()),
///     server_slug: Some("my-server".to_string()),
/// };
/// assert!(!format!("{opts:?}").contains("my-key"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Overrides `PATCHWORKMCP_URL`.
    pub patchwork_url: Option<String>,
    /// Overrides `PATCHWORKMCP_API_KEY`.
    pub api_key: Option<String>,
    /// Overrides `PATCHWORKMCP_SERVER_SLUG`.
    pub server_slug: Option<String>,
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("patchwork_url", &self.patchwork_url)
            .field("api_key", &self.api_key.as_ref().map(|_| Redacted))
            .field("server_slug", &self.server_slug)
            .finish()
    }
}

/// Prints `<redacted>` wherever a secret would go.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An API key. Its `Debug` and `Display` print `<redacted>`; only [`ApiKey::expose`] gives the text, for the
/// `Authorization` header.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; an empty or blank key is no key.
    pub(crate) fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into().trim().to_string();
        (!key.is_empty()).then_some(Self(key))
    }

    /// The key's text. Only for building the `Authorization` header and for redacting the key from what agents
    /// write.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// A non-reversible fingerprint of the key (32 hex digits of a domain-separated SHA-256): stored with
    /// each outbox item, so a process delivers only the items accepted under its own key.
    pub(crate) fn fingerprint(&self) -> String {
        let digest =
            crate::digest::sha256(format!("patchwork-api-key-fingerprint\0{}", self.0).as_bytes());
        crate::digest::hex(&digest[..16])
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One layer of settings (run time, or the attribute): each value is optional and falls through to the next
/// layer when unset or blank.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Layer {
    pub(crate) url: Option<String>,
    pub(crate) api_key: Option<String>,
    pub(crate) slug: Option<String>,
    /// The name of the environment variable holding the key (the attribute's `api_key_env`).
    pub(crate) api_key_env: Option<String>,
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| Redacted))
            .field("slug", &self.slug)
            .field("api_key_env", &self.api_key_env)
            .finish()
    }
}

impl From<&Options> for Layer {
    fn from(options: &Options) -> Self {
        Self {
            url: options.patchwork_url.clone(),
            api_key: options.api_key.clone(),
            slug: options.server_slug.clone(),
            api_key_env: None,
        }
    }
}

/// Settings after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// The service's base URL, checked against the URL policy.
    pub(crate) url: Result<BaseUrl, UrlError>,
    /// The API key; `None` means nothing can be delivered.
    pub(crate) api_key: Option<ApiKey>,
    /// The server's slug; `None` when none is configured (sent as `unknown`, as the reference does).
    pub(crate) slug: Option<String>,
}

impl Settings {
    /// `rules` with this configuration's API key redacted first (what a tool call and a replay both apply).
    pub(crate) fn redacting_key(&self, rules: crate::Redaction) -> crate::Redaction {
        match &self.api_key {
            Some(key) => rules.with_own_key(key.expose()),
            None => rules,
        }
    }

    /// The slug to send.
    pub(crate) fn slug_or_default(&self) -> &str {
        self.slug
            .as_deref()
            .unwrap_or(crate::contract::texts::DEFAULT_SERVER_SLUG)
    }
}

/// The process environment: the one place `PATCHWORKMCP_*` variables are read.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Trimmed, and `None` when blank.
fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Resolves `layers` (highest precedence first) over `env` and the defaults.
pub(crate) fn resolve(layers: &[&Layer], env: &dyn Fn(&str) -> Option<String>) -> Settings {
    let pick = |get: fn(&Layer) -> Option<&str>, var: &str| {
        layers
            .iter()
            .find_map(|layer| clean(get(layer)))
            .or_else(|| clean(env(var).as_deref()))
    };
    let key_var = layers
        .iter()
        .find_map(|layer| clean(layer.api_key_env.as_deref()))
        .unwrap_or_else(|| ENV_API_KEY.to_string());
    let url = pick(|l| l.url.as_deref(), ENV_URL).unwrap_or_else(|| DEFAULT_URL.to_string());
    Settings {
        url: BaseUrl::parse(&url),
        api_key: pick(|l| l.api_key.as_deref(), &key_var).and_then(ApiKey::new),
        slug: pick(|l| l.slug.as_deref(), ENV_SERVER_SLUG),
    }
}

/// What the feedback tool does with feedback: send it (`Live`), only check and log it (`DryRun`), or nothing
/// (`Off`). Chosen with [`Builder::mode`](crate::Builder::mode), else `PATCHWORKMCP_MODE` (`live`, `dry-run`,
/// `off`), else `Live`.
///
/// ```
/// # fn main() {
/// use patchwork_runtime::{Mode, Patchwork};
/// // In your server's own tests: validate what agents would send, send nothing.
/// let patchwork = Patchwork::builder().mode(Mode::DryRun).build();
/// assert_eq!(patchwork.mode(), Mode::DryRun);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Feedback is stored and delivered (the default).
    #[default]
    Live,
    /// Feedback is validated and logged (at info, through `tracing`); nothing is stored or sent, and the agent
    /// is told so.
    DryRun,
    /// Nothing is stored or sent; the tool replies that feedback is turned off.
    Off,
}

impl Mode {
    /// Reads a value of `PATCHWORKMCP_MODE`; `None` when unset or blank. A value that is none of the modes
    /// is read as `DryRun` (nothing leaves the machine) with a warning.
    fn parse(value: Option<&str>) -> Option<Self> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        let folded = value.to_ascii_lowercase().replace('_', "-");
        Some(match folded.as_str() {
            "live" | "on" => Self::Live,
            "dry-run" | "dryrun" | "dry" => Self::DryRun,
            "off" | "disabled" | "false" | "0" | "none" => Self::Off,
            _ => {
                tracing::warn!(
                    "{ENV_MODE} is not one of live, dry-run, off; running in dry-run mode (nothing is sent)"
                );
                Self::DryRun
            }
        })
    }
}

/// The mode: the run-time choice, else `PATCHWORKMCP_MODE`, else `Live`.
pub(crate) fn mode(runtime: Option<Mode>, env: &dyn Fn(&str) -> Option<String>) -> Mode {
    runtime
        .or_else(|| Mode::parse(env(ENV_MODE).as_deref()))
        .unwrap_or_default()
}

/// Where the outbox lives: the run-time choice, else `PATCHWORKMCP_OUTBOX`, else the per-user default.
pub(crate) fn outbox_location(
    runtime: Option<&OutboxSetting>,
    env: &dyn Fn(&str) -> Option<String>,
) -> OutboxSetting {
    match runtime {
        Some(setting) => setting.clone(),
        None => OutboxSetting::parse(env(ENV_OUTBOX).as_deref()),
    }
}

#[cfg(test)]
mod tests;

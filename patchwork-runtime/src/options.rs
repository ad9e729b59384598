//! Configuration: the reference client's [`Options`], their resolution from the
//! environment, the service URL policy, and [`DeliveryConfig`] (timeouts, retries).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

/// Environment variable holding the service's base URL.
pub const ENV_URL: &str = "PATCHWORKMCP_URL";
/// Environment variable holding the team API key.
pub const ENV_API_KEY: &str = "PATCHWORKMCP_API_KEY";
/// Environment variable holding the server's slug.
pub const ENV_SERVER_SLUG: &str = "PATCHWORKMCP_SERVER_SLUG";
/// The service's base URL when none is configured.
pub const DEFAULT_URL: &str = "https://patchworkmcp.com";
/// The slug sent when none is configured (as the reference clients do).
pub const DEFAULT_SERVER_SLUG: &str = "unknown";
/// Path of the feedback endpoint, below the base URL.
pub const FEEDBACK_PATH: &str = "/api/v1/feedback/";
/// Path of the heartbeat endpoint, below the base URL.
pub const HEARTBEAT_PATH: &str = "/api/v1/heartbeat/";

/// Overrides for the connection to PatchworkMCP, field for field as in the
/// reference client. `None` (or an empty string) falls back to the environment
/// (`PATCHWORKMCP_URL`, `PATCHWORKMCP_API_KEY`, `PATCHWORKMCP_SERVER_SLUG`),
/// then to the defaults (`https://patchworkmcp.com`, slug `"unknown"`).
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
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An API key. Its `Debug` and `Display` print `<redacted>`; only
/// [`ApiKey::expose`] gives the text, for the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; an empty or blank key is no key.
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into();
        if key.trim().is_empty() {
            None
        } else {
            Some(Self(key))
        }
    }

    /// The key's text. Only for building the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
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

/// [`Options`] after falling back to the environment and the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedOptions {
    /// The service's base URL, as configured (not yet checked).
    pub base_url: String,
    /// The API key; `None` means nothing can be delivered.
    pub api_key: Option<ApiKey>,
    /// The server's slug on the service.
    pub server_slug: String,
}

impl ResolvedOptions {
    /// Resolves `opts` against the process environment, with the key read
    /// from `PATCHWORKMCP_API_KEY`.
    pub fn resolve(opts: Option<&Options>) -> Self {
        Self::resolve_with(opts, ENV_API_KEY, |name| std::env::var(name).ok())
    }

    /// Resolves `opts` against `env` (a lookup such as `std::env::var(..).ok()`),
    /// with the key read from the variable `api_key_env`. Empty values count as
    /// unset at every level.
    pub fn resolve_with(
        opts: Option<&Options>,
        api_key_env: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Self {
        // Trimmed: a key or URL pasted with a trailing newline would otherwise
        // make every request invalid, a setup slip mistaken for a refusal.
        let clean = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let pick = |explicit: Option<&String>, var: &str| {
            explicit
                .and_then(|v| clean(v))
                .or_else(|| env(var).and_then(|v| clean(&v)))
        };
        Self {
            base_url: pick(opts.and_then(|o| o.patchwork_url.as_ref()), ENV_URL)
                .unwrap_or_else(|| DEFAULT_URL.to_string()),
            api_key: pick(opts.and_then(|o| o.api_key.as_ref()), api_key_env).and_then(ApiKey::new),
            server_slug: pick(opts.and_then(|o| o.server_slug.as_ref()), ENV_SERVER_SLUG)
                .unwrap_or_else(|| DEFAULT_SERVER_SLUG.to_string()),
        }
    }

    /// The URL of `path` (e.g. [`FEEDBACK_PATH`]) below the base URL; see [`endpoint_url`].
    pub fn endpoint(&self, path: &str) -> Result<Url, EndpointError> {
        endpoint_url(&self.base_url, path)
    }
}

/// Why a base URL cannot be used. The text never repeats the URL (it may carry
/// credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointError {
    /// The URL does not parse.
    Invalid,
    /// `http://` to a host that is not loopback: the bearer key would cross
    /// the network in clear text.
    InsecureHttp,
    /// A scheme other than `https` or `http`.
    UnsupportedScheme,
}

impl EndpointError {
    /// A short token for the unsent-feedback line's `reason=`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Invalid => "invalid_url",
            Self::InsecureHttp => "insecure_url",
            Self::UnsupportedScheme => "unsupported_url_scheme",
        }
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Invalid => "the PatchworkMCP URL is not a valid URL",
            Self::InsecureHttp => {
                "the PatchworkMCP URL uses http:// to a remote host; use https:// \
                 (http:// is only allowed to loopback, so the API key never crosses the network in clear text)"
            }
            Self::UnsupportedScheme => "the PatchworkMCP URL must start with https://",
        })
    }
}

impl std::error::Error for EndpointError {}

/// Joins `base` and `path` without doubling the slash (`https://x.com/` and
/// `https://x.com` give the same URL) and applies the URL policy: `https` to
/// any host, `http` only to loopback (`127.0.0.0/8`, `::1`, `localhost`).
pub fn endpoint_url(base: &str, path: &str) -> Result<Url, EndpointError> {
    let base = normalized_base_url(base);
    let path = path.trim_start_matches('/');
    let url = Url::parse(&format!("{base}/{path}")).map_err(|_| EndpointError::Invalid)?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(EndpointError::InsecureHttp),
        _ => Err(EndpointError::UnsupportedScheme),
    }
}

/// `base` without surrounding space or trailing slashes: what [`endpoint_url`] joins to, and how
/// a base URL is compared and stored (the reporter's routes, an outbox item's `url`), so
/// `https://x.com/` and `https://x.com` name the same service.
pub(crate) fn normalized_base_url(base: &str) -> &str {
    base.trim().trim_end_matches('/')
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// How deliveries are attempted: timeouts and the retry policy. Knobs beyond
/// the reference [`Options`] live here.
///
/// The default is the reference behaviour: 2 s connect timeout, 5 s per
/// request, up to 2 retries after 500 ms then 1000 ms, a `Retry-After` of up
/// to 5 s honoured.
///
/// ```
/// use std::time::Duration;
/// use patchwork_runtime::DeliveryConfig;
/// let config = DeliveryConfig::default()
///     .with_request_timeout(Duration::from_secs(10))
///     .with_max_retries(4);
/// assert_eq!(config.backoff(1), Duration::from_millis(1000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

impl DeliveryConfig {
    /// Sets the TCP/TLS connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout of one whole request (connect, send, response).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how many times a retryable failure is retried (attempts = retries + 1).
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the wait before the first retry; it doubles for each further retry.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` honoured; longer ones are cut to this.
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The per-request timeout.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// The number of retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The wait before retry number `retry` (0-based): `initial_backoff * 2^retry`.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
    }

    /// The wait before retry number `retry`, honouring a server's
    /// `Retry-After` (never shorter than the backoff, never longer than
    /// [`DeliveryConfig::max_retry_after`] unless the backoff itself is).
    pub fn retry_delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let backoff = self.backoff(retry);
        match retry_after {
            Some(wanted) => wanted.min(self.max_retry_after).max(backoff),
            None => backoff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn options_win_over_env_which_wins_over_defaults() {
        let env = env_of(&[
            (ENV_URL, "https://env.example"),
            (ENV_API_KEY, "env-key"),
            (ENV_SERVER_SLUG, "env-slug"),
        ]);
        let opts = Options {
            patchwork_url: Some("https://opt.example".into()),
            api_key: None,
            server_slug: Some(String::new()),
        };
        let resolved = ResolvedOptions::resolve_with(Some(&opts), ENV_API_KEY, &env);
        assert_eq!(resolved.base_url, "https://opt.example");
        assert_eq!(
            resolved.api_key.as_ref().map(ApiKey::expose),
            Some("env-key")
        );
        assert_eq!(resolved.server_slug, "env-slug");

        let defaults = ResolvedOptions::resolve_with(None, ENV_API_KEY, env_of(&[]));
        assert_eq!(defaults.base_url, DEFAULT_URL);
        assert_eq!(defaults.api_key, None);
        assert_eq!(defaults.server_slug, DEFAULT_SERVER_SLUG);
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_from_every_value() {
        let env = env_of(&[
            (ENV_API_KEY, "env-key\n"),
            (ENV_URL, " https://env.example/ \n"),
        ]);
        let opts = Options {
            server_slug: Some("  my-server\t".into()),
            ..Options::default()
        };
        let resolved = ResolvedOptions::resolve_with(Some(&opts), ENV_API_KEY, env);
        assert_eq!(
            resolved.api_key.as_ref().map(ApiKey::expose),
            Some("env-key")
        );
        assert_eq!(resolved.base_url, "https://env.example/");
        assert_eq!(resolved.server_slug, "my-server");
    }

    #[test]
    fn api_key_env_names_the_variable() {
        let env = env_of(&[(ENV_API_KEY, "default-var"), ("MY_KEY", "custom-var")]);
        let resolved = ResolvedOptions::resolve_with(None, "MY_KEY", env);
        assert_eq!(
            resolved.api_key.as_ref().map(ApiKey::expose),
            Some("custom-var")
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let opts = Options {
            api_key: Some("sekrit-123".into()),
            ..Options::default()
        };
        let resolved = ResolvedOptions::resolve_with(Some(&opts), ENV_API_KEY, |_| None);
        for text in [
            format!("{opts:?}"),
            format!("{opts:#?}"),
            format!("{resolved:?}"),
            format!("{resolved:#?}"),
        ] {
            assert!(!text.contains("sekrit"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    #[test]
    fn trailing_slashes_do_not_double() {
        for base in [
            "https://x.example",
            "https://x.example/",
            "https://x.example//",
        ] {
            assert_eq!(
                endpoint_url(base, FEEDBACK_PATH)
                    .map(String::from)
                    .as_deref(),
                Ok("https://x.example/api/v1/feedback/")
            );
            assert_eq!(
                normalized_base_url(&format!(" {base}\n")),
                "https://x.example"
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:9",
            "http://127.5.6.7",
            "http://[::1]:8080",
            "http://localhost:3000",
            "http://LOCALHOST",
            "https://remote.example",
        ] {
            assert!(endpoint_url(ok, FEEDBACK_PATH).is_ok(), "{ok}");
        }
        for remote in [
            "http://patchworkmcp.com",
            "http://10.0.0.1",
            "http://[2001:db8::1]",
            "http://localhost.evil.example",
        ] {
            assert_eq!(
                endpoint_url(remote, FEEDBACK_PATH),
                Err(EndpointError::InsecureHttp),
                "{remote}"
            );
        }
        assert_eq!(
            endpoint_url("ftp://x.example", FEEDBACK_PATH),
            Err(EndpointError::UnsupportedScheme)
        );
        assert_eq!(
            endpoint_url("not a url", FEEDBACK_PATH),
            Err(EndpointError::Invalid)
        );
    }

    #[test]
    fn backoff_doubles_and_retry_after_is_bounded() {
        let config = DeliveryConfig::default();
        assert_eq!(config.backoff(0), Duration::from_millis(500));
        assert_eq!(config.backoff(1), Duration::from_millis(1000));
        assert_eq!(
            config.retry_delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            config.retry_delay(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(5)
        );
        assert_eq!(
            config.retry_delay(1, Some(Duration::ZERO)),
            Duration::from_millis(1000)
        );
        assert_eq!(config.backoff(u32::MAX), config.backoff(16));
    }
}

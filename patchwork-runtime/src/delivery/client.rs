//! One HTTP attempt: the `reqwest` client, the request the contract describes, and the classification of
//! what came back.

use std::sync::LazyLock;
use std::time::Duration;

use reqwest::{StatusCode, header};

use super::outcome::Reason;
use super::policy::RetryPolicy;
use super::target::Target;
use crate::feedback::Origin;

/// The `User-Agent` of every request: `PatchworkMCP-Rust/<crate version>`.
pub(crate) const USER_AGENT: &str = concat!("PatchworkMCP-Rust/", env!("CARGO_PKG_VERSION"));
/// The request header carrying a feedback's idempotency key (the same on every attempt and replay).
pub(crate) const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The request header saying how many identical calls one feedback stands for (sent only when more than 1).
pub(crate) const REPEAT_COUNT_HEADER: &str = "Patchwork-Repeat-Count";
/// The request header that marks a gap signal patchwork made itself (value `signal`; absent on agents' reports).
pub(crate) const ORIGIN_HEADER: &str = "Patchwork-Origin";
/// How many markers of each kind redaction left in the body (`email=2, jwt=1`); absent when none. Never the
/// redacted text.
pub(crate) const REDACTIONS_HEADER: &str = "Patchwork-Redactions";
/// How many `tools_available` entries past the cap (50) were left out of the list; absent when none.
pub(crate) const TOOLS_DROPPED_HEADER: &str = "Patchwork-Tools-Dropped";

/// One request: the body and the headers that vary per feedback.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    pub(crate) target: &'a Target,
    pub(crate) body: &'a str,
    pub(crate) idempotency_key: Option<&'a str>,
    pub(crate) repeat_count: u64,
    /// `tools_available` entries the cap dropped; sent as `Patchwork-Tools-Dropped` when not 0.
    pub(crate) tools_dropped: u64,
    /// Sent as `Patchwork-Origin: signal` for a gap signal.
    pub(crate) origin: Origin,
    /// The markers redaction left in `body`, per kind (`email=2, jwt=1`; `redact::counts`, computed once per item):
    /// sent as `Patchwork-Redactions` when not empty.
    pub(crate) redactions: &'a str,
}

/// The classified result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A 2xx answer, with the feedback's id when the body had one.
    Accepted { id: Option<String> },
    /// 429, 5xx, a connection error or a timeout: worth trying again, after the service's `Retry-After`.
    Retryable {
        reason: Reason,
        retry_after: Option<Duration>,
    },
    /// Any other answer (400, 401, 403, 404, 413, 3xx…): retrying cannot help.
    Refused(Reason),
}

/// The HTTP client: one connection pool, redirects never followed (a redirect could carry the bearer key
/// elsewhere), no retries of its own (the retry loop decides).
#[derive(Debug, Clone)]
pub(crate) struct Client {
    http: reqwest::Client,
}

/// The opt-in `rustls-ring` backend: rustls with the `ring` provider, set on this client only (the process-wide
/// default provider is left alone), verifying certificates against the platform's roots. With `rustls-aws-lc` (the
/// default) or `native-tls` instead, reqwest's own backend is used: a provider the host installed process-wide,
/// else `aws-lc-rs`, exactly as for every other `reqwest` client of the build.
#[cfg(feature = "rustls-ring")]
fn with_tls(
    builder: reqwest::ClientBuilder,
    roots: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Reason> {
    use std::sync::Arc;
    let failed = |error: rustls::Error| {
        tracing::error!(%error, "could not set up TLS");
        Reason::ClientUnavailable
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = roots
        .iter()
        .map(|der| rustls::pki_types::CertificateDer::from(der.clone()));
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, Arc::clone(&provider))
            .map_err(failed)?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(failed)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(not(feature = "rustls-ring"))]
fn with_tls(
    mut builder: reqwest::ClientBuilder,
    roots: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Reason> {
    for der in roots {
        let certificate = reqwest::Certificate::from_der(der).map_err(|error| {
            tracing::error!(error = %error.without_url(), "a root certificate does not parse");
            Reason::ClientUnavailable
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    Ok(builder)
}

#[cfg(not(any(
    feature = "rustls-ring",
    feature = "rustls-aws-lc",
    feature = "native-tls"
)))]
compile_error!(
    "patchwork-runtime needs a TLS backend to reach PatchworkMCP over https: enable one of its features \
     `rustls-aws-lc` (the default), `rustls-ring` or `native-tls`"
);

static SHARED: LazyLock<Result<Client, Reason>> =
    LazyLock::new(|| Client::new(RetryPolicy::reference().connect_timeout(), &[]));

impl Client {
    /// A client with `connect_timeout`, trusting the platform's roots and `roots` (DER). Fails only when the TLS
    /// backend cannot start (or a root certificate does not parse).
    pub(crate) fn new(connect_timeout: Duration, roots: &[Vec<u8>]) -> Result<Self, Reason> {
        let builder = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .user_agent(USER_AGENT)
            .pool_max_idle_per_host(5)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never());
        let http = with_tls(builder, roots)?.build().map_err(|error| {
            tracing::error!(error = %error.without_url(), "could not build the HTTP client");
            Reason::ClientUnavailable
        })?;
        Ok(Self { http })
    }

    /// The process-wide client with the reference connect timeout, shared by the reference functions.
    pub(crate) fn shared() -> Result<&'static Client, Reason> {
        SHARED.as_ref().map_err(Clone::clone)
    }

    /// One `POST`, bounded by `timeout`, classified. Never panics.
    pub(crate) async fn attempt(&self, request: Request<'_>, timeout: Duration) -> Attempt {
        let mut builder = self
            .http
            .post(request.target.endpoint.clone())
            .timeout(timeout)
            .header(header::CONTENT_TYPE, "application/json")
            .bearer_auth(request.target.api_key.expose())
            .body(request.body.to_string());
        if let Some(key) = request.idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        if request.repeat_count > 1 {
            builder = builder.header(REPEAT_COUNT_HEADER, request.repeat_count.to_string());
        }
        if request.tools_dropped > 0 {
            builder = builder.header(TOOLS_DROPPED_HEADER, request.tools_dropped.to_string());
        }
        if request.origin == Origin::Signal {
            builder = builder.header(ORIGIN_HEADER, "signal");
        }
        if !request.redactions.is_empty() {
            builder = builder.header(REDACTIONS_HEADER, request.redactions);
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return classify_error(&error),
        };
        let status = response.status();
        if status.is_success() {
            // The body is informative only: a 2xx with an odd body is still accepted.
            let id = response
                .bytes()
                .await
                .ok()
                .and_then(|body| serde_json::from_slice::<serde_json::Value>(&body).ok())
                .and_then(|answer| match answer.get("id")? {
                    serde_json::Value::String(text) => Some(text.clone()),
                    serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                });
            return Attempt::Accepted { id };
        }
        let reason = Reason::Status(status.as_u16());
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Attempt::Retryable {
                reason,
                retry_after: retry_after(response.headers()),
            }
        } else {
            Attempt::Refused(reason)
        }
    }
}

fn classify_error(error: &reqwest::Error) -> Attempt {
    let reason = if error.is_timeout() {
        Reason::Timeout
    } else if error.is_connect() && about_a_certificate(error) {
        Reason::Certificate
    } else if error.is_connect() {
        Reason::Connect
    } else if error.is_builder() {
        return Attempt::Refused(Reason::InvalidRequest);
    } else {
        Reason::Transport
    };
    Attempt::Retryable {
        reason,
        retry_after: None,
    }
}

/// Whether a connection failed on the service's certificate: a cause in the error's chain says so. Every TLS backend
/// names it ("invalid peer certificate" for rustls, "certificate verify failed" for OpenSSL), and reqwest keeps the
/// backend's error as a source.
fn about_a_certificate(error: &reqwest::Error) -> bool {
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    // A bounded walk: chains are a few links long.
    for _ in 0..16 {
        let Some(current) = cause else {
            return false;
        };
        if current
            .to_string()
            .to_ascii_lowercase()
            .contains("certificate")
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// `Retry-After` in either form: delay-seconds, or an HTTP date (a date in the past means "now").
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    parse_retry_after(headers.get(header::RETRY_AFTER)?.to_str().ok()?)
}

/// Parses a `Retry-After` value: `120` or `Wed, 21 Oct 2015 07:28:00 GMT`.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = super::http_date::parse(value)?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let future =
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120));
        let parsed = parse_retry_after(&future).expect("a date parses");
        assert!(
            parsed > Duration::from_secs(100) && parsed <= Duration::from_secs(120),
            "{parsed:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}

//! Delivery over HTTP: one classified attempt ([`Deliverer::attempt`]), the
//! retry loop ([`Deliverer::deliver`], [`Deliverer::deliver_with_headers`]),
//! and the reference client's [`send_feedback`].
//!
//! The process-wide [`Deliverer::shared`] holds one `reqwest::Client`, so
//! connections and TLS sessions are reused across tool calls.

use std::sync::LazyLock;
use std::time::Duration;

use reqwest::{StatusCode, Url, header};
use serde::Deserialize;

use crate::options::{ApiKey, DeliveryConfig, FEEDBACK_PATH, Options, ResolvedOptions};
use crate::payload::FeedbackPayload;
use crate::unsent::log_unsent;

/// The `User-Agent` of every request: `PatchworkMCP-Rust/<crate version>`.
pub const USER_AGENT: &str = concat!("PatchworkMCP-Rust/", env!("CARGO_PKG_VERSION"));

/// What the service answered to a delivered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The HTTP status (any 2xx; the service answers 201).
    pub http_status: u16,
    /// The feedback's id on the service, when the body had one.
    pub id: Option<String>,
    /// The service's status for the feedback, when the body had one.
    pub status: Option<String>,
}

/// The classified result of one HTTP attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A 2xx answer.
    Delivered(Receipt),
    /// 429, 5xx, a connection error or a timeout: worth trying again.
    Retryable {
        /// A short token such as `status_503` or `unreachable:timeout`.
        reason: String,
        /// The server's `Retry-After` (in seconds form), if it sent one.
        retry_after: Option<Duration>,
    },
    /// Any other answer (400, 401, 403, 404, 413, 3xx…): retrying cannot help.
    Final {
        /// A short token such as `status_401`.
        reason: String,
    },
}

/// The result of a delivery with retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Delivered on attempt number `attempts` (1-based).
    Delivered {
        /// The service's answer.
        receipt: Receipt,
        /// How many attempts it took.
        attempts: u32,
    },
    /// Not delivered; `reason` is the last attempt's.
    Failed {
        /// A short token such as `status_503`.
        reason: String,
        /// How many attempts were made.
        attempts: u32,
        /// Whether the last attempt was retryable: `true` when the retries ran out (worth
        /// trying again later), `false` when the service refused it for good.
        retryable: bool,
    },
}

/// Sends JSON bodies to the service with a [`DeliveryConfig`]'s timeouts and
/// retry policy. Build one per config and keep it: it owns a connection pool.
#[derive(Debug, Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    config: DeliveryConfig,
}

/// Why a [`Deliverer`] could not be built (the TLS backend failed to start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelivererInitError(String);

impl std::fmt::Display for DelivererInitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not build the HTTP client: {}", self.0)
    }
}

impl std::error::Error for DelivererInitError {}

static SHARED: LazyLock<Result<Deliverer, DelivererInitError>> =
    LazyLock::new(|| Deliverer::new(DeliveryConfig::default()));

#[derive(Deserialize)]
struct ServiceAnswer {
    id: Option<serde_json::Value>,
    status: Option<String>,
}

impl Deliverer {
    /// Builds a deliverer (and its HTTP client) for `config`. Redirects are
    /// not followed: a redirect could carry the bearer key somewhere else.
    pub fn new(config: DeliveryConfig) -> Result<Self, DelivererInitError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .timeout(config.request_timeout())
            .user_agent(USER_AGENT)
            .pool_max_idle_per_host(5)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .build()
            .map_err(|e| DelivererInitError(e.without_url().to_string()))?;
        Ok(Self { client, config })
    }

    /// The process-wide deliverer with the default (reference) config.
    pub fn shared() -> Result<&'static Deliverer, &'static DelivererInitError> {
        SHARED.as_ref()
    }

    /// This deliverer's config.
    pub fn config(&self) -> &DeliveryConfig {
        &self.config
    }

    /// One `POST` of `body` (JSON text) to `url` with the bearer key,
    /// classified. Bounded by the config's timeouts; never panics.
    pub async fn attempt(&self, url: &Url, api_key: &ApiKey, body: &str) -> AttemptOutcome {
        self.attempt_with_headers(url, api_key, body, &[]).await
    }

    /// [`Deliverer::attempt`] with extra request headers (e.g. `Idempotency-Key`).
    /// A header that is not valid HTTP makes the outcome `Final { reason: "request_invalid" }`.
    pub async fn attempt_with_headers(
        &self,
        url: &Url,
        api_key: &ApiKey,
        body: &str,
        headers: &[(&str, &str)],
    ) -> AttemptOutcome {
        let mut request = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .bearer_auth(api_key.expose())
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return classify_error(&error),
        };
        let status = response.status();
        if status.is_success() {
            // The body is informative only: a 2xx with an odd body is still delivered.
            let answer = response.json::<ServiceAnswer>().await.ok();
            return AttemptOutcome::Delivered(Receipt {
                http_status: status.as_u16(),
                id: answer
                    .as_ref()
                    .and_then(|a| a.id.as_ref())
                    .map(|id| match id {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    }),
                status: answer.and_then(|a| a.status),
            });
        }
        let reason = format!("status_{}", status.as_u16());
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            AttemptOutcome::Retryable {
                reason,
                retry_after: retry_after(response.headers()),
            }
        } else {
            AttemptOutcome::Final { reason }
        }
    }

    /// [`Deliverer::attempt`] with retries: up to `max_retries` more attempts
    /// after a retryable outcome, waiting [`DeliveryConfig::retry_delay`]
    /// between them. Worst case with the default config: 3 × 5 s + 1.5 s.
    pub async fn deliver(&self, url: &Url, api_key: &ApiKey, body: &str) -> DeliveryOutcome {
        self.deliver_with_headers(url, api_key, body, &[]).await
    }

    /// [`Deliverer::deliver`] with extra request headers on every attempt (e.g. the same
    /// `Idempotency-Key`, so the service can recognise a repeat).
    pub async fn deliver_with_headers(
        &self,
        url: &Url,
        api_key: &ApiKey,
        body: &str,
        headers: &[(&str, &str)],
    ) -> DeliveryOutcome {
        let max_retries = self.config.max_retries();
        let mut retry = 0;
        loop {
            let attempts = retry + 1;
            match self.attempt_with_headers(url, api_key, body, headers).await {
                AttemptOutcome::Delivered(receipt) => {
                    tracing::debug!(
                        attempts,
                        http_status = receipt.http_status,
                        "feedback delivered"
                    );
                    return DeliveryOutcome::Delivered { receipt, attempts };
                }
                AttemptOutcome::Final { reason } => {
                    tracing::warn!(attempts, %reason, "feedback refused; not retrying");
                    return DeliveryOutcome::Failed {
                        reason,
                        attempts,
                        retryable: false,
                    };
                }
                AttemptOutcome::Retryable { reason, .. } if retry >= max_retries => {
                    tracing::warn!(attempts, %reason, "feedback not delivered; out of retries");
                    return DeliveryOutcome::Failed {
                        reason,
                        attempts,
                        retryable: true,
                    };
                }
                AttemptOutcome::Retryable {
                    reason,
                    retry_after,
                } => {
                    let delay = self.config.retry_delay(retry, retry_after);
                    tracing::info!(attempts, %reason, delay_ms = delay.as_millis() as u64, "retrying feedback delivery");
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
            }
        }
    }
}

fn classify_error(error: &reqwest::Error) -> AttemptOutcome {
    let reason = if error.is_timeout() {
        "unreachable:timeout"
    } else if error.is_connect() {
        "unreachable:connect"
    } else if error.is_builder() {
        return AttemptOutcome::Final {
            reason: "request_invalid".to_string(),
        };
    } else {
        "unreachable:transport"
    };
    AttemptOutcome::Retryable {
        reason: reason.to_string(),
        retry_after: None,
    }
}

/// `Retry-After` in either form: delay-seconds, or an HTTP date (a date in
/// the past means "now").
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    parse_retry_after(headers.get(header::RETRY_AFTER)?.to_str().ok()?)
}

/// Parses a `Retry-After` value: `120` or `Wed, 21 Oct 2015 07:28:00 GMT`.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// What happened to one piece of feedback handed to [`submit_feedback`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The service recorded it.
    Delivered {
        /// The service's answer.
        receipt: Receipt,
        /// How many attempts it took.
        attempts: u32,
    },
    /// Not delivered; the unsent line was written to stderr.
    Kept {
        /// Why (e.g. `missing_api_key`, `insecure_url`, `status_503`).
        reason: String,
    },
}

impl SendOutcome {
    /// The short message for the agent (never asks it to retry).
    pub fn message(&self) -> String {
        match self {
            Self::Delivered { .. } => {
                "Thank you. Your feedback has been recorded and will be used \
                                       to improve this server's capabilities."
                    .to_string()
            }
            Self::Kept { reason } if reason == "missing_api_key" => {
                "Feedback was not sent because this server has no PatchworkMCP API key configured; \
                 it was kept in the server's log. No need to retry."
                    .to_string()
            }
            Self::Kept { reason } => format!(
                "Feedback could not be delivered right now ({reason}); it was kept in the \
                 server's log for later delivery. No need to retry."
            ),
        }
    }
}

/// Delivers `payload` with already-resolved options through `deliverer`
/// (capping it first), or keeps it as an unsent line on stderr when there is
/// no key, the URL is refused, or delivery fails for good. Never panics.
pub async fn submit_feedback(
    payload: &FeedbackPayload,
    resolved: &ResolvedOptions,
    deliverer: &Deliverer,
) -> SendOutcome {
    let mut capped = payload.clone();
    capped.apply_caps();
    let kept = |reason: &str| {
        log_unsent(reason, &capped);
        SendOutcome::Kept {
            reason: reason.to_string(),
        }
    };
    let Some(api_key) = &resolved.api_key else {
        tracing::warn!("no PatchworkMCP API key configured (PATCHWORKMCP_API_KEY); not sending");
        return kept("missing_api_key");
    };
    let url = match resolved.endpoint(FEEDBACK_PATH) {
        Ok(url) => url,
        Err(error) => {
            tracing::error!(%error, "not sending feedback");
            return kept(error.reason());
        }
    };
    match deliverer
        .deliver(&url, api_key, &capped.to_json_line())
        .await
    {
        DeliveryOutcome::Delivered { receipt, attempts } => {
            SendOutcome::Delivered { receipt, attempts }
        }
        DeliveryOutcome::Failed { reason, .. } => kept(&reason),
    }
}

/// Sends feedback to PatchworkMCP, as the reference client does: options
/// from `opts`, then the environment, then defaults; up to 2 retries with
/// 500 ms then 1000 ms backoff on 429, 5xx, connection errors and timeouts;
/// no retry on other 4xx. Always returns a short message for the agent; on
/// final failure (or without an API key) writes one
/// `PATCHWORKMCP_UNSENT_FEEDBACK` line to stderr. Never panics.
///
/// ```no_run
/// # async fn demo(args: serde_json::Value) {
/// use patchwork_runtime::{payload_from_args, send_feedback};
/// let payload = payload_from_args(&args, None);
/// let message = send_feedback(&payload, None).await;
/// # }
/// ```
pub async fn send_feedback(payload: &FeedbackPayload, opts: Option<&Options>) -> String {
    let resolved = ResolvedOptions::resolve(opts);
    send_resolved(payload, &resolved).await.message()
}

/// [`submit_feedback`] through the shared deliverer.
pub(crate) async fn send_resolved(
    payload: &FeedbackPayload,
    resolved: &ResolvedOptions,
) -> SendOutcome {
    match Deliverer::shared() {
        Ok(deliverer) => submit_feedback(payload, resolved, deliverer).await,
        Err(error) => {
            tracing::error!(%error, "not sending feedback");
            let mut capped = payload.clone();
            capped.apply_caps();
            log_unsent("client_init_failed", &capped);
            SendOutcome::Kept {
                reason: "client_init_failed".to_string(),
            }
        }
    }
}

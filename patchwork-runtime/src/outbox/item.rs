//! What the outbox stores: one item per feedback, and the limits and errors of storing.

use std::fmt;
use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::delivery::IdempotencyKey;
use crate::feedback::Origin;

/// One feedback waiting for delivery, as stored (one JSON line per item file).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OutboxItem {
    /// Sent as `Idempotency-Key` on every attempt and replay of this feedback.
    pub(crate) key: IdempotencyKey,
    /// When the feedback was recorded, in milliseconds since the Unix epoch.
    pub(crate) created_ms: u64,
    /// The base URL the feedback was meant for. A process delivers only items addressed to its
    /// own base URL, so its API key never goes to a host it was not configured for.
    pub(crate) url: String,
    /// The server's slug the feedback was accepted for.
    #[serde(default)]
    pub(crate) slug: String,
    /// The fingerprint of the API key it was accepted under (never the key): a process delivers only the items
    /// of its own key, so one team's feedback never goes out under another team's key. Empty in items written
    /// before fingerprints existed; only a replay sends those (the rule is `OutboxItem::owned_by`).
    #[serde(default)]
    pub(crate) key_id: String,
    /// The request body exactly as it will be POSTed (the wire contract's feedback object).
    pub(crate) payload: Box<RawValue>,
    /// How many identical calls this item stands for (flood suppression; 1 normally).
    #[serde(default = "one")]
    pub(crate) count: u64,
    /// `tools_available` entries the cap dropped (0 normally).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(crate) tools_dropped: u64,
    /// A gap signal rather than an agent's report (sent with `Patchwork-Origin: signal`).
    #[serde(default, skip_serializing_if = "Origin::is_report")]
    pub(crate) origin: Origin,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl PartialEq for OutboxItem {
    fn eq(&self, other: &Self) -> bool {
        let fields = |item: &Self| {
            (
                item.key.clone(),
                item.created_ms,
                item.url.clone(),
                item.slug.clone(),
                item.key_id.clone(),
                item.count,
                item.tools_dropped,
                item.origin,
            )
        };
        fields(self) == fields(other) && self.payload.get() == other.payload.get()
    }
}

/// `body` as raw JSON; text that is not JSON (never produced here) is stored as a JSON string, not lost.
fn raw(body: &str) -> Box<RawValue> {
    RawValue::from_string(body.to_owned())
        .or_else(|_| RawValue::from_string(serde_json::Value::from(body).to_string()))
        .unwrap_or_default()
}

fn one() -> u64 {
    1
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

impl OutboxItem {
    /// A new item with a fresh random key, recorded now, owned by `url` and the key `key_id`.
    pub(crate) fn new(
        url: impl Into<String>,
        key_id: impl Into<String>,
        slug: impl Into<String>,
        body: &str,
    ) -> Self {
        Self {
            key: IdempotencyKey::random(),
            created_ms: now_ms(),
            url: url.into(),
            slug: slug.into(),
            key_id: key_id.into(),
            payload: raw(body),
            count: 1,
            tools_dropped: 0,
            origin: Origin::Report,
        }
    }

    /// The file name of this item in `pending/`: creation time first, so a sorted listing is
    /// oldest first.
    pub(super) fn file_name(&self) -> String {
        format!("{:013}-{}.json", self.created_ms, self.key)
    }
}

/// How much the outbox may hold. Past either limit a new feedback is not stored: it is logged
/// (with its full payload, as an unsent line) instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutboxLimits {
    /// Most items in `pending/`.
    pub(crate) max_items: u64,
    /// Most bytes of item files in `pending/`.
    pub(crate) max_bytes: u64,
}

impl Default for OutboxLimits {
    /// 10,000 items or 32 MiB: room for a long outage without filling a user's disk.
    fn default() -> Self {
        Self {
            max_items: 10_000,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Why [`Outbox::append`] did not store an item.
#[derive(Debug)]
pub(crate) enum AppendError {
    /// The outbox is at its size cap; the item was not stored.
    Full {
        /// Items pending when the cap was hit (as this process last counted them).
        items: u64,
        /// Bytes pending when the cap was hit.
        bytes: u64,
        /// The limits in force.
        limits: OutboxLimits,
    },
    /// The outbox could not be written (read-only filesystem, permissions, disk full, ...).
    Io(io::Error),
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full {
                items,
                bytes,
                limits,
            } => write!(
                f,
                "outbox full ({items} items, {bytes} bytes; limits {} items, {} bytes)",
                limits.max_items, limits.max_bytes
            ),
            Self::Io(error) => write!(f, "outbox not writable: {error}"),
        }
    }
}

impl std::error::Error for AppendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Full { .. } => None,
            Self::Io(error) => Some(error),
        }
    }
}

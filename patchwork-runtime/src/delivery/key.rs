//! Idempotency keys: one per feedback, sent on every attempt and replay.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::random::random_u64;

/// The key sent as the `Idempotency-Key` header: one per feedback, the same on every retry and
/// every replay, so the service (and our replay command) can tell a repeat from a new feedback.
///
/// It is shaped like a UUID (`8-4-4-4-12` lowercase hex digits). Only that shape is accepted
/// when reading one back, because keys also name files in the outbox.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A new random key (UUID version 4 layout).
    pub(crate) fn random() -> Self {
        Self::from_bits(u128::from(random_u64()) << 64 | u128::from(random_u64()), 4)
    }

    /// A key derived from content: the same bytes always give the same key (UUID version 8
    /// layout). Replay uses it for logged feedback lines that carry no key of their own, so
    /// replaying one log twice still sends each feedback once.
    pub(crate) fn from_content(bytes: &[u8]) -> Self {
        // FNV-1a, 128-bit: stable across Rust versions and platforms, unlike std's hashers.
        const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
        const PRIME: u128 = 0x0000000001000000000000000000013B;
        let hash = bytes.iter().fold(OFFSET, |hash, byte| {
            (hash ^ u128::from(*byte)).wrapping_mul(PRIME)
        });
        Self::from_bits(hash, 8)
    }

    /// Parses a key in the canonical shape; `None` for anything else.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == 36
            && bytes.iter().enumerate().all(|(at, byte)| match at {
                8 | 13 | 18 | 23 => *byte == b'-',
                _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(byte),
            });
        well_formed.then(|| Self(text.to_owned()))
    }

    /// The key as text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    fn from_bits(bits: u128, version: u128) -> Self {
        let bits = (bits & !(0xf << 76)) | (version << 76); // version nibble
        let bits = (bits & !(0x3 << 62)) | (0x2 << 62); // RFC 4122 variant
        let hex = format!("{bits:032x}");
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text).ok_or_else(|| format!("not an idempotency key: {text:?}"))
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn random_keys_are_well_formed_and_distinct() {
        let keys: HashSet<IdempotencyKey> = (0..10_000).map(|_| IdempotencyKey::random()).collect();
        assert_eq!(keys.len(), 10_000);
        for key in keys.iter().take(100) {
            assert_eq!(IdempotencyKey::parse(key.as_str()).as_ref(), Some(key));
            assert_eq!(&key.as_str()[14..15], "4", "version nibble of {key}");
        }
    }

    #[test]
    fn content_keys_are_stable_and_content_sensitive() {
        let a = IdempotencyKey::from_content(b"{\"what_i_needed\":\"x\"}");
        assert_eq!(
            a,
            IdempotencyKey::from_content(b"{\"what_i_needed\":\"x\"}")
        );
        assert_ne!(
            a,
            IdempotencyKey::from_content(b"{\"what_i_needed\":\"y\"}")
        );
        assert_eq!(IdempotencyKey::parse(a.as_str()), Some(a.clone()));
        // Pinned so that a change of hash (which would make replays resend) is noticed.
        assert_eq!(
            IdempotencyKey::from_content(b"").as_str(),
            "6c62272e-07bb-8142-a2b8-21756295c58d"
        );
    }

    #[test]
    fn parse_refuses_anything_that_could_escape_a_file_name() {
        for bad in [
            "",
            "../../etc/passwd",
            "6C62272E-07BB-8142-A2B8-21756295C58D",
            "6c62272e-07bb-8142-a2b8-21756295c58",
            "6c62272e/07bb-8142-a2b8-21756295c58d",
            "6c62272e-07bb-8142-a2b8-21756295c58dd",
        ] {
            assert_eq!(IdempotencyKey::parse(bad), None, "{bad:?}");
        }
        assert!(serde_json::from_str::<IdempotencyKey>("\"../x\"").is_err());
    }
}

//! A small source of randomness for ids and retry jitter.
//!
//! std's `RandomState` is seeded from the operating system's random source once per thread, so hashing a
//! counter and the clock through fresh `RandomState`s gives unpredictable, distinct values without a
//! dependency. They are ids and jitter, not secrets.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A random 64-bit value (distinct on every call; used for ids and jitter).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
}

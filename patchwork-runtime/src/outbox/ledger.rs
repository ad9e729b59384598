//! What the outbox remembers beside its items: the keys of delivered items (so replay skips them) and the
//! repeat counts of flood-suppressed items (so a count survives a restart). Both are best effort, and both are
//! read with the same care as items: never through a link, never past a bound.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::sync::atomic::Ordering;

use super::files::{private_file, repeats_tmp_name};
use super::safety::{Oddity, open_checked, read_checked};
use super::{
    DELIVERED_LOG, DELIVERED_LOG_MAX_BYTES, DELIVERED_LOG_OLD, DELIVERED_LOG_READ_MAX, Outbox,
    REPEATS, REPEATS_FILE_MAX, TMP,
};
use crate::delivery::IdempotencyKey;

impl Outbox {
    /// Persists that the item `key` stands for `count` identical calls (flood suppression), so the count
    /// survives a restart. Best effort: a lost count only under-reports repeats.
    pub(crate) fn note_repeats(&self, key: &IdempotencyKey, count: u64) {
        let tmp = self.dir.join(TMP).join(repeats_tmp_name(key));
        let written = open_checked(
            &tmp,
            private_file(OpenOptions::new().write(true).create(true).truncate(true)),
            REPEATS_FILE_MAX,
        )
        .and_then(|opened| opened.map_err(|odd| io::Error::other(odd.to_string())))
        .and_then(|mut file| file.write_all(count.to_string().as_bytes()))
        .and_then(|()| fs::rename(&tmp, self.dir.join(REPEATS).join(key.as_str())));
        if let Err(error) = written {
            tracing::debug!(%error, "could not persist a repeat count");
        }
    }

    /// The repeat count persisted for the item `key` (1 when none is).
    pub(crate) fn repeats(&self, key: &IdempotencyKey) -> u64 {
        read_checked(&self.dir.join(REPEATS).join(key.as_str()), REPEATS_FILE_MAX)
            .ok()
            .and_then(Result::ok)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(1)
    }

    /// Keys recorded as delivered (current and previous ledger generation).
    pub(crate) fn delivered_keys(&self) -> HashSet<IdempotencyKey> {
        let mut keys = HashSet::new();
        for name in [DELIVERED_LOG_OLD, DELIVERED_LOG] {
            let content = match read_checked(&self.dir.join(name), DELIVERED_LOG_READ_MAX) {
                Ok(Ok(content)) => content,
                Ok(Err(odd)) => {
                    self.ledger_is_odd(name, odd);
                    continue;
                }
                Err(_) => continue,
            };
            let text = String::from_utf8_lossy(&content);
            keys.extend(text.lines().filter_map(IdempotencyKey::parse));
        }
        keys
    }

    /// Notes `key` as delivered (best effort: the ledger only saves replays a request).
    pub(crate) fn record_delivered(&self, key: &IdempotencyKey) {
        let path = self.dir.join(DELIVERED_LOG);
        let opened = match open_checked(
            &path,
            private_file(OpenOptions::new().create(true).append(true)),
            u64::MAX,
        ) {
            Ok(Ok(file)) => Ok(file),
            Ok(Err(odd)) => return self.ledger_is_odd(DELIVERED_LOG, odd),
            Err(error) => Err(error),
        };
        let appended = opened.and_then(|mut file| {
            // One write of a short line with O_APPEND: concurrent writers do not interleave.
            file.write_all(format!("{key}\n").as_bytes())?;
            file.metadata()
        });
        match appended {
            Ok(meta) if meta.len() > DELIVERED_LOG_MAX_BYTES => {
                let _ = fs::rename(&path, self.dir.join(DELIVERED_LOG_OLD));
            }
            Ok(_) => {}
            Err(error) => tracing::debug!(%error, "could not note a delivered key"),
        }
    }

    /// A ledger file that is not a regular file of a ledger's size is neither read nor written; said once.
    fn ledger_is_odd(&self, name: &str, odd: Oddity) {
        if !self.ledger_odd.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                file = %self.dir.join(name).display(),
                "the outbox's delivered-keys ledger is not used because {odd}; replay may send delivered \
                 feedback again (with its idempotency key)"
            );
        }
    }
}

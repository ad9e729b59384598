//! The durable outbox: feedback waits here, on disk, until the service has accepted it.
//!
//! # Layout
//! ```text
//! <outbox>/pending/<created_ms>-<key>.json   one item per file: one JSON line (OutboxItem)
//! <outbox>/tmp/                              items being written (renamed into pending/ when whole)
//! <outbox>/rejected/                         items the service refused for good (a final 4xx)
//! <outbox>/corrupt/                          item files that do not parse (torn writes), kept
//! <outbox>/delivered.log, delivered.log.1    keys of delivered items, so replay can skip them
//! ```
//!
//! # Why one file per item, claimed with `flock`
//! Several server processes may share one outbox (an MCP client starts one per window), and all
//! of them drain it. With a single JSON-lines file, removing a delivered line means rewriting the
//! file under a lock while others append, and claiming a line needs leases that expire by the
//! clock, which a slow but living process can overrun (then two processes send it). Here:
//! - **append** writes `tmp/<name>`, fsyncs it, renames it into `pending/` and fsyncs the
//!   directory: a reader sees a whole item or none, and it survives a power cut once `append`
//!   returns (the tool replies only after that);
//! - **claim** takes a non-blocking exclusive `flock` on the item file. The kernel releases it
//!   when the holder exits or is killed (SIGKILL included), so a crashed claimer needs no lease
//!   expiry; after locking, the claimer checks that the path still names the file it locked, so
//!   an item its deliverer removed a moment before is not sent again;
//! - **remove** (delivered) is an unlink while the lock is held.
//!
//! No two processes hold one item at once, and every item stays in `pending/` until one of
//! them removes it after the service accepted it. (The one unavoidable repeat — the service
//! accepted but the process died before the unlink — carries the same `Idempotency-Key`.)
//!
//! A file in `pending/` that does not parse (a torn write from a crash on a filesystem that
//! reordered the rename before the data) is moved to `corrupt/` with a warning and skipped.

mod files;
mod item;

pub(crate) use item::{AppendError, OutboxItem, OutboxLimits};

use crate::delivery::IdempotencyKey;
use crate::random::random_u64;
use files::{
    file_name, parse_item_file_name, private_dir, private_file, still_linked, sync_dir,
    write_synced,
};

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const PENDING: &str = "pending";
const TMP: &str = "tmp";
const REJECTED: &str = "rejected";
const CORRUPT: &str = "corrupt";
const REPEATS: &str = "repeats";
const DELIVERED_LOG: &str = "delivered.log";
const DELIVERED_LOG_OLD: &str = "delivered.log.1";
/// The delivered-keys ledger rotates past this size (about 13,000 keys per generation).
const DELIVERED_LOG_MAX_BYTES: u64 = 512 * 1024;
/// `tmp/` files older than this were left by a writer that died before renaming them: that
/// feedback was never acknowledged to the agent, so removing it loses nothing promised.
const STALE_TMP_AGE: Duration = Duration::from_secs(15 * 60);

/// An item file found in `pending/` (not yet read or claimed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingEntry {
    /// The item's idempotency key (from its file name).
    pub(crate) key: IdempotencyKey,
    /// When it was recorded (from its file name), milliseconds since the Unix epoch.
    pub(crate) created_ms: u64,
    path: PathBuf,
}

/// The result of [`Outbox::try_claim`].
#[derive(Debug)]
pub(crate) enum Claim {
    /// This handle now holds the item; nobody else can claim it until it is dropped.
    Claimed(ClaimedItem),
    /// Another process or handle holds it right now.
    Busy,
    /// It is no longer pending (delivered or rejected by someone else).
    Gone,
    /// Its file did not parse; it was moved to `corrupt/` with a warning.
    Corrupt,
}

/// An item held exclusively by this handle, and the item as read. Dropping it releases the item (it stays
/// pending).
#[derive(Debug)]
pub(crate) struct ClaimedItem {
    pub(crate) item: OutboxItem,
    pub(crate) lock: ItemLock,
}

/// The exclusive hold on one item file. Dropping it releases the item (it stays pending).
#[derive(Debug)]
pub(crate) struct ItemLock {
    path: PathBuf,
    size: u64,
    /// Holds the `flock`; closing it releases the claim.
    _file: File,
}

/// A handle on one outbox directory. Cheap to share (`Arc`) between tasks and threads; many
/// handles, in one process or several, may use the same directory at once.
#[derive(Debug)]
pub(crate) struct Outbox {
    dir: PathBuf,
    limits: OutboxLimits,
    /// What `pending/` holds, as this handle last counted it (others may have changed it since;
    /// recounted by every [`Outbox::pending`]).
    items: AtomicU64,
    bytes: AtomicU64,
}

impl Outbox {
    /// Opens (creating if needed) the outbox in `dir` and checks that it can be written.
    pub(crate) fn open(dir: impl Into<PathBuf>, limits: OutboxLimits) -> io::Result<Self> {
        let dir = dir.into();
        private_dir(&dir)?;
        for sub in [PENDING, TMP, REJECTED, CORRUPT, REPEATS] {
            private_dir(&dir.join(sub))?;
        }
        let outbox = Self {
            dir,
            limits,
            items: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        };
        outbox.probe_writable()?;
        outbox.remove_stale_tmp();
        outbox.pending()?;
        Ok(outbox)
    }

    /// The outbox directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores `item` durably: when this returns `Ok`, the item is on disk (file and directory
    /// entry synced) and stays in `pending/` until delivered.
    pub(crate) fn append(&self, item: &OutboxItem) -> Result<(), AppendError> {
        let mut line = serde_json::to_vec(item).map_err(|error| AppendError::Io(error.into()))?;
        line.push(b'\n');
        let size = line.len() as u64;
        let (items, bytes) = (
            self.items.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
        );
        if items >= self.limits.max_items || bytes.saturating_add(size) > self.limits.max_bytes {
            return Err(AppendError::Full {
                items,
                bytes,
                limits: self.limits,
            });
        }
        let name = item.file_name();
        let tmp = self.dir.join(TMP).join(&name);
        let written = write_synced(&tmp, &line)
            .and_then(|()| fs::rename(&tmp, self.dir.join(PENDING).join(&name)));
        if let Err(error) = written {
            let _ = fs::remove_file(&tmp);
            return Err(AppendError::Io(error));
        }
        sync_dir(&self.dir.join(PENDING));
        self.items.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(size, Ordering::Relaxed);
        Ok(())
    }

    /// The pending entry `item` has once appended (whether or not it is still there).
    pub(crate) fn entry_for(&self, item: &OutboxItem) -> PendingEntry {
        PendingEntry {
            key: item.key.clone(),
            created_ms: item.created_ms,
            path: self.dir.join(PENDING).join(item.file_name()),
        }
    }

    /// Lists `pending/`, oldest first, and recounts its size. Files whose names are not item
    /// names are ignored.
    pub(crate) fn pending(&self) -> io::Result<Vec<PendingEntry>> {
        let mut entries = Vec::new();
        let mut bytes = 0u64;
        for dir_entry in fs::read_dir(self.dir.join(PENDING))? {
            let Ok(dir_entry) = dir_entry else { continue };
            let Some(entry) = parse_item_file_name(&dir_entry.path()) else {
                continue;
            };
            bytes += dir_entry.metadata().map_or(0, |meta| meta.len());
            entries.push(entry);
        }
        entries.sort_by(|a, b| (a.created_ms, &a.key).cmp(&(b.created_ms, &b.key)));
        self.items.store(entries.len() as u64, Ordering::Relaxed);
        self.bytes.store(bytes, Ordering::Relaxed);
        Ok(entries)
    }

    /// Takes `entry` again for one more attempt without reading it (the caller holds the item already):
    /// `None` when it is gone or another holder has it.
    pub(crate) fn relock(&self, entry: &PendingEntry) -> io::Result<Option<ItemLock>> {
        match self.lock(entry)? {
            Ok(file) => {
                let size = file.metadata().map_or(0, |meta| meta.len());
                Ok(Some(ItemLock {
                    path: entry.path.clone(),
                    size,
                    _file: file,
                }))
            }
            Err(_) => Ok(None),
        }
    }

    /// Opens and `flock`s `entry`'s file: `Err(Busy | Gone)` when someone else holds it or it is gone.
    fn lock(&self, entry: &PendingEntry) -> io::Result<Result<File, Claim>> {
        let file = match File::open(&entry.path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Err(Claim::Gone)),
            Err(error) => return Err(error),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(Err(Claim::Busy)),
            Err(std::fs::TryLockError::Error(error)) => return Err(error),
        }
        if !still_linked(&file, &entry.path)? {
            return Ok(Err(Claim::Gone));
        }
        Ok(Ok(file))
    }

    /// Tries to take `entry` for delivery without waiting, and reads it.
    pub(crate) fn try_claim(&self, entry: &PendingEntry) -> io::Result<Claim> {
        let mut file = match self.lock(entry)? {
            Ok(file) => file,
            Err(other) => return Ok(other),
        };
        let mut content = Vec::new();
        file.read_to_end(&mut content)?;
        match serde_json::from_slice::<OutboxItem>(&content) {
            Ok(item) if item.key == entry.key => Ok(Claim::Claimed(ClaimedItem {
                item,
                lock: ItemLock {
                    path: entry.path.clone(),
                    size: content.len() as u64,
                    _file: file,
                },
            })),
            parsed => {
                let why = match parsed {
                    Ok(_) => "its key does not match its file name".to_owned(),
                    Err(error) => format!("it is torn or not an outbox item ({error})"),
                };
                let target = self.dir.join(CORRUPT).join(file_name(&entry.path));
                let moved = private_dir(&self.dir.join(CORRUPT))
                    .and_then(|()| fs::rename(&entry.path, &target));
                match moved {
                    Ok(()) => tracing::warn!(
                        file = %target.display(),
                        "skipped an outbox item because {why}; moved it aside"
                    ),
                    Err(error) => tracing::warn!(
                        file = %entry.path.display(),
                        %error,
                        "skipped an outbox item because {why}; could not move it aside"
                    ),
                }
                self.forget(content.len() as u64);
                Ok(Claim::Corrupt)
            }
        }
    }

    /// The service accepted the item `key`: removes it for good and notes its key in the ledger.
    pub(crate) fn complete(&self, lock: ItemLock, key: &IdempotencyKey) -> io::Result<()> {
        match fs::remove_file(&lock.path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        self.forget(lock.size);
        self.record_delivered(key);
        let _ = fs::remove_file(self.dir.join(REPEATS).join(key.as_str()));
        Ok(())
    }

    /// The service refused the item for good (a final 4xx): moves it to `rejected/`, where it
    /// is kept for a person to look at or replay, and out of the way of every drain.
    pub(crate) fn reject(&self, lock: ItemLock, key: &IdempotencyKey) -> io::Result<PathBuf> {
        let _ = fs::remove_file(self.dir.join(REPEATS).join(key.as_str()));
        private_dir(&self.dir.join(REJECTED))?;
        let target = self.dir.join(REJECTED).join(file_name(&lock.path));
        fs::rename(&lock.path, &target)?;
        self.forget(lock.size);
        Ok(target)
    }

    /// Persists that the item `key` stands for `count` identical calls (flood suppression), so the count
    /// survives a restart. Best effort: a lost count only under-reports repeats.
    pub(crate) fn note_repeats(&self, key: &IdempotencyKey, count: u64) {
        let tmp = self.dir.join(TMP).join(format!("{key}.repeats"));
        let written = private_file(OpenOptions::new().write(true).create(true).truncate(true))
            .open(&tmp)
            .and_then(|mut file| file.write_all(count.to_string().as_bytes()))
            .and_then(|()| fs::rename(&tmp, self.dir.join(REPEATS).join(key.as_str())));
        if let Err(error) = written {
            tracing::debug!(%error, "could not persist a repeat count");
        }
    }

    /// The repeat count persisted for the item `key` (1 when none is).
    pub(crate) fn repeats(&self, key: &IdempotencyKey) -> u64 {
        fs::read_to_string(self.dir.join(REPEATS).join(key.as_str()))
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(1)
    }

    /// Keys recorded as delivered (current and previous ledger generation).
    pub(crate) fn delivered_keys(&self) -> HashSet<IdempotencyKey> {
        let mut keys = HashSet::new();
        for name in [DELIVERED_LOG_OLD, DELIVERED_LOG] {
            let Ok(text) = fs::read_to_string(self.dir.join(name)) else {
                continue;
            };
            keys.extend(text.lines().filter_map(IdempotencyKey::parse));
        }
        keys
    }

    /// Notes `key` as delivered (best effort: the ledger only saves replays a request).
    pub(crate) fn record_delivered(&self, key: &IdempotencyKey) {
        let path = self.dir.join(DELIVERED_LOG);
        let appended = private_file(OpenOptions::new().create(true).append(true))
            .open(&path)
            .and_then(|mut file| {
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

    fn forget(&self, size: u64) {
        let _ = self
            .items
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
        let _ = self
            .bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(size))
            });
    }

    fn probe_writable(&self) -> io::Result<()> {
        let probe = self
            .dir
            .join(TMP)
            .join(format!(".probe-{:016x}", random_u64()));
        let written = File::create_new(&probe).and_then(|mut file| file.write_all(b"probe"));
        let _ = fs::remove_file(&probe);
        written
    }

    fn remove_stale_tmp(&self) {
        let Ok(entries) = fs::read_dir(self.dir.join(TMP)) else {
            return;
        };
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|meta| meta.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > STALE_TMP_AGE);
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests;

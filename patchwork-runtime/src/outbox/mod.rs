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
//! reordered the rename before the data) is moved to `corrupt/` with a warning and skipped; so is
//! anything named like an item that is not a regular file within [`MAX_ITEM_FILE_BYTES`] (a FIFO, a
//! symbolic link, a directory, a huge file), which is never opened or read whole (see `safety`).

mod census;
mod files;
mod item;
mod ledger;
mod lifecycle;
mod safety;

pub(crate) use census::{Census, census};
pub(crate) use item::{AppendError, OutboxItem, OutboxLimits, now_ms};
pub(crate) use lifecycle::{Drainer, Settlement, Taken};
pub(crate) use safety::{DirState, inspect};

use crate::contract::fields::MAX_PAYLOAD_BYTES;
use crate::delivery::IdempotencyKey;
use crate::random::random_u64;
use files::{file_name, parse_item_file_name, probe_name, still_linked, sync_dir, write_synced};
use safety::{Oddity, oddity, open_checked, private_dir, read_bounded};

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const PENDING: &str = "pending";
const TMP: &str = "tmp";
const REJECTED: &str = "rejected";
const CORRUPT: &str = "corrupt";
const REPEATS: &str = "repeats";
/// The subdirectories an outbox has.
const SUBDIRECTORIES: [&str; 5] = [PENDING, TMP, REJECTED, CORRUPT, REPEATS];
const DELIVERED_LOG: &str = "delivered.log";
const DELIVERED_LOG_OLD: &str = "delivered.log.1";
/// The delivered-keys ledger rotates past this size (about 13,000 keys per generation).
const DELIVERED_LOG_MAX_BYTES: u64 = 512 * 1024;
/// `tmp/` files older than this were left by a writer that died before renaming them: that
/// feedback was never acknowledged to the agent, so removing it loses nothing promised.
const STALE_TMP_AGE: Duration = Duration::from_secs(15 * 60);
/// The largest item file read: a capped payload and its envelope fit with room to spare; anything larger is
/// not an item this crate wrote.
pub(crate) const MAX_ITEM_FILE_BYTES: u64 = 2 * MAX_PAYLOAD_BYTES as u64;
/// The largest ledger generation read (it rotates at half this).
const DELIVERED_LOG_READ_MAX: u64 = 2 * DELIVERED_LOG_MAX_BYTES;
/// The largest repeat-count file read (a decimal `u64`).
const REPEATS_FILE_MAX: u64 = 32;

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
    /// Odd entries of `pending/` that could not be moved aside: skipped, and warned about once.
    unmovable: Mutex<HashSet<PathBuf>>,
    /// Whether the delivered-keys ledger was found odd (warned about once).
    ledger_odd: AtomicBool,
}

impl Outbox {
    /// Opens (creating if needed) the outbox in `dir` and checks that it can be written. An existing directory
    /// that another user owns or others can write, or subdirectories that are symbolic links, are refused (the
    /// error says why).
    pub(crate) fn open(dir: impl Into<PathBuf>, limits: OutboxLimits) -> io::Result<Self> {
        let dir = dir.into();
        private_dir(&dir, true)?;
        for sub in SUBDIRECTORIES {
            private_dir(&dir.join(sub), false)?;
        }
        let outbox = Self {
            dir,
            limits,
            items: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            unmovable: Mutex::new(HashSet::new()),
            ledger_odd: AtomicBool::new(false),
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
        if size > MAX_ITEM_FILE_BYTES {
            return Err(AppendError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("an item of {size} bytes is larger than an outbox item may be"),
            )));
        }
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
    /// names are ignored; entries named like items that are not regular files of an item's size are
    /// moved aside (and not counted).
    pub(crate) fn pending(&self) -> io::Result<Vec<PendingEntry>> {
        let (entries, bytes) = scan_pending(
            &self.dir,
            |path| self.left_aside(path),
            |path, odd| self.set_aside(path, &odd.to_string()),
        )?;
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

    /// Opens and `flock`s `entry`'s file: `Err(Busy | Gone)` when someone else holds it or it is gone,
    /// `Err(Corrupt)` when it is not an item file (then it is moved aside).
    fn lock(&self, entry: &PendingEntry) -> io::Result<Result<File, Claim>> {
        let file = match open_checked(
            &entry.path,
            OpenOptions::new().read(true),
            MAX_ITEM_FILE_BYTES,
        ) {
            Ok(Ok(file)) => file,
            Ok(Err(odd)) => {
                self.set_aside(&entry.path, &odd.to_string());
                return Ok(Err(Claim::Corrupt));
            }
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
        let content = match read_bounded(&mut file, MAX_ITEM_FILE_BYTES)? {
            Ok(content) => content,
            Err(odd) => {
                drop(file);
                self.set_aside(&entry.path, &odd.to_string());
                return Ok(Claim::Corrupt);
            }
        };
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
                drop(file);
                self.set_aside(&entry.path, &why);
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
        private_dir(&self.dir.join(REJECTED), false)?;
        let target = self.dir.join(REJECTED).join(file_name(&lock.path));
        fs::rename(&lock.path, &target)?;
        self.forget(lock.size);
        Ok(target)
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
        let probe = self.dir.join(TMP).join(probe_name(random_u64()));
        let written = File::create_new(&probe).and_then(|mut file| file.write_all(b"probe"));
        let _ = fs::remove_file(&probe);
        written
    }
}

/// The item entries of `dir`'s `pending/`, oldest first, and their size: names that are not item names are
/// ignored, entries `skip` names are passed over, and entries named like items that are not regular files of an
/// item's size are given to `odd` (and not listed). Nothing is opened.
fn scan_pending(
    dir: &Path,
    skip: impl Fn(&Path) -> bool,
    mut odd: impl FnMut(&Path, Oddity),
) -> io::Result<(Vec<PendingEntry>, u64)> {
    let mut entries = Vec::new();
    let mut bytes = 0u64;
    for dir_entry in fs::read_dir(dir.join(PENDING))? {
        let Ok(dir_entry) = dir_entry else { continue };
        let Some(entry) = parse_item_file_name(&dir_entry.path()) else {
            continue;
        };
        if skip(&entry.path) {
            continue;
        }
        // Not followed: the entry itself.
        let Ok(meta) = dir_entry.metadata() else {
            continue;
        };
        if let Some(oddity) = oddity(&meta, MAX_ITEM_FILE_BYTES) {
            odd(&entry.path, oddity);
            continue;
        }
        bytes += meta.len();
        entries.push(entry);
    }
    entries.sort_by(|a, b| (a.created_ms, &a.key).cmp(&(b.created_ms, &b.key)));
    Ok((entries, bytes))
}

#[cfg(all(test, unix))]
mod hostile_tests;
#[cfg(test)]
mod tests;

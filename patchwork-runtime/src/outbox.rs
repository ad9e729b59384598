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

mod key;
mod location;

pub use key::IdempotencyKey;
pub(crate) use key::random_u64;
pub use location::{OUTBOX_ENV, OutboxSetting, default_outbox_dir};

use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

const PENDING: &str = "pending";
const TMP: &str = "tmp";
const REJECTED: &str = "rejected";
const CORRUPT: &str = "corrupt";
const DELIVERED_LOG: &str = "delivered.log";
const DELIVERED_LOG_OLD: &str = "delivered.log.1";
/// The delivered-keys ledger rotates past this size (about 13,000 keys per generation).
const DELIVERED_LOG_MAX_BYTES: u64 = 512 * 1024;
/// `tmp/` files older than this were left by a writer that died before renaming them: that
/// feedback was never acknowledged to the agent, so removing it loses nothing promised.
const STALE_TMP_AGE: Duration = Duration::from_secs(15 * 60);

/// One feedback waiting for delivery, as stored (one JSON line per item file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// Sent as `Idempotency-Key` on every attempt and replay of this feedback.
    pub key: IdempotencyKey,
    /// When the feedback was recorded, in milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// The base URL the feedback was meant for. A process delivers only items addressed to its
    /// own base URL, so its API key never goes to a host it was not configured for.
    pub url: String,
    /// The request body exactly as it will be POSTed (the wire contract's feedback object).
    pub payload: Value,
    /// How many identical calls this item stands for (flood suppression; 1 normally).
    #[serde(default = "one")]
    pub count: u64,
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
    /// A new item with a fresh random key, recorded now.
    pub fn new(url: impl Into<String>, payload: Value) -> Self {
        Self {
            key: IdempotencyKey::random(),
            created_ms: now_ms(),
            url: url.into(),
            payload,
            count: 1,
        }
    }

    /// The file name of this item in `pending/`: creation time first, so a sorted listing is
    /// oldest first.
    fn file_name(&self) -> String {
        format!("{:013}-{}.json", self.created_ms, self.key)
    }
}

/// How much the outbox may hold. Past either limit a new feedback is not stored: it is logged
/// (with its full payload, as an unsent line) instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxLimits {
    /// Most items in `pending/`.
    pub max_items: u64,
    /// Most bytes of item files in `pending/`.
    pub max_bytes: u64,
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
pub enum AppendError {
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

/// An item file found in `pending/` (not yet read or claimed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    /// The item's idempotency key (from its file name).
    pub key: IdempotencyKey,
    /// When it was recorded (from its file name), milliseconds since the Unix epoch.
    pub created_ms: u64,
    path: PathBuf,
}

/// The result of [`Outbox::try_claim`].
#[derive(Debug)]
pub enum Claim {
    /// This handle now holds the item; nobody else can claim it until it is dropped.
    Claimed(ClaimedItem),
    /// Another process or handle holds it right now.
    Busy,
    /// It is no longer pending (delivered or rejected by someone else).
    Gone,
    /// Its file did not parse; it was moved to `corrupt/` with a warning.
    Corrupt,
}

/// An item held exclusively by this handle. Dropping it releases the item (it stays pending).
#[derive(Debug)]
pub struct ClaimedItem {
    item: OutboxItem,
    path: PathBuf,
    size: u64,
    /// Holds the `flock`; closing it releases the claim.
    _lock: File,
}

impl ClaimedItem {
    /// The stored item.
    pub fn item(&self) -> &OutboxItem {
        &self.item
    }
}

/// A handle on one outbox directory. Cheap to share (`Arc`) between tasks and threads; many
/// handles, in one process or several, may use the same directory at once.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    limits: OutboxLimits,
    /// What `pending/` holds, as this handle last counted it (others may have changed it since;
    /// recounted by every [`Outbox::pending`]).
    items: AtomicU64,
    bytes: AtomicU64,
}

impl Outbox {
    /// Opens (creating if needed) the outbox in `dir` and checks that it can be written.
    pub fn open(dir: impl Into<PathBuf>, limits: OutboxLimits) -> io::Result<Self> {
        let dir = dir.into();
        for sub in [PENDING, TMP] {
            fs::create_dir_all(dir.join(sub))?;
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
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The limits in force.
    pub fn limits(&self) -> OutboxLimits {
        self.limits
    }

    /// Stores `item` durably: when this returns `Ok`, the item is on disk (file and directory
    /// entry synced) and stays in `pending/` until delivered.
    pub fn append(&self, item: &OutboxItem) -> Result<(), AppendError> {
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
    pub fn entry_for(&self, item: &OutboxItem) -> PendingEntry {
        PendingEntry {
            key: item.key.clone(),
            created_ms: item.created_ms,
            path: self.dir.join(PENDING).join(item.file_name()),
        }
    }

    /// Lists `pending/`, oldest first, and recounts its size. Files whose names are not item
    /// names are ignored.
    pub fn pending(&self) -> io::Result<Vec<PendingEntry>> {
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

    /// Tries to take `entry` for delivery without waiting.
    pub fn try_claim(&self, entry: &PendingEntry) -> io::Result<Claim> {
        let mut file = match File::open(&entry.path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Claim::Gone),
            Err(error) => return Err(error),
        };
        if !fs4::fs_std::FileExt::try_lock_exclusive(&file)? {
            return Ok(Claim::Busy);
        }
        if !still_linked(&file, &entry.path)? {
            return Ok(Claim::Gone);
        }
        let mut content = Vec::new();
        file.read_to_end(&mut content)?;
        match serde_json::from_slice::<OutboxItem>(&content) {
            Ok(item) if item.key == entry.key => Ok(Claim::Claimed(ClaimedItem {
                item,
                path: entry.path.clone(),
                size: content.len() as u64,
                _lock: file,
            })),
            parsed => {
                let why = match parsed {
                    Ok(_) => "its key does not match its file name".to_owned(),
                    Err(error) => format!("it is torn or not an outbox item ({error})"),
                };
                let target = self.dir.join(CORRUPT).join(file_name(&entry.path));
                let moved = fs::create_dir_all(self.dir.join(CORRUPT))
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

    /// The service accepted the item: removes it for good and notes its key in the ledger.
    pub fn complete(&self, claimed: ClaimedItem) -> io::Result<()> {
        match fs::remove_file(&claimed.path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        self.forget(claimed.size);
        self.record_delivered(&claimed.item.key);
        Ok(())
    }

    /// The service refused the item for good (a final 4xx): moves it to `rejected/`, where it
    /// is kept for a person to look at or replay, and out of the way of every drain.
    pub fn reject(&self, claimed: ClaimedItem) -> io::Result<PathBuf> {
        fs::create_dir_all(self.dir.join(REJECTED))?;
        let target = self.dir.join(REJECTED).join(file_name(&claimed.path));
        fs::rename(&claimed.path, &target)?;
        self.forget(claimed.size);
        Ok(target)
    }

    /// Keys recorded as delivered (current and previous ledger generation).
    pub fn delivered_keys(&self) -> HashSet<IdempotencyKey> {
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
    pub fn record_delivered(&self, key: &IdempotencyKey) {
        let path = self.dir.join(DELIVERED_LOG);
        let appended = OpenOptions::new()
            .create(true)
            .append(true)
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

/// Parses `<created_ms>-<key>.json`.
fn parse_item_file_name(path: &Path) -> Option<PendingEntry> {
    let name = path.file_name()?.to_str()?;
    let (created, rest) = name.split_once('-')?;
    let key = IdempotencyKey::parse(rest.strip_suffix(".json")?)?;
    Some(PendingEntry {
        key,
        created_ms: created.parse().ok()?,
        path: path.to_path_buf(),
    })
}

fn file_name(path: &Path) -> &std::ffi::OsStr {
    path.file_name().unwrap_or(path.as_os_str())
}

fn write_synced(path: &Path, content: &[u8]) -> io::Result<()> {
    let mut file = File::create_new(path)?;
    file.write_all(content)?;
    file.sync_data()
}

/// Makes a rename in `dir` durable. Some filesystems cannot sync a directory; the item file
/// itself is already synced, so that is only logged.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(error) = File::open(dir).and_then(|dir| dir.sync_all()) {
        tracing::debug!(%error, dir = %dir.display(), "could not sync the outbox directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Whether `path` still names the file `file` has open (it may have been removed or renamed
/// between our open and our lock).
fn still_linked(file: &File, path: &Path) -> io::Result<bool> {
    let current = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(error),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let held = file.metadata()?;
        Ok(held.dev() == current.dev() && held.ino() == current.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (file, current);
        Ok(true)
    }
}

#[cfg(test)]
mod tests;

//! The file operations the outbox's promises rest on: synced writes, synced renames, and checking that a
//! locked file is still the one its path names.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use super::PendingEntry;
use crate::delivery::IdempotencyKey;

/// Parses `<created_ms>-<key>.json`.
pub(super) fn parse_item_file_name(path: &Path) -> Option<PendingEntry> {
    let name = path.file_name()?.to_str()?;
    let (created, rest) = name.split_once('-')?;
    let key = IdempotencyKey::parse(rest.strip_suffix(".json")?)?;
    Some(PendingEntry {
        key,
        created_ms: created.parse().ok()?,
        path: path.to_path_buf(),
    })
}

const REPEATS_SUFFIX: &str = ".repeats";
const PROBE_PREFIX: &str = ".probe-";

/// The name in `tmp/` of the repeat count of the item `key`, while it is written.
pub(super) fn repeats_tmp_name(key: &IdempotencyKey) -> String {
    format!("{key}{REPEATS_SUFFIX}")
}

/// The name in `tmp/` of the file that shows the outbox can be written.
pub(super) fn probe_name(random: u64) -> String {
    format!("{PROBE_PREFIX}{random:016x}")
}

/// Whether `name` is one this module writes in `tmp/` (an item, a repeat count, a probe): what else is there is
/// not ours to remove.
pub(super) fn written_to_tmp(name: &str) -> bool {
    parse_item_file_name(Path::new(name)).is_some()
        || name
            .strip_suffix(REPEATS_SUFFIX)
            .and_then(IdempotencyKey::parse)
            .is_some()
        || name
            .strip_prefix(PROBE_PREFIX)
            .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn file_name(path: &Path) -> &std::ffi::OsStr {
    path.file_name().unwrap_or(path.as_os_str())
}

/// Opens `path` for writing, readable by its owner only (whatever the umask).
pub(super) fn private_file(options: &mut fs::OpenOptions) -> &mut fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600)
    }
    #[cfg(not(unix))]
    options
}

pub(super) fn write_synced(path: &Path, content: &[u8]) -> io::Result<()> {
    let mut file = private_file(fs::OpenOptions::new().write(true).create_new(true)).open(path)?;
    file.write_all(content)?;
    file.sync_data()
}

/// Makes a rename in `dir` durable. Some filesystems cannot sync a directory; the item file
/// itself is already synced, so that is only logged.
pub(super) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(error) = File::open(dir).and_then(|dir| dir.sync_all()) {
        tracing::debug!(%error, dir = %dir.display(), "could not sync the outbox directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Whether `path` still names the file `file` has open (it may have been removed or renamed
/// between our open and our lock).
pub(super) fn still_linked(file: &File, path: &Path) -> io::Result<bool> {
    let current = match fs::symlink_metadata(path) {
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

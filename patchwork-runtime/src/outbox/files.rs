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

pub(super) fn file_name(path: &Path) -> &std::ffi::OsStr {
    path.file_name().unwrap_or(path.as_os_str())
}

/// Creates `dir` (and missing parents) readable by its owner only, and tightens it if it exists with wider
/// modes: the outbox holds the agents' text about what the user was doing. A directory that cannot be
/// tightened (another owner's) is used as it is, with one warning per process.
pub(super) fn private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0
            && let Err(error) = fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    dir = %dir.display(),
                    mode = format!("{mode:o}"),
                    %error,
                    "the feedback outbox is readable by other users and could not be made private"
                );
            });
        }
        Ok(())
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)
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

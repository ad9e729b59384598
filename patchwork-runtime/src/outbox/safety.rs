//! What the outbox accepts of what it finds on disk. `PATCHWORKMCP_OUTBOX` may name a directory other programs
//! use, and anything in it may be odd (a FIFO, a link to a device, a huge file, a directory named like an item):
//! - a directory is created private (0700) when missing; an existing one is never re-permissioned (it may not be
//!   ours) and is refused when it is not a directory, is a symbolic link (below the root the user named), belongs
//!   to another user or can be written by others; readable by others, it is used with one warning;
//! - a file is opened without following a symbolic link and without waiting (a FIFO opens at once), and used
//!   only when it is a regular file within a size bound, read with that bound.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use super::files::{file_name, written_to_tmp};
use super::{CORRUPT, Outbox, STALE_TMP_AGE, TMP};

impl Outbox {
    /// Moves an entry of `pending/` that is not a deliverable item to `corrupt/`, with one warning; one that
    /// cannot be moved is skipped from then on, warned about once.
    pub(super) fn set_aside(&self, path: &Path, why: &str) {
        let mut unmovable = self
            .unmovable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if unmovable.contains(path) {
            return;
        }
        let target = self.dir.join(CORRUPT).join(file_name(path));
        let moved =
            private_dir(&self.dir.join(CORRUPT), false).and_then(|()| fs::rename(path, &target));
        match moved {
            Ok(()) => tracing::warn!(
                file = %target.display(),
                "skipped an outbox item because {why}; moved it aside"
            ),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(
                    file = %path.display(),
                    %error,
                    "skipped an outbox item because {why}; could not move it aside, so it is left and skipped"
                );
                unmovable.insert(path.to_path_buf());
            }
        }
    }

    /// Whether `path` is an odd entry that could not be moved aside (skipped by every listing).
    pub(super) fn left_aside(&self, path: &Path) -> bool {
        self.unmovable
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(path)
    }

    /// Removes what writers that died left in `tmp/`: only regular files with the names this module writes
    /// there, and only old ones. Anything else is someone else's and stays.
    pub(super) fn remove_stale_tmp(&self) {
        let Ok(entries) = fs::read_dir(self.dir.join(TMP)) else {
            return;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_str().is_some_and(written_to_tmp) {
                continue;
            }
            // Not followed: the entry itself.
            let stale = entry
                .metadata()
                .ok()
                .filter(fs::Metadata::is_file)
                .and_then(|meta| meta.modified().ok())
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > STALE_TMP_AGE);
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Why an entry found in the outbox is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Oddity {
    Symlink,
    NotRegular,
    TooLarge { limit: u64 },
}

impl fmt::Display for Oddity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Symlink => f.write_str("it is a symbolic link"),
            Self::NotRegular => f.write_str("it is not a regular file"),
            Self::TooLarge { limit } => write!(f, "it is larger than {limit} bytes"),
        }
    }
}

/// What `meta` (not followed) says is wrong with an entry that should be a regular file of at most `limit` bytes.
pub(super) fn oddity(meta: &fs::Metadata, limit: u64) -> Option<Oddity> {
    if meta.file_type().is_symlink() {
        Some(Oddity::Symlink)
    } else if !meta.is_file() {
        Some(Oddity::NotRegular)
    } else if meta.len() > limit {
        Some(Oddity::TooLarge { limit })
    } else {
        None
    }
}

/// Opens `path` with `options`, never following a symbolic link at its end and never waiting on it (a FIFO or
/// device opens at once, and is then refused): `Err(oddity)` unless it is a regular file of at most `limit`
/// bytes.
pub(super) fn open_checked(
    path: &Path,
    options: &mut OpenOptions,
    limit: u64,
) -> io::Result<Result<File, Oddity>> {
    match fs::symlink_metadata(path) {
        // Looked at first, so a FIFO or a device is never opened at all.
        Ok(meta) => {
            if let Some(odd) = oddity(&meta, limit) {
                return Ok(Err(odd));
            }
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let file = match no_follow(options).open(path) {
        Ok(file) => file,
        // Replaced by a link since the look (the open refused to follow it).
        Err(_) if fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) => {
            return Ok(Err(Oddity::Symlink));
        }
        Err(error) => return Err(error),
    };
    Ok(match oddity(&file.metadata()?, limit) {
        Some(odd) => Err(odd),
        None => Ok(file),
    })
}

/// Reads `file` to its end, but no more than `limit` bytes (a file that grew past it is refused).
pub(super) fn read_bounded(file: &mut File, limit: u64) -> io::Result<Result<Vec<u8>, Oddity>> {
    let mut content = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut content)?;
    Ok(if content.len() as u64 > limit {
        Err(Oddity::TooLarge { limit })
    } else {
        Ok(content)
    })
}

/// The content of the regular file at `path`, of at most `limit` bytes.
pub(super) fn read_checked(path: &Path, limit: u64) -> io::Result<Result<Vec<u8>, Oddity>> {
    match open_checked(path, OpenOptions::new().read(true), limit)? {
        Ok(mut file) => read_bounded(&mut file, limit),
        Err(odd) => Ok(Err(odd)),
    }
}

fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
    }
    #[cfg(not(unix))]
    options
}

/// Makes sure `dir` is a directory the outbox can trust, creating it (and missing parents) private when it is
/// missing. `root` is the directory the user named: it may be reached through a symbolic link; the outbox's
/// own subdirectories may not. Only a directory created here is given its mode.
pub(super) fn private_dir(dir: &Path, root: bool) -> io::Result<()> {
    match look(dir, root) {
        Ok(meta) => trusted(dir, &meta),
        Err(error) if error.kind() == io::ErrorKind::NotFound => create_private(dir, root),
        Err(error) => Err(error),
    }
}

fn look(dir: &Path, root: bool) -> io::Result<fs::Metadata> {
    if root {
        fs::metadata(dir)
    } else {
        fs::symlink_metadata(dir)
    }
}

fn create_private(dir: &Path, root: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if root && let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)?;
        }
        match fs::DirBuilder::new().mode(0o700).create(dir) {
            // Ours: given its mode whatever the umask.
            Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(0o700)),
            // Another process made it a moment ago: look at it as at any existing one.
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                trusted(dir, &look(dir, root)?)
            }
            Err(error) => Err(error),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = root;
        fs::create_dir_all(dir)
    }
}

/// Whether an existing directory may hold the outbox: an error saying why not; one that others can read is used
/// with one warning.
fn trusted(dir: &Path, meta: &fs::Metadata) -> io::Result<()> {
    if let Some(mode) = judge(dir, meta)? {
        tracing::warn!(
            dir = %dir.display(),
            mode = format!("{mode:o}"),
            "the feedback outbox is readable by other users; patchwork leaves its mode as it is \
             (it changes only directories it creates): `chmod 700` it to keep the feedback private"
        );
    }
    Ok(())
}

/// The one rule for an existing directory: an error saying why it is not used (a symbolic link, not a
/// directory, another user's, writable by others), else its mode when others can read it.
fn judge(dir: &Path, meta: &fs::Metadata) -> io::Result<Option<u32>> {
    let refuse = |why: String| {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} {why}; patchwork does not use it", dir.display()),
        ))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link".to_owned());
    }
    if !meta.is_dir() {
        return refuse("is not a directory".to_owned());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mine = my_uid()?;
        if meta.uid() != mine {
            return refuse(format!("belongs to another user (uid {})", meta.uid()));
        }
        // Shown with the sticky and set-id bits (`1777`, not `777`), as `ls` and `stat` show it.
        let shown = meta.permissions().mode() & 0o7777;
        let mode = shown & 0o777;
        if mode & 0o022 != 0 {
            return refuse(format!("can be written by other users (mode {shown:o})"));
        }
        if mode & 0o044 != 0 {
            return Ok(Some(mode));
        }
    }
    Ok(None)
}

/// What an outbox directory is, by the rules [`Outbox::open`] applies, looked at without creating or changing
/// anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirState {
    /// It does not exist yet (a server creates it private at start).
    Missing,
    /// It may hold the outbox; `readable_by_others` is its mode when others can read it.
    Usable { readable_by_others: Option<u32> },
}

/// Looks at the outbox directory `dir` and the subdirectories it has: `Err` says why it would not be used.
pub(crate) fn inspect(dir: &Path) -> io::Result<DirState> {
    let meta = match look(dir, true) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(DirState::Missing),
        Err(error) => return Err(error),
    };
    let readable_by_others = judge(dir, &meta)?;
    for sub in super::SUBDIRECTORIES {
        let sub = dir.join(sub);
        match look(&sub, false) {
            Ok(meta) => {
                judge(&sub, &meta)?;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(DirState::Usable { readable_by_others })
}

/// This process's effective user id, without `unsafe`: the owner of a pipe it has just made.
#[cfg(unix)]
fn my_uid() -> io::Result<u32> {
    use std::os::unix::fs::MetadataExt;
    let (reader, _writer) = io::pipe()?;
    Ok(File::from(std::os::fd::OwnedFd::from(reader))
        .metadata()?
        .uid())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn inspect_applies_the_rules_of_open_and_changes_nothing() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("outbox");
        assert_eq!(inspect(&dir).expect("missing"), DirState::Missing);
        assert!(!dir.exists(), "nothing created");
        let mode = |mode: u32| fs::set_permissions(&dir, fs::Permissions::from_mode(mode));
        fs::create_dir(&dir).expect("mkdir");
        mode(0o700).expect("chmod");
        assert_eq!(
            inspect(&dir).expect("private"),
            DirState::Usable {
                readable_by_others: None
            }
        );
        mode(0o755).expect("chmod");
        assert_eq!(
            inspect(&dir).expect("readable"),
            DirState::Usable {
                readable_by_others: Some(0o755)
            }
        );
        mode(0o777).expect("chmod");
        let refused = inspect(&dir).expect_err("writable by others");
        assert!(
            refused
                .to_string()
                .contains("can be written by other users (mode 777)"),
            "{refused}"
        );
        assert_eq!(
            fs::metadata(&dir).expect("meta").permissions().mode() & 0o777,
            0o777,
            "its mode is left as it is"
        );
        mode(0o700).expect("chmod");
        std::os::unix::fs::symlink(root.path(), dir.join(super::super::PENDING)).expect("symlink");
        let linked = inspect(&dir).expect_err("a linked subdirectory");
        assert!(
            linked.to_string().contains("is a symbolic link"),
            "{linked}"
        );
    }
}

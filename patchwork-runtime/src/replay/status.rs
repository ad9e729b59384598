//! `patchwork-replay status`: what waits in the outbox, per service URL and key fingerprint (counts and the
//! oldest item's age), and how many items were refused or set aside. Never an item's contents, never the key.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::Replay;
use super::check::short;
use crate::config::{Layer, OutboxSetting, outbox_location, process_env, resolve};
use crate::delivery::Target;
use crate::outbox::{Census, DirState, census, inspect};

/// What waits in an outbox ([`Replay::status`]); its `Display` is one line per group.
///
/// ```no_run
/// let status = patchwork_runtime::Replay::new().outbox_dir("/var/lib/weather/patchwork-outbox").status()?;
/// print!("{status}"); // what waits, per service and key; never an item's contents
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct OutboxStatus {
    dir: PathBuf,
    census: Option<Census>,
}

impl OutboxStatus {
    /// How many items wait in `pending/`, for every service and key.
    ///
    /// ```no_run
    /// let status = patchwork_runtime::Replay::new().status()?;
    /// if status.waiting() > 0 {
    ///     eprintln!("{} feedback items wait for delivery", status.waiting());
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn waiting(&self) -> u64 {
        self.census
            .as_ref()
            .map_or(0, |census| census.pending.values().map(|w| w.items).sum())
    }
}

impl fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "outbox   {}", self.dir.display())?;
        let Some(census) = &self.census else {
            return write!(f, "\npending  none (the outbox does not exist yet)");
        };
        if census.pending.is_empty() {
            write!(f, "\npending  none")?;
        }
        for ((url, key_id), waiting) in &census.pending {
            let whose = if key_id.is_empty() {
                "without a key fingerprint (written by an older version; only patchwork-replay sends them)"
                    .to_owned()
            } else if waiting.mine {
                format!("under key {} (this key)", short(key_id))
            } else {
                format!("under key {}", short(key_id))
            };
            write!(
                f,
                "\npending  {} for {url} {whose}, oldest {}",
                waiting.items,
                age(Duration::from_millis(waiting.oldest_age_ms))
            )?;
        }
        if census.unreadable > 0 {
            write!(
                f,
                "\nunreadable {} in pending/ (not items patchwork can read; a server moves them to corrupt/)",
                census.unreadable
            )?;
        }
        write!(
            f,
            "\nrejected {} (refused by the service for good)\ncorrupt  {} (set aside: torn or not items)",
            census.rejected, census.corrupt
        )
    }
}

/// `45s`, `12m 5s`, `3h 12m`, `2d 4h`.
fn age(age: Duration) -> String {
    let secs = age.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3_600 => format!("{}m {}s", secs / 60, secs % 60),
        3_600..86_400 => format!("{}h {}m", secs / 3_600, secs % 3_600 / 60),
        _ => format!("{}d {}h", secs / 86_400, secs % 86_400 / 3_600),
    }
}

impl Replay {
    /// What waits in the outbox this replay names (`PATCHWORKMCP_OUTBOX`, else the per-user default), read
    /// without changing it. Items of the key this replay resolves are marked. `Err` when the outbox is off, or
    /// its directory is not one patchwork uses (the error says why) or cannot be read.
    ///
    /// ```no_run
    /// let status = patchwork_runtime::Replay::new().status().expect("a readable outbox");
    /// println!("{status}");
    /// ```
    pub fn status(self) -> io::Result<OutboxStatus> {
        let setting = outbox_location(self.outbox.as_ref(), &process_env);
        let dir = match (&setting, setting.resolve()) {
            (OutboxSetting::Off, _) => return Err(io::Error::other("the outbox is off")),
            (_, None) => {
                return Err(io::Error::other(
                    "no per-user state directory (HOME, XDG_STATE_HOME): set PATCHWORKMCP_OUTBOX",
                ));
            }
            (_, Some(dir)) => dir,
        };
        let settings = resolve(&[&Layer::from(&self.options)], &process_env);
        let target = Target::feedback(&settings).ok();
        let owner = target
            .as_ref()
            .map(|target| (target.base.as_str(), target.key_id.as_str()));
        let census = match inspect(&dir)? {
            DirState::Missing => None,
            DirState::Usable { .. } => Some(census(&dir, owner)?),
        };
        Ok(OutboxStatus { dir, census })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_operators_write_them() {
        assert_eq!(age(Duration::from_secs(45)), "45s");
        assert_eq!(age(Duration::from_secs(725)), "12m 5s");
        assert_eq!(age(Duration::from_secs(3 * 3_600 + 12 * 60 + 9)), "3h 12m");
        assert_eq!(age(Duration::from_secs(2 * 86_400 + 4 * 3_600)), "2d 4h");
    }
}

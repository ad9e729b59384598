//! Where the outbox lives: the run-time choice, else `PATCHWORKMCP_OUTBOX`, else a per-user default.
//!
//! A directory path places it; `off` (also `0`, `false`, `none`, `disabled`, any case) turns it off, so
//! feedback that cannot be delivered is only written to stderr as an unsent line; unset or empty means the
//! per-user default (see [`default_outbox_dir`]).

use std::env;
use std::path::PathBuf;

/// Where to keep the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OutboxSetting {
    /// No outbox: undeliverable feedback goes to stderr only.
    Off,
    /// The per-user default directory (see [`default_outbox_dir`]).
    Default,
    /// This directory.
    Dir(PathBuf),
}

impl OutboxSetting {
    /// Interprets a value of `PATCHWORKMCP_OUTBOX` (`None` when unset).
    pub(crate) fn parse(value: Option<&str>) -> Self {
        let Some(value) = value else {
            return Self::Default;
        };
        let text = value.trim();
        if text.is_empty() {
            Self::Default
        } else if ["off", "0", "false", "none", "disabled"]
            .iter()
            .any(|word| text.eq_ignore_ascii_case(word))
        {
            Self::Off
        } else {
            Self::Dir(PathBuf::from(text))
        }
    }

    /// The directory this setting names; `None` when off or when no default can be found.
    pub(crate) fn resolve(&self) -> Option<PathBuf> {
        match self {
            Self::Off => None,
            Self::Default => default_outbox_dir(),
            Self::Dir(dir) => Some(dir.clone()),
        }
    }
}

/// The per-user default outbox directory:
/// `$XDG_STATE_HOME/patchworkmcp/outbox`, else `$HOME/.local/state/patchworkmcp/outbox`
/// (on Windows `%LOCALAPPDATA%\patchworkmcp\outbox`). `None` when none of these is set.
pub(crate) fn default_outbox_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let state_home = absolute("XDG_STATE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local").join("state")))
        .or_else(|| absolute("LOCALAPPDATA"))?;
    Some(state_home.join("patchworkmcp").join("outbox"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_map_to_settings() {
        assert_eq!(OutboxSetting::parse(None), OutboxSetting::Default);
        assert_eq!(OutboxSetting::parse(Some(" ")), OutboxSetting::Default);
        for off in ["off", "OFF", "0", "false", "None", "disabled"] {
            assert_eq!(OutboxSetting::parse(Some(off)), OutboxSetting::Off, "{off}");
        }
        assert_eq!(
            OutboxSetting::parse(Some("/var/tmp/box")),
            OutboxSetting::Dir(PathBuf::from("/var/tmp/box"))
        );
        assert_eq!(OutboxSetting::Off.resolve(), None);
        assert_eq!(
            OutboxSetting::Dir(PathBuf::from("/x")).resolve(),
            Some(PathBuf::from("/x"))
        );
    }

    #[test]
    fn default_dir_ends_in_patchworkmcp_outbox() {
        // The exact prefix depends on XDG_STATE_HOME; any machine running tests has a HOME.
        let dir = default_outbox_dir().expect("HOME or XDG_STATE_HOME is set");
        assert!(dir.ends_with("patchworkmcp/outbox"), "{}", dir.display());
        assert!(dir.is_absolute());
    }
}

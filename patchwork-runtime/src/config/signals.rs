//! The gap signals' settings: whether they are delivered (the builder, else `PATCHWORKMCP_SIGNALS`, else on),
//! how long a window aggregates them (the builder, else `PATCHWORKMCP_SIGNALS_WINDOW` in seconds, else 60 s), and
//! whether a tool's error text goes with a `tool_error` signal (the builder only; off by default).

use std::time::Duration;

use crate::contract::texts::{ENV_SIGNALS, ENV_SIGNALS_WINDOW};

/// The default aggregation window.
pub(crate) const DEFAULT_WINDOW: Duration = Duration::from_secs(60);
/// The longest window (an hour: the rate limit's period).
pub(crate) const MAX_WINDOW: Duration = Duration::from_secs(3600);

/// What the builder chose; `None` falls through to the environment, then the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SignalChoice {
    pub(crate) deliver: Option<bool>,
    pub(crate) window: Option<Duration>,
    pub(crate) error_text: bool,
}

/// The resolved settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignalSettings {
    /// Whether aggregated signals go to the service (tracing events are written either way).
    pub(crate) deliver: bool,
    pub(crate) window: Duration,
    /// Whether a `tool_error` signal carries the tool's error text (redacted).
    pub(crate) error_text: bool,
}

/// Resolves `choice` over `env` and the defaults. A value of `PATCHWORKMCP_SIGNALS` that is not a switch turns
/// delivery off (nothing more leaves the machine than was asked), with a warning; a window out of range is
/// clamped to 1 s – 1 h.
pub(crate) fn signal_settings(
    choice: SignalChoice,
    env: &dyn Fn(&str) -> Option<String>,
) -> SignalSettings {
    let deliver = choice.deliver.unwrap_or_else(|| {
        let value = env(ENV_SIGNALS);
        match value.as_deref().map(|v| v.trim().to_ascii_lowercase()) {
            None => true,
            Some(v) if v.is_empty() => true,
            Some(v) if matches!(v.as_str(), "on" | "true" | "1" | "yes") => true,
            Some(v) if matches!(v.as_str(), "off" | "false" | "0" | "no") => false,
            Some(_) => {
                tracing::warn!(
                    "{ENV_SIGNALS} is neither on nor off; gap signals are not delivered"
                );
                false
            }
        }
    });
    let window = choice
        .window
        .or_else(|| {
            let value = env(ENV_SIGNALS_WINDOW)?;
            let parsed = value.trim().parse::<u64>().ok().map(Duration::from_secs);
            if parsed.is_none() && !value.trim().is_empty() {
                tracing::warn!("{ENV_SIGNALS_WINDOW} is not a number of seconds; using 60");
            }
            parsed
        })
        .unwrap_or(DEFAULT_WINDOW)
        .clamp(Duration::from_secs(1), MAX_WINDOW);
    SignalSettings {
        deliver,
        window,
        error_text: choice.error_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn on_by_default_switched_by_the_environment_and_the_builder_wins() {
        let none = signal_settings(SignalChoice::default(), &with(&[]));
        assert_eq!(
            none,
            SignalSettings {
                deliver: true,
                window: DEFAULT_WINDOW,
                error_text: false
            }
        );
        for off in ["off", "OFF", " false ", "0", "no"] {
            let vars: &'static [(&str, &str)] = Box::leak(Box::new([(ENV_SIGNALS, off)]));
            assert!(
                !signal_settings(SignalChoice::default(), &with(vars)).deliver,
                "{off}"
            );
        }
        assert!(!signal_settings(SignalChoice::default(), &with(&[(ENV_SIGNALS, "of")])).deliver);
        assert!(signal_settings(SignalChoice::default(), &with(&[(ENV_SIGNALS, "on")])).deliver);
        let forced = SignalChoice {
            deliver: Some(true),
            ..SignalChoice::default()
        };
        assert!(signal_settings(forced, &with(&[(ENV_SIGNALS, "off")])).deliver);
    }

    #[test]
    fn the_window_comes_from_the_builder_else_the_environment_and_is_clamped() {
        let env = with(&[(ENV_SIGNALS_WINDOW, "5")]);
        assert_eq!(
            signal_settings(SignalChoice::default(), &env).window,
            Duration::from_secs(5)
        );
        let chosen = SignalChoice {
            window: Some(Duration::from_millis(10)),
            ..SignalChoice::default()
        };
        assert_eq!(signal_settings(chosen, &env).window, Duration::from_secs(1));
        let junk = with(&[(ENV_SIGNALS_WINDOW, "soon")]);
        assert_eq!(
            signal_settings(SignalChoice::default(), &junk).window,
            DEFAULT_WINDOW
        );
        let huge = with(&[(ENV_SIGNALS_WINDOW, "999999")]);
        assert_eq!(
            signal_settings(SignalChoice::default(), &huge).window,
            MAX_WINDOW
        );
    }
}

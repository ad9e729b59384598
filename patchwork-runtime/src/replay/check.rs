//! `patchwork-replay check`: whether the settings this machine resolves would deliver. One line per check, in
//! plain words, never the key: the URL against the URL policy, the key and the slug are set, the service accepts
//! them (one heartbeat), and the outbox directory is one patchwork uses.

use std::fmt;

use super::Replay;
use crate::config::{Layer, process_env, resolve};
use crate::config::{OutboxSetting, outbox_location};
use crate::delivery::{Client, RetryPolicy};
use crate::outbox::{DirState, inspect};
use crate::patchwork::check_once;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warning,
    Failed,
    Skipped,
}

/// One check: what was checked, how it came out, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    subject: &'static str,
    status: Status,
    detail: String,
}

/// What [`Replay::check`] found: one line per check (its `Display`).
///
/// ```no_run
/// # async fn demo() {
/// let report = patchwork_runtime::Replay::new().check(true).await; // offline: settings and outbox only
/// print!("{report}"); // one `ok`/`warn`/`FAIL` line per check
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct CheckReport {
    lines: Vec<Line>,
}

impl CheckReport {
    /// Whether every check passed (a warning or a skipped check is not a failure).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let report = patchwork_runtime::Replay::new().tool_names(["forecast", "feedback"]).check(false).await;
    /// std::process::exit(if report.passed() { 0 } else { 1 });
    /// # }
    /// ```
    #[must_use]
    pub fn passed(&self) -> bool {
        self.lines.iter().all(|line| line.status != Status::Failed)
    }

    /// Whether the settings are complete: the URL is accepted and a key and a slug are set.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let report = patchwork_runtime::Replay::new().check(true).await;
    /// if !report.settings_complete() {
    ///     eprintln!("set PATCHWORKMCP_API_KEY and PATCHWORKMCP_SERVER_SLUG:\n{report}");
    /// }
    /// # }
    /// ```
    #[must_use]
    pub fn settings_complete(&self) -> bool {
        self.lines
            .iter()
            .filter(|line| matches!(line.subject, "url" | "key" | "slug"))
            .all(|line| line.status == Status::Ok)
    }

    fn push(&mut self, subject: &'static str, status: Status, detail: impl Into<String>) {
        self.lines.push(Line {
            subject,
            status,
            detail: detail.into(),
        });
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, line) in self.lines.iter().enumerate() {
            let status = match line.status {
                Status::Ok => "ok",
                Status::Warning => "warning",
                Status::Failed => "FAILED",
                Status::Skipped => "skipped",
            };
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{status:<8}{:<8}{}", line.subject, line.detail)?;
        }
        Ok(())
    }
}

impl Replay {
    /// Checks the settings this replay resolves (its options, then `PATCHWORKMCP_*`): the URL, the key, the slug,
    /// whether the service accepts the key and the slug (one heartbeat with the [`Replay::tool_names`] given, unless
    /// `offline`; without them the service is not asked, since a heartbeat tells it the server's tools), and the
    /// outbox directory. Never shows the key (only its fingerprint, as outbox items record it).
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let report = patchwork_runtime::Replay::new()
    ///     .tool_names(["forecast", "feedback"])
    ///     .check(false)
    ///     .await;
    /// println!("{report}");
    /// assert!(report.passed());
    /// # }
    /// ```
    pub async fn check(self, offline: bool) -> CheckReport {
        let settings = resolve(&[&Layer::from(&self.options)], &process_env);
        let mut report = CheckReport { lines: Vec::new() };
        match &settings.url {
            Ok(url) => report.push(
                "url",
                Status::Ok,
                format!("{url} (allowed by the URL policy)"),
            ),
            Err(error) => report.push("url", Status::Failed, format!("refused: {error}")),
        }
        match &settings.api_key {
            Some(key) => report.push(
                "key",
                Status::Ok,
                format!(
                    "set (fingerprint {}; the key itself is never shown)",
                    short(&key.fingerprint())
                ),
            ),
            None => report.push("key", Status::Failed, "not set: set PATCHWORKMCP_API_KEY"),
        }
        match &settings.slug {
            Some(slug) => report.push("slug", Status::Ok, slug.clone()),
            None => report.push(
                "slug",
                Status::Failed,
                "not set: set PATCHWORKMCP_SERVER_SLUG",
            ),
        }
        match (&settings.slug, offline, report.settings_complete(), &self.tool_names) {
            (_, true, _, _) => report.push("service", Status::Skipped, "not asked (--offline)"),
            (Some(_), false, true, None) => report.push(
                "service",
                Status::Skipped,
                "not asked: give the server's tool names (--tools a,b,c): the check is a heartbeat, and a \
                 heartbeat tells the service which tools the server has",
            ),
            (Some(slug), false, true, Some(names)) => {
                let client = Client::new(RetryPolicy::reference().connect_timeout(), &[]);
                let answer = match client {
                    Ok(client) => check_once(&client, &settings, slug, names).await,
                    Err(reason) => Err(reason),
                };
                match answer {
                    Ok(acceptance) if acceptance.is_accepted() => {
                        report.push("service", Status::Ok, acceptance.describe(slug));
                    }
                    Ok(acceptance) => {
                        report.push("service", Status::Failed, acceptance.describe(slug))
                    }
                    Err(reason) => {
                        report.push("service", Status::Failed, format!("not asked: {reason}"))
                    }
                }
            }
            _ => report.push(
                "service",
                Status::Skipped,
                "not asked: the settings above are incomplete",
            ),
        }
        let setting = outbox_location(self.outbox.as_ref(), &process_env);
        match (&setting, setting.resolve()) {
            (OutboxSetting::Off, _) => report.push(
                "outbox",
                Status::Skipped,
                "off: feedback that cannot be delivered at once goes to stderr only",
            ),
            (_, None) => report.push(
                "outbox",
                Status::Failed,
                "no per-user state directory (HOME, XDG_STATE_HOME): set PATCHWORKMCP_OUTBOX",
            ),
            (_, Some(dir)) => match inspect(&dir) {
                Ok(DirState::Missing) => report.push(
                    "outbox",
                    Status::Ok,
                    format!("{} does not exist yet; a server creates it private (mode 700) at start", dir.display()),
                ),
                Ok(DirState::Usable { readable_by_others: None }) => report.push(
                    "outbox",
                    Status::Ok,
                    format!("{} is yours and closed to other users", dir.display()),
                ),
                Ok(DirState::Usable { readable_by_others: Some(mode) }) => report.push(
                    "outbox",
                    Status::Warning,
                    format!(
                        "{} is readable by other users (mode {mode:o}): `chmod 700` it to keep feedback private",
                        dir.display()
                    ),
                ),
                Err(error) => report.push("outbox", Status::Failed, error.to_string()),
            },
        }
        report
    }
}

/// The first 12 hex digits of a key fingerprint: what operators compare.
pub(super) fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

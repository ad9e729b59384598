//! Where a client's requests go: the endpoint and key ([`Target`]), and the settings with the feedback target,
//! resolved once per client and attribute ([`Destination`]).

use reqwest::Url;

use super::outcome::Reason;
use std::sync::Mutex;

use crate::config::{ApiKey, Settings};
use crate::contract::texts::FEEDBACK_PATH;
use crate::feedback::redact::Redaction;
use crate::sync::lock;

/// Where requests go and with which key: a checked endpoint URL and a present key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) endpoint: Url,
    pub(crate) api_key: ApiKey,
    /// The base URL in normal form: with `key_id`, whose items these are.
    pub(crate) base: String,
    /// The key's fingerprint.
    pub(crate) key_id: String,
}

impl Target {
    /// The feedback endpoint of `settings`, or why nothing can be sent there.
    pub(crate) fn feedback(settings: &Settings) -> Result<Self, Reason> {
        Self::at(settings, FEEDBACK_PATH)
    }

    /// The endpoint `path` below `settings`' base URL, or why nothing can be sent there.
    pub(crate) fn at(settings: &Settings, path: &str) -> Result<Self, Reason> {
        let api_key = settings.api_key.clone().ok_or(Reason::MissingApiKey)?;
        let base = settings.url.as_ref().map_err(|error| Reason::InvalidUrl {
            token: error.reason(),
        })?;
        // A URL the policy accepted always parses; `invalid_url` keeps this panic-free if it did not.
        let endpoint = Url::parse(&base.endpoint(path)).map_err(|_| Reason::InvalidUrl {
            token: "invalid_url",
        })?;
        Ok(Self {
            key_id: api_key.fingerprint(),
            base: base.as_str().to_string(),
            endpoint,
            api_key,
        })
    }
}

/// Where a client's reports go: its resolved settings and their feedback endpoint with its key (or why nothing can
/// be sent there), made once per client and attribute, so a call neither reads the environment nor fingerprints
/// the key again.
#[derive(Debug)]
pub(crate) struct Destination {
    pub(crate) settings: Settings,
    pub(crate) target: Result<Target, Reason>,
    /// The redaction rules made for reports to it (with its key redacted first), by the attribute function they
    /// came from: made once, not per call.
    rules: Mutex<Vec<(Option<usize>, Redaction)>>,
}

/// Most rule sets one destination remembers (one per attribute `redaction` function that reports there).
const MOST_RULES: usize = 8;

impl Destination {
    pub(crate) fn new(settings: Settings) -> Self {
        let target = Target::feedback(&settings);
        Self {
            settings,
            target,
            rules: Mutex::new(Vec::new()),
        }
    }

    /// The rules for reports made by `made_by` (an attribute's `redaction` function, by address; `None` for the
    /// client's own): the ones made before, else `make`'s from these settings (remembered).
    pub(crate) fn rules(
        &self,
        made_by: Option<usize>,
        make: impl FnOnce(&Settings) -> Redaction,
    ) -> Redaction {
        let known = |rules: &[(Option<usize>, Redaction)]| {
            rules
                .iter()
                .find(|(by, _)| *by == made_by)
                .map(|(_, rules)| rules.clone())
        };
        if let Some(rules) = known(&lock(&self.rules)) {
            return rules;
        }
        // Made outside the lock: an attribute's function is the user's code.
        let made = make(&self.settings);
        let mut rules = lock(&self.rules);
        if let Some(first) = known(&rules) {
            return first;
        }
        if rules.len() < MOST_RULES {
            rules.push((made_by, made.clone()));
        }
        made
    }

    /// The feedback target, or why nothing can be sent there, said in the log (a missing key at warn, anything
    /// else at error): for a report about to be kept instead.
    pub(crate) fn sendable(&self) -> Result<&Target, Reason> {
        self.target.as_ref().map_err(|reason| {
            match reason {
                Reason::MissingApiKey => {
                    tracing::warn!("no PatchworkMCP API key configured; feedback not sent");
                }
                other => tracing::error!(reason = %other, "feedback not sent"),
            }
            reason.clone()
        })
    }
}

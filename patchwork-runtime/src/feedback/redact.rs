//! Redaction: secrets and personal data in what the agent wrote become typed markers (`[REDACTED:email]`)
//! before the feedback is stored, logged or sent.
//!
//! Matching is linear-time (the `regex` crate, no backtracking) and bounded: each field is cut to twice its cap
//! before it is searched, and caps apply after. Rules that need more than a pattern (a card number must pass the
//! Luhn check, an SSN must use assigned number ranges) check each match before replacing it.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, LazyLock};

use regex::{Captures, Regex};

use super::FeedbackPayload;
use super::caps::floor_char_boundary;
use crate::contract::fields::{MAX_FIELD_BYTES, TRUNCATION_MARKER};
use checks::{is_national_id, passes_luhn};

/// Longest secret the rules look for (tokens are at most 255 characters); what is dropped after a cut.
const MAX_SECRET_BYTES: usize = 512;

/// The marker's opening: `[REDACTED:<kind>]`.
pub(crate) const MARKER_PREFIX: &str = "[REDACTED:";

/// The rules that replace secrets and personal data in the agent's text with typed markers, before anything is
/// stored, logged or sent. [`Redaction::standard`] (the default) covers:
///
/// | kind | what |
/// |---|---|
/// | `aws_access_key`, `aws_secret_key`, `gcp_api_key` | cloud access keys, and secret keys next to their label |
/// | `github_token`, `slack_token`, `openai_key`, `anthropic_key`, `stripe_key` | API tokens (GitHub classic and fine-grained, Slack, OpenAI and Anthropic style, Stripe live) |
/// | `jwt`, `private_key` | JSON Web Tokens, PEM private-key blocks |
/// | `url_credentials` | `user:password@` inside URLs and connection strings |
/// | `bearer`, `password` | `Authorization` / bearer values, `password=…` and `"password": "…"` pairs (also `secret`, `api_key`, `access_token`) |
/// | `email`, `card_number`, `national_id` | e-mail addresses, payment card numbers that pass the Luhn check, US SSNs and UK NI numbers |
///
/// Version numbers, order numbers, UUIDs, dates, commit hashes, ordinary URLs, paths and tool names stay intact.
/// Add your own rules or drop built-in ones:
///
/// ```
/// use patchwork_runtime::Redaction;
/// let rules = Redaction::standard()
///     .with_rule("order_id", r"\bORD-\d{8}\b")
///     .expect("a valid pattern")
///     .without("national_id");
/// assert_eq!(rules.redact("order ORD-12345678 for a@b.example"), "order [REDACTED:order_id] for [REDACTED:email]");
/// ```
#[derive(Clone)]
pub struct Redaction {
    rules: Arc<Vec<Rule>>,
}

#[derive(Clone)]
struct Rule {
    kind: Cow<'static, str>,
    regex: Regex,
    check: Check,
}

/// What a match must satisfy, and which part of it is replaced.
#[derive(Clone, Copy)]
enum Check {
    /// The whole match.
    Whole,
    /// Only capture group 2; groups 1 and 3 (a label, a closing quote) are kept.
    Value,
    /// The whole match, if its digits pass the Luhn check.
    Luhn,
    /// The whole match, if it is an SSN in assigned ranges.
    Ssn,
    /// Like `Value`, if the value looks like a credential: 16 characters or more, or 8 or more with a digit
    /// (`bearer authentication` is prose, `Bearer 9f8e7d6c…` is not).
    SecretValue,
    /// The whole match, unless it is an SCP-style remote (`git@github.com:org/repo`, group 1).
    Email,
}

/// A rule's kind or pattern was refused by [`Redaction::with_rule`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleError {
    message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

impl fmt::Debug for Redaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|rule| &rule.kind))
            .finish()
    }
}

impl Default for Redaction {
    fn default() -> Self {
        Self::standard()
    }
}

/// The built-in rules, in the order they run (specific token shapes before the generic label rules).
const STANDARD: &[(&str, &str, Check)] = &[
    (
        "private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
        Check::Whole,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        Check::Whole,
    ),
    (
        "github_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
        Check::Whole,
    ),
    (
        "slack_token",
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+",
        Check::Whole,
    ),
    (
        "anthropic_key",
        r"\bsk-ant-[A-Za-z0-9_-]{20,}",
        Check::Whole,
    ),
    (
        "openai_key",
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        Check::Whole,
    ),
    (
        "stripe_key",
        r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}",
        Check::Whole,
    ),
    (
        "aws_access_key",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        Check::Whole,
    ),
    (
        "aws_secret_key",
        r#"(?i)(aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}?["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})()"#,
        Check::Value,
    ),
    ("gcp_api_key", r"\bAIza[0-9A-Za-z_-]{35}", Check::Whole),
    (
        "url_credentials",
        r"(?i)(\b[a-z][a-z0-9+.-]*://)([^\s/:@?#]+:[^\s/@?#]+)(@)",
        Check::Value,
    ),
    (
        "bearer",
        r"(?i)(\b(?:authorization\s*[:=]\s*[\x22']?\s*(?:bearer|basic|token)?|bearer)\s+)([A-Za-z0-9._~+/-]{8,}=*)()",
        Check::SecretValue,
    ),
    // `password`-like labels, also inside longer names (`DB_PASSWORD`, `X-Api-Key`, `refresh_token`): a quoted
    // value (which may hold spaces) first, then a bare one.
    (
        "password",
        r#"(?i)((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)[\x22']?\s*[:=]\s*\x22)([^\x22\n]{1,256})(\x22)"#,
        Check::Value,
    ),
    (
        "password",
        r#"(?i)((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)[\x22']?\s*[:=]\s*')([^'\n]{1,256})(')"#,
        Check::Value,
    ),
    (
        "password",
        r#"(?i)((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)[\x22']?\s*[:=]\s*)([^\s\x22',;&\[]{1,256})()"#,
        Check::Value,
    ),
    (
        "email",
        r"\b[A-Za-z0-9._%+_-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b(:[A-Za-z0-9_.~/-]+)?",
        Check::Email,
    ),
    (
        "card_number",
        r"\b(?:[2-6]\d{12,18}|[2-6]\d{3}(?: \d{4}){2} \d{1,7}|[2-6]\d{3}(?:-\d{4}){2}-\d{1,7}|3\d{3}[ -]\d{6}[ -]\d{5})\b",
        Check::Luhn,
    ),
    (
        "national_id",
        r"\b\d{3}-\d{2}-\d{4}\b|\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
        Check::Ssn,
    ),
];

static STANDARD_RULES: LazyLock<Redaction> = LazyLock::new(|| {
    let rules = STANDARD
        .iter()
        .filter_map(|(kind, pattern, check)| {
            // The built-in patterns are tested; one that did not compile would only be skipped.
            Regex::new(pattern).ok().map(|regex| Rule {
                kind: Cow::Borrowed(*kind),
                regex,
                check: *check,
            })
        })
        .collect();
    Redaction {
        rules: Arc::new(rules),
    }
});

impl Redaction {
    /// The built-in rules (see the table above). Cheap: compiled once per process.
    #[must_use]
    pub fn standard() -> Self {
        STANDARD_RULES.clone()
    }

    /// No rules at all: the agent's text is stored and sent as written. Add your own with
    /// [`with_rule`](Self::with_rule).
    #[must_use]
    pub fn none() -> Self {
        Self {
            rules: Arc::new(Vec::new()),
        }
    }

    /// Adds a rule: every match of `pattern` (the `regex` crate's syntax) becomes `[REDACTED:<kind>]`. `kind` is
    /// 1 to 40 of `a-z`, `0-9` and `_`. Rules run in the order they were added, after the built-in ones.
    ///
    /// # Errors
    /// When `kind` is not of that form or `pattern` does not compile.
    pub fn with_rule(mut self, kind: &str, pattern: &str) -> Result<Self, RuleError> {
        let valid_kind = (1..=40).contains(&kind.len())
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_kind {
            return Err(RuleError {
                message: format!("redaction kind {kind:?}: use 1 to 40 of a-z, 0-9 and _"),
            });
        }
        let regex = Regex::new(pattern).map_err(|error| RuleError {
            message: format!("redaction rule `{kind}`: {error}"),
        })?;
        Arc::make_mut(&mut self.rules).push(Rule {
            kind: Cow::Owned(kind.to_string()),
            regex,
            check: Check::Whole,
        });
        Ok(self)
    }

    /// Drops every rule of `kind` (built-in or added).
    #[must_use]
    pub fn without(mut self, kind: &str) -> Self {
        Arc::make_mut(&mut self.rules).retain(|rule| rule.kind != kind);
        self
    }

    /// `text` with every match replaced by its marker.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        let mut out = Cow::Borrowed(text);
        for rule in self.rules.iter() {
            if !rule.regex.is_match(&out) {
                continue;
            }
            let marker = format!("{MARKER_PREFIX}{}]", rule.kind);
            let replaced = rule
                .regex
                .replace_all(&out, |caps: &Captures<'_>| rule.replacement(caps, &marker))
                .into_owned();
            out = Cow::Owned(replaced);
        }
        out.into_owned()
    }

    /// Redacts every string an agent can write (all but the slug, which comes from configuration), each bounded
    /// to twice its cap before it is searched.
    pub(crate) fn apply(&self, payload: &mut FeedbackPayload) {
        if self.rules.is_empty() {
            return;
        }
        let FeedbackPayload {
            server_slug: _,
            what_i_needed,
            what_i_tried,
            gap_type: _,
            suggestion,
            user_goal,
            resolution: _,
            agent_model,
            session_id,
            client_type,
            tools_available,
        } = payload;
        let texts = [
            what_i_needed,
            what_i_tried,
            suggestion,
            user_goal,
            agent_model,
            session_id,
            client_type,
        ];
        for field in texts.into_iter().chain(tools_available.iter_mut()) {
            let bound = floor_char_boundary(field, 2 * MAX_FIELD_BYTES);
            let cut = bound < field.len();
            field.truncate(bound);
            *field = self.redact(field);
            if cut {
                // The cut may have split a secret, whose first part no rule recognises: drop the last word too
                // (at most the longest secret's length), and mark the text as cut.
                let word_start = field.trim_end_matches(|c: char| !c.is_whitespace()).len();
                let kept = word_start.max(floor_char_boundary(
                    field,
                    field.len().saturating_sub(MAX_SECRET_BYTES),
                ));
                field.truncate(kept);
                field.push_str(TRUNCATION_MARKER);
            }
        }
    }
}

impl Rule {
    fn replacement(&self, caps: &Captures<'_>, marker: &str) -> String {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        match self.check {
            Check::Whole => marker.to_string(),
            Check::Value => {
                let group = |n| caps.get(n).map_or("", |m| m.as_str());
                format!("{}{marker}{}", group(1), group(3))
            }
            Check::SecretValue => {
                let group = |n| caps.get(n).map_or("", |m| m.as_str());
                let value = group(2);
                let secret = value.len() >= 16 || value.bytes().any(|b| b.is_ascii_digit());
                if secret {
                    format!("{}{marker}{}", group(1), group(3))
                } else {
                    whole.to_string()
                }
            }
            Check::Email if caps.get(1).is_none() => marker.to_string(),
            Check::Luhn if passes_luhn(whole) => marker.to_string(),
            Check::Ssn if is_national_id(whole) => marker.to_string(),
            Check::Luhn | Check::Ssn | Check::Email => whole.to_string(),
        }
    }
}

/// How many markers of each kind `body` holds, as `kind=count` pairs in first-seen order (for the
/// `Patchwork-Redactions` header); empty when there are none. Never the redacted text.
pub(crate) fn counts(body: &str) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for (at, _) in body.match_indices(MARKER_PREFIX) {
        let rest = &body[at + MARKER_PREFIX.len()..];
        let Some(end) = rest.find(']') else { continue };
        let kind = &rest[..end];
        if kind.is_empty()
            || kind.len() > 40
            || !kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            continue;
        }
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    kinds
        .iter()
        .map(|(kind, n)| format!("{kind}={n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

mod checks;
#[cfg(test)]
mod tests;

//! Redaction: secrets and personal data in what the agent wrote become typed markers (`[REDACTED:email]`)
//! before the feedback is stored, logged or sent.
//!
//! The built-in rules are small hand-written scanners ([`tokens`], [`labelled`]), each linear in the text and
//! checked against the regular expression it stands for (`oracle_tests`); no regex engine is compiled into a
//! user's server. Matching is bounded: each field is cut to twice its cap before it is searched, and caps apply
//! after. Rules that need more than a shape (a card number must pass the Luhn check, an SSN must use assigned
//! number ranges) check each match before replacing it.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock};

use super::FeedbackPayload;
use super::caps::{ceil_char_boundary, floor_char_boundary};
use crate::contract::fields::{MAX_FIELD_BYTES, TRUNCATION_MARKER};
use scan::Hit;

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
/// // Order ids: `ORD-` and eight digits.
/// let order_ids = |text: &str| {
///     text.match_indices("ORD-")
///         .map(|(at, _)| at..at + 12)
///         .filter(|span| text.get(span.start + 4..span.end).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit())))
///         .collect()
/// };
/// let rules = Redaction::standard()
///     .with_rule("order_id", order_ids)
///     .expect("a valid kind")
///     .without("national_id");
/// assert_eq!(rules.redact("order ORD-12345678 for a@b.example"), "order [REDACTED:order_id] for [REDACTED:email]");
/// ```
#[derive(Clone)]
pub struct Redaction {
    rules: Arc<Vec<Rule>>,
}

/// The marker kind of the server's own API key ([`Redaction::with_own_key`]).
pub(crate) const OWN_KEY_KIND: &str = "patchwork_api_key";

/// What a user's rule is: every span of the text to replace.
type CustomFind = dyn Fn(&str) -> Vec<Range<usize>> + Send + Sync;

#[derive(Clone)]
struct Rule {
    kind: Cow<'static, str>,
    find: Finder,
}

#[derive(Clone)]
enum Finder {
    Builtin(Find, Maybe),
    Custom(Arc<CustomFind>),
}

/// A rule's kind was refused by [`Redaction::with_rule`].
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

/// A built-in rule: the first match at or after a byte offset.
type Find = fn(&str, usize) -> Option<Hit>;
/// A built-in rule's quick test: `false` when the text holds none of what every match needs, so it is not scanned.
type Maybe = fn(&str) -> bool;

/// The built-in rules, in the order they run (specific token shapes before the generic label rules).
const STANDARD: &[(&str, Find, Maybe)] = &[
    ("private_key", tokens::private_key, |t| {
        t.contains("-----BEGIN ")
    }),
    ("jwt", tokens::jwt, |t| t.contains("eyJ")),
    ("github_token", tokens::github_token, |t| {
        t.contains("gh") || t.contains("github_pat_")
    }),
    ("slack_token", tokens::slack_token, |t| {
        t.contains("xox") || t.contains("hooks.slack.com")
    }),
    ("anthropic_key", tokens::anthropic_key, |t| {
        t.contains("sk-ant-")
    }),
    ("openai_key", tokens::openai_key, |t| t.contains("sk-")),
    ("stripe_key", tokens::stripe_key, |t| t.contains("_live_")),
    ("aws_access_key", tokens::aws_access_key, |t| {
        ["AKIA", "ASIA", "ABIA", "ACCA"]
            .iter()
            .any(|p| t.contains(p))
    }),
    ("aws_secret_key", tokens::aws_secret_key, |t| {
        scan::contains_ci(t, "aws")
    }),
    ("gcp_api_key", tokens::gcp_api_key, |t| t.contains("AIza")),
    ("url_credentials", tokens::url_credentials, |t| {
        t.contains("://")
    }),
    ("bearer", labelled::bearer, |t| {
        scan::contains_ci(t, "bearer") || scan::contains_ci(t, "authorization")
    }),
    // `password`-like labels, also inside longer names (`DB_PASSWORD`, `X-Api-Key`, `refresh_token`): a quoted
    // value (which may hold spaces) first, then a bare one.
    ("password", labelled::password_double, |t| {
        t.contains('"') && t.contains([':', '='])
    }),
    ("password", labelled::password_single, |t| {
        t.contains('\'') && t.contains([':', '='])
    }),
    ("password", labelled::password_bare, |t| {
        t.contains([':', '='])
    }),
    ("email", labelled::email, |t| t.contains('@')),
    ("card_number", labelled::card_number, |t| {
        t.bytes().any(|b| (b'2'..=b'6').contains(&b))
    }),
    ("national_id", labelled::national_id, |t| {
        t.bytes().any(|b| b.is_ascii_digit())
    }),
];

static STANDARD_RULES: LazyLock<Redaction> = LazyLock::new(|| Redaction {
    rules: Arc::new(
        STANDARD
            .iter()
            .map(|(kind, find, maybe)| Rule {
                kind: Cow::Borrowed(*kind),
                find: Finder::Builtin(*find, *maybe),
            })
            .collect(),
    ),
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

    /// Adds a rule: every span that `find` returns for a text becomes `[REDACTED:<kind>]`. `kind` is 1 to 40 of
    /// `a-z`, `0-9` and `_`. Rules run in the order they were added, after the built-in ones. Sloppy spans are
    /// read so that they redact more, never less: a reversed span is turned round, one past the end is cut at the
    /// end, one inside a char is widened to the whole char, overlapping spans are merged into one marker, empty
    /// ones are ignored. If `find` panics, the whole text is replaced (a rule that fails redacts rather than
    /// leaks); std's panic hook still prints the panic's message, which your code wrote and which may quote the
    /// text, so a rule should not panic.
    ///
    /// With the `regex` crate: `move |text| pattern.find_iter(text).map(|m| m.range()).collect()`.
    ///
    /// # Errors
    /// When `kind` is not of that form.
    pub fn with_rule<F>(mut self, kind: &str, find: F) -> Result<Self, RuleError>
    where
        F: Fn(&str) -> Vec<Range<usize>> + Send + Sync + 'static,
    {
        let valid_kind = (1..=40).contains(&kind.len())
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_kind {
            return Err(RuleError {
                message: format!("redaction kind {kind:?}: use 1 to 40 of a-z, 0-9 and _"),
            });
        }
        Arc::make_mut(&mut self.rules).push(Rule {
            kind: Cow::Owned(kind.to_string()),
            find: Finder::Custom(Arc::new(find)),
        });
        Ok(self)
    }

    /// These rules with the server's own API key redacted before any other rule runs, whatever the rules are
    /// (`Redaction::none()` included): an agent that pastes the key into feedback never sends, stores or logs it.
    /// Every occurrence of a key of 8 bytes or more; a shorter key only where it stands as a whole word, so a
    /// test key such as `k` does not eat letters. The marker is `[REDACTED:patchwork_api_key]`.
    #[must_use]
    pub(crate) fn with_own_key(mut self, key: &str) -> Self {
        let key = key.to_owned();
        if key.is_empty() {
            return self;
        }
        let find = move |text: &str| -> Vec<Range<usize>> {
            text.match_indices(key.as_str())
                .map(|(at, _)| at..at + key.len())
                .filter(|span| {
                    key.len() >= 8
                        || (!text[..span.start]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '_')
                            && !text[span.end..]
                                .starts_with(|c: char| c.is_alphanumeric() || c == '_'))
                })
                .collect()
        };
        Arc::make_mut(&mut self.rules).insert(
            0,
            Rule {
                kind: Cow::Borrowed(OWN_KEY_KIND),
                find: Finder::Custom(Arc::new(find)),
            },
        );
        self
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
            let spans: Vec<Range<usize>> = rule
                .hits(&out)
                .into_iter()
                .filter_map(|hit| hit.redact)
                .collect();
            if spans.is_empty() {
                continue;
            }
            let marker = format!("{MARKER_PREFIX}{}]", rule.kind);
            let mut replaced = String::with_capacity(out.len());
            let mut kept_from = 0;
            for span in spans {
                replaced.push_str(&out[kept_from..span.start]);
                replaced.push_str(&marker);
                kept_from = span.end;
            }
            replaced.push_str(&out[kept_from..]);
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
    /// The rule's matches in `text`, left to right, without overlaps, each on char boundaries.
    fn hits(&self, text: &str) -> Vec<Hit> {
        match &self.find {
            Finder::Builtin(find, maybe) if maybe(text) => scan::all(text, find),
            Finder::Builtin(..) => Vec::new(),
            Finder::Custom(find) => {
                let Ok(mut spans) = catch_unwind(AssertUnwindSafe(|| find(text))) else {
                    tracing::warn!(kind = %self.kind, "a redaction rule panicked; the whole text was redacted");
                    return vec![Hit::whole(0..text.len())];
                };
                // Sloppy spans redact more, never less: turned round, cut at the end, widened to whole chars.
                for span in &mut spans {
                    let (low, high) = (span.start.min(span.end), span.start.max(span.end));
                    *span = floor_char_boundary(text, low)..ceil_char_boundary(text, high);
                }
                spans.sort_by_key(|span| (span.start, span.end));
                let mut hits: Vec<Hit> = Vec::with_capacity(spans.len());
                for span in spans.into_iter().filter(|span| !span.is_empty()) {
                    match hits.last_mut() {
                        Some(last) if span.start < last.span.end => {
                            last.span.end = last.span.end.max(span.end);
                            last.redact = Some(last.span.clone());
                        }
                        _ => hits.push(Hit::whole(span)),
                    }
                }
                hits
            }
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
mod labelled;
#[cfg(test)]
mod oracle_tests;
mod scan;
#[cfg(test)]
mod tests;
mod tokens;

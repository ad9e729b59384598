//! Scoring redaction rules on a labelled corpus: precision and recall per kind, as secret scanners are measured
//! (detect-secrets' baselines, gitleaks' true- and false-positive fixtures). The crate's own corpus is in
//! `patchwork-runtime/tests/redaction_corpus/`; score your own rules on your own texts the same way.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use crate::Redaction;

/// One labelled text: what must be replaced (each secret's kind and span) and everything else must stay.
///
/// ```
/// use patchwork_runtime::testing::LabelledText;
/// let clean = LabelledText::parse("version 2.3.1 shipped").unwrap();
/// assert!(clean.secrets.is_empty()); // nothing in it may be replaced
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LabelledText {
    /// The text as an agent would write it.
    pub text: String,
    /// Each secret in it: its kind and its byte span.
    pub secrets: Vec<(String, Range<usize>)>,
}

impl LabelledText {
    /// Reads one corpus line: secrets written `⟦kind|value⟧`, and `\n` standing for a newline. A line without
    /// markers is a clean text (nothing in it may be replaced).
    ///
    /// ```
    /// use patchwork_runtime::testing::LabelledText;
    /// let case = LabelledText::parse("mail ⟦email|amy@example.com⟧ today").unwrap();
    /// assert_eq!(case.text, "mail amy@example.com today");
    /// assert_eq!(case.secrets, vec![("email".to_owned(), 5..20)]);
    /// ```
    ///
    /// # Errors
    /// A marker that is not closed, or has no `|`.
    pub fn parse(line: &str) -> Result<Self, String> {
        let line = line.replace("\\n", "\n");
        let mut text = String::with_capacity(line.len());
        let mut secrets = Vec::new();
        let mut rest = line.as_str();
        while let Some(open) = rest.find('⟦') {
            text.push_str(&rest[..open]);
            let after = &rest[open + '⟦'.len_utf8()..];
            let close = after
                .find('⟧')
                .ok_or_else(|| format!("unclosed marker in {line:?}"))?;
            let (kind, value) = after[..close]
                .split_once('|')
                .ok_or_else(|| format!("a marker without `|` in {line:?}"))?;
            let start = text.len();
            text.push_str(value);
            secrets.push((kind.to_owned(), start..text.len()));
            rest = &after[close + '⟧'.len_utf8()..];
        }
        text.push_str(rest);
        Ok(Self { text, secrets })
    }
}

/// How one kind did: secrets of the kind found and missed, and the kind's markers that were right and wrong.
///
/// ```
/// use patchwork_runtime::Redaction;
/// use patchwork_runtime::testing::{LabelledText, score_redaction};
/// let texts = [
///     LabelledText::parse("mail ⟦email|amy@example.com⟧ or ⟦email|bo@example.org⟧").unwrap(),
///     LabelledText::parse("sort_key=created_at").unwrap(),
/// ];
/// let score = score_redaction(&Redaction::standard(), &texts);
/// let email = &score.kinds["email"];
/// assert_eq!((email.secrets, email.recalled, email.markers, email.correct), (2, 2, 2, 2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KindScore {
    /// Secrets of this kind in the corpus.
    pub secrets: usize,
    /// Of those, how many were replaced whole (by a marker of any kind).
    pub recalled: usize,
    /// Markers of this kind that were placed.
    pub markers: usize,
    /// Of those, how many replaced a secret and nothing but punctuation and spaces besides.
    pub correct: usize,
}

impl KindScore {
    /// `recalled / secrets` (1 when there are none).
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// use patchwork_runtime::testing::{LabelledText, score_redaction};
    /// let texts = [
    ///     LabelledText::parse("mail ⟦email|amy@example.com⟧ or ⟦email|bo@example.org⟧").unwrap(),
    ///     LabelledText::parse("sort_key=created_at").unwrap(),
    /// ];
    /// let score = score_redaction(&Redaction::standard().without("email"), &texts);
    /// assert_eq!(score.kinds["email"].recall(), 0.0); // both addresses left
    /// ```
    #[must_use]
    pub fn recall(&self) -> f64 {
        ratio(self.recalled, self.secrets)
    }

    /// `correct / markers` (1 when there are none).
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// use patchwork_runtime::testing::{LabelledText, score_redaction};
    /// let texts = [
    ///     LabelledText::parse("mail ⟦email|amy@example.com⟧ or ⟦email|bo@example.org⟧").unwrap(),
    ///     LabelledText::parse("sort_key=created_at").unwrap(),
    /// ];
    /// let score = score_redaction(&Redaction::standard(), &texts);
    /// assert_eq!(score.kinds["email"].precision(), 1.0);
    /// ```
    #[must_use]
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.markers)
    }
}

#[allow(clippy::cast_precision_loss)]
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// A corpus's score: per kind, overall, and each miss and false alarm (the text and what went wrong).
///
/// ```
/// use patchwork_runtime::Redaction;
/// use patchwork_runtime::testing::{LabelledText, score_redaction};
/// let texts = [
///     LabelledText::parse("mail ⟦email|amy@example.com⟧ or ⟦email|bo@example.org⟧").unwrap(),
///     LabelledText::parse("sort_key=created_at").unwrap(),
/// ];
/// let score = score_redaction(&Redaction::standard(), &texts);
/// assert_eq!(score.texts, 2);
/// assert!(score.mistakes.is_empty(), "{:?}", score.mistakes);
/// println!("{score}"); // a Markdown table, one row per kind
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CorpusScore {
    /// Each kind's score, by kind.
    pub kinds: BTreeMap<String, KindScore>,
    /// What went wrong, one line each: a secret left (wholly or partly), or a marker on text that is no secret.
    pub mistakes: Vec<String>,
    /// Texts scored.
    pub texts: usize,
}

impl CorpusScore {
    /// All kinds together: the share of secrets replaced whole.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// use patchwork_runtime::testing::{LabelledText, score_redaction};
    /// let texts = [
    ///     LabelledText::parse("mail ⟦email|amy@example.com⟧ or ⟦email|bo@example.org⟧").unwrap(),
    ///     LabelledText::parse("sort_key=created_at").unwrap(),
    /// ];
    /// let score = score_redaction(&Redaction::none(), &texts);
    /// assert_eq!(score.recall(), 0.0);
    /// ```
    #[must_use]
    pub fn recall(&self) -> f64 {
        ratio(
            self.kinds.values().map(|k| k.recalled).sum(),
            self.kinds.values().map(|k| k.secrets).sum(),
        )
    }

    /// All kinds together: the share of markers that replaced a secret only.
    ///
    /// ```
    /// use patchwork_runtime::Redaction;
    /// use patchwork_runtime::testing::{LabelledText, score_redaction};
    /// let texts = [
    ///     LabelledText::parse("mail ⟦email|amy@example.com⟧ or ⟦email|bo@example.org⟧").unwrap(),
    ///     LabelledText::parse("sort_key=created_at").unwrap(),
    /// ];
    /// let score = score_redaction(&Redaction::standard(), &texts);
    /// assert_eq!(score.precision(), 1.0);
    /// ```
    #[must_use]
    pub fn precision(&self) -> f64 {
        ratio(
            self.kinds.values().map(|k| k.correct).sum(),
            self.kinds.values().map(|k| k.markers).sum(),
        )
    }
}

impl fmt::Display for CorpusScore {
    /// A Markdown table: one row per kind, then all kinds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| kind | secrets | recalled | recall | markers | correct | precision |"
        )?;
        writeln!(f, "|---|---|---|---|---|---|---|")?;
        for (kind, score) in &self.kinds {
            writeln!(
                f,
                "| {kind} | {} | {} | {:.3} | {} | {} | {:.3} |",
                score.secrets,
                score.recalled,
                score.recall(),
                score.markers,
                score.correct,
                score.precision()
            )?;
        }
        let total = |pick: fn(&KindScore) -> usize| self.kinds.values().map(pick).sum::<usize>();
        writeln!(
            f,
            "| **all ({} texts)** | {} | {} | **{:.3}** | {} | {} | **{:.3}** |",
            self.texts,
            total(|k| k.secrets),
            total(|k| k.recalled),
            self.recall(),
            total(|k| k.markers),
            total(|k| k.correct),
            self.precision()
        )
    }
}

/// Scores `rules` on `texts`. A secret counts as recalled when markers cover all of it; a marker counts as
/// correct when it covers part of a secret and, outside the secrets, only punctuation and spaces (a sentence's
/// stop taken with a password is no damage; a word is).
///
/// ```
/// use patchwork_runtime::Redaction;
/// use patchwork_runtime::testing::{LabelledText, score_redaction};
/// let texts = [
///     LabelledText::parse("mail ⟦email|amy@example.com⟧ today").unwrap(),
///     LabelledText::parse("version 2.3.1 shipped on 2026-12-04").unwrap(),
/// ];
/// let score = score_redaction(&Redaction::standard(), &texts);
/// assert_eq!((score.recall(), score.precision()), (1.0, 1.0));
/// ```
#[must_use]
pub fn score_redaction(rules: &Redaction, texts: &[LabelledText]) -> CorpusScore {
    let mut score = CorpusScore {
        texts: texts.len(),
        ..CorpusScore::default()
    };
    for labelled in texts {
        let (out, markers) = rules.redact_with_spans(&labelled.text);
        for (kind, secret) in &labelled.secrets {
            let entry = score.kinds.entry(kind.clone()).or_default();
            entry.secrets += 1;
            if covered(secret, &markers) {
                entry.recalled += 1;
            } else {
                score.mistakes.push(format!(
                    "missed {kind} {:?} in {:?} -> {out:?}",
                    &labelled.text[secret.clone()],
                    labelled.text
                ));
            }
        }
        for (kind, span) in &markers {
            let entry = score.kinds.entry(kind.clone()).or_default();
            entry.markers += 1;
            let touches = labelled
                .secrets
                .iter()
                .any(|(_, s)| s.start < span.end && span.start < s.end);
            let damage = span
                .clone()
                .filter(|&at| labelled.text.is_char_boundary(at))
                .any(|at| {
                    !labelled.secrets.iter().any(|(_, s)| s.contains(&at))
                        && labelled.text[at..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                });
            if touches && !damage {
                entry.correct += 1;
            } else {
                score.mistakes.push(format!(
                    "wrong {kind} marker over {:?} in {:?}",
                    &labelled.text[span.clone()],
                    labelled.text
                ));
            }
        }
    }
    score
}

/// Whether the markers' spans cover every byte of `secret`.
fn covered(secret: &Range<usize>, markers: &[(String, Range<usize>)]) -> bool {
    let mut at = secret.start;
    let mut spans: Vec<&Range<usize>> = markers.iter().map(|(_, s)| s).collect();
    spans.sort_by_key(|s| s.start);
    for span in spans {
        if span.start <= at && span.end > at {
            at = span.end;
        }
    }
    at >= secret.end
}

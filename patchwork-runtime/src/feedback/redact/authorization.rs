//! `Authorization` values: bearer tokens and HTTP Basic credentials, known by their scheme or header.

use std::ops::Range;

use super::checks::decodes_to_credentials;
use super::scan::{
    Hit, byte, contains_ci, has_ci, leftmost, line_before, run, spaces, word_before,
};
use super::tokens::{alnum, quote};

/// `[A-Za-z0-9._~+/-]{8,}=*` at `at`: the end of a bearer value.
fn bearer_value(text: &str, at: usize) -> Option<usize> {
    let end = run(text, at, |b| {
        alnum(b) || matches!(b, b'.' | b'_' | b'~' | b'+' | b'/' | b'-')
    });
    (end - at >= 8).then(|| run(text, end, |b| b == b'='))
}

/// A bearer match: the value is replaced if it looks like a credential (16 characters or more, or a digit), so
/// `bearer authentication` (prose) stays.
fn bearer_hit(text: &str, start: usize, value: Range<usize>) -> Hit {
    let secret = value.len() >= 16 || text[value.clone()].bytes().any(|b| b.is_ascii_digit());
    Hit {
        span: start..value.end,
        redact: secret.then_some(value),
    }
}

/// `(?i)(\b(?:authorization\s*[:=]\s*["']?\s*(?:bearer|token)?|bearer)\s+)([A-Za-z0-9._~+/-]{8,}=*)` (a `Basic`
/// value is [`basic_auth`]'s)
pub(super) fn bearer(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| matches!(b | 0x20, b'a' | b'b'),
        |at| {
            if word_before(text, at) {
                return None;
            }
            if has_ci(text, at, "bearer") {
                let value = spaces(text, at + 6);
                return (value > at + 6)
                    .then(|| bearer_value(text, value))
                    .flatten()
                    .map(|end| bearer_hit(text, at, value..end));
            }
            if !has_ci(text, at, "authorization") {
                return None;
            }
            let separator = spaces(text, at + 13);
            if !matches!(byte(text, separator), Some(b':' | b'=')) {
                return None;
            }
            let after = spaces(text, separator + 1);
            let quoted = quote(byte(text, after));
            let gap_start = if quoted { after + 1 } else { separator + 1 };
            let word_at_p = spaces(text, gap_start);
            // With a scheme word first; else the value right after the gap (which must hold a space).
            if let Some(word) = ["bearer", "token"]
                .iter()
                .find(|w| has_ci(text, word_at_p, w))
            {
                let value = spaces(text, word_at_p + word.len());
                if value > word_at_p + word.len()
                    && let Some(end) = bearer_value(text, value)
                {
                    return Some(bearer_hit(text, at, value..end));
                }
            }
            if word_at_p > gap_start {
                return bearer_value(text, word_at_p)
                    .map(|end| bearer_hit(text, at, word_at_p..end));
            }
            None
        },
    )
}

/// `Basic <base64>`: the value, when an `Authorization` label stands before it on its line or it decodes to
/// `user:password`. `Basic auth failed` stays.
pub(super) fn basic_auth(text: &str, from: usize) -> Option<Hit> {
    let b64 = |b: u8| alnum(b) || matches!(b, b'+' | b'/');
    leftmost(
        text,
        from,
        |b| b | 0x20 == b'b',
        |at| {
            if !has_ci(text, at, "basic") || word_before(text, at) {
                return None;
            }
            let value = spaces(text, at + 5);
            if value == at + 5 || text[at + 5..value].contains('\n') {
                return None;
            }
            let end = run(text, value, b64);
            let end = end
                + text[end..]
                    .bytes()
                    .take(2)
                    .take_while(|&b| b == b'=')
                    .count();
            if end - value < 8 || text[end..].starts_with(|c: char| c.is_alphanumeric()) {
                return None;
            }
            let labelled = contains_ci(line_before(text, at, 80), "authorization");
            let encoded = &text[value..end];
            let credential = decodes_to_credentials(encoded)
                || (labelled
                    && encoded.len().is_multiple_of(4)
                    && encoded.bytes().any(|b| b.is_ascii_digit() || b == b'='));
            credential.then_some(Hit {
                span: at..end,
                redact: Some(value..end),
            })
        },
    )
}

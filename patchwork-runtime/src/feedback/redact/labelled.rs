//! The built-in rules for values known by their label or their form: bearer values, `password`-like pairs, e-mail
//! addresses, card numbers and national ids. Like [`tokens`](super::tokens), each behaves as the regular
//! expression in its comment, and `oracle_tests` checks that against the `regex` crate.

use std::ops::Range;

use super::checks::{is_national_id, passes_luhn};
use super::scan::{
    Hit, boundary, byte, has_ci, leftmost, run, run_back, run_chars, spaces, word_at, word_before,
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

/// `(?i)(\b(?:authorization\s*[:=]\s*["']?\s*(?:bearer|basic|token)?|bearer)\s+)([A-Za-z0-9._~+/-]{8,}=*)`
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
            if let Some(word) = ["bearer", "basic", "token"]
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

/// `(?i)(?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)`
/// at `at`, also inside a longer name (`DB_PASSWORD`): its end.
fn password_label_end(text: &str, at: usize) -> Option<usize> {
    for label in ["password", "passwd", "pwd", "passphrase", "secret"] {
        if has_ci(text, at, label) {
            return Some(at + label.len());
        }
    }
    for (head, tail) in [
        ("api", "key"),
        ("access", "token"),
        ("auth", "token"),
        ("refresh", "token"),
    ] {
        if has_ci(text, at, head) {
            let mut p = at + head.len();
            p += usize::from(matches!(byte(text, p), Some(b'_' | b'-')));
            if has_ci(text, p, tail) {
                return Some(p + tail.len());
            }
            if has_ci(text, at + head.len(), tail) {
                return Some(at + head.len() + tail.len());
            }
        }
    }
    None
}

/// The first `password`-like pair at or after `from`: a label and `["']?\s*[:=]\s*`, then what `value` (given the
/// label's start and where the value may start) accepts.
fn password_pair(
    text: &str,
    from: usize,
    value: impl Fn(usize, usize) -> Option<Hit>,
) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| matches!(b | 0x20, b'p' | b's' | b'a' | b'r'),
        |at| {
            let label_end = password_label_end(text, at)?;
            let separator = spaces(text, label_end + usize::from(quote(byte(text, label_end))));
            if !matches!(byte(text, separator), Some(b':' | b'=')) {
                return None;
            }
            value(at, spaces(text, separator + 1))
        },
    )
}

/// A `password`-like pair whose value is in `delimiter`s: `...\s*"([^"\n]{1,256})"` (the value only).
fn password_quoted(text: &str, from: usize, delimiter: u8) -> Option<Hit> {
    password_pair(text, from, |at, open| {
        if byte(text, open) != Some(delimiter) {
            return None;
        }
        let (end, n) = run_chars(text, open + 1, 257, |c| {
            c != char::from(delimiter) && c != '\n'
        });
        ((1..=256).contains(&n) && byte(text, end) == Some(delimiter)).then(|| Hit {
            span: at..end + 1,
            redact: Some(open + 1..end),
        })
    })
}

/// A `password`-like pair with a double-quoted value (JSON): `password": "hunter2"`.
pub(super) fn password_double(text: &str, from: usize) -> Option<Hit> {
    password_quoted(text, from, b'"')
}

/// A `password`-like pair with a single-quoted value: `password='hunter2'`.
pub(super) fn password_single(text: &str, from: usize) -> Option<Hit> {
    password_quoted(text, from, b'\'')
}

/// A `password`-like pair with a bare value: `...\s*([^\s"'\[]{1,256})`, ended early by a `,`, `;` or `&` that
/// ends the value (see [`ends_bare_value`]): `password=a;b&c, then` redacts `a;b&c`, leaving no tail, while
/// `password=x&user=amy` keeps `&user=amy`.
pub(super) fn password_bare(text: &str, from: usize) -> Option<Hit> {
    password_pair(text, from, |at, value| {
        let (run_end, _) = run_chars(text, value, 256, |c| {
            !c.is_whitespace() && !matches!(c, '"' | '\'' | '[')
        });
        let end = text[value..run_end]
            .char_indices()
            .find(|&(i, c)| matches!(c, ',' | ';' | '&') && ends_bare_value(text, value + i + 1))
            .map_or(run_end, |(i, _)| value + i);
        (end > value).then_some(Hit {
            span: at..end,
            redact: Some(value..end),
        })
    })
}

/// Whether a `,`, `;` or `&` just before `p` ends a bare value: what follows it is whitespace, the end of the
/// text, or the next pair's name (`[A-Za-z_][A-Za-z0-9_.-]{0,63}`, up to 8 whitespace chars, then `=` or `:`).
/// Bounded: at most 72 chars are read.
fn ends_bare_value(text: &str, p: usize) -> bool {
    let mut chars = text[p..].chars();
    match chars.next() {
        None => return true,
        Some(c) if c.is_whitespace() => return true,
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        Some(_) => return false,
    }
    let mut name = 1;
    let mut next = chars.next();
    while next.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        name += 1;
        if name > 64 {
            return false;
        }
        next = chars.next();
    }
    let mut spaces = 0;
    while next.is_some_and(char::is_whitespace) && spaces < 8 {
        spaces += 1;
        next = chars.next();
    }
    matches!(next, Some('=' | ':'))
}

/// `[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b` at `at`: the end of the longest such host.
fn email_host_end(text: &str, at: usize) -> Option<usize> {
    let label = |p| run(text, p, |b| alnum(b) || b == b'-');
    let mut p = label(at);
    if p == at {
        return None;
    }
    let mut best = None;
    while byte(text, p) == Some(b'.') {
        let letters = run(text, p + 1, |b| b.is_ascii_alphabetic());
        if letters - (p + 1) >= 2 && !word_at(text, letters) {
            best = Some(letters);
        }
        let end = label(p + 1);
        if end == p + 1 {
            break;
        }
        p = end;
    }
    best
}

/// `\b[A-Za-z0-9._%+-]+@<host>\b(:[A-Za-z0-9_.~/-]+)?`; an SCP-style remote (`git@host:path`) is kept.
pub(super) fn email(text: &str, from: usize) -> Option<Hit> {
    let local = |b: u8| alnum(b) || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find('@') {
        let at = search + offset;
        search = at + 1;
        let Some(start) = (run_back(text, at, from, local)..at).find(|&p| boundary(text, p)) else {
            continue;
        };
        let Some(end) = email_host_end(text, at + 1) else {
            continue;
        };
        if byte(text, end) == Some(b':') {
            let path_end = run(text, end + 1, |b| {
                alnum(b) || matches!(b, b'_' | b'.' | b'~' | b'/' | b'-')
            });
            if path_end > end + 1 {
                return Some(Hit::checked(start..path_end, false));
            }
        }
        return Some(Hit::whole(start..end));
    }
    None
}

/// `count` digits at `at`, then `then` (if any).
fn digits_then(text: &str, at: usize, count: usize, then: Option<&[u8]>) -> bool {
    run(text, at, |b| b.is_ascii_digit()) - at >= count
        && then.is_none_or(|allowed| byte(text, at + count).is_some_and(|b| allowed.contains(&b)))
}

/// `[2-6]\d{3}(?:<sep>\d{4}){2}<sep>\d{1,7}\b` at `at`: its end.
fn grouped_card_end(text: &str, at: usize, separator: u8) -> Option<usize> {
    let mut p = at;
    for _ in 0..3 {
        if !digits_then(text, p, 4, Some(&[separator])) {
            return None;
        }
        p += 5;
    }
    let end = run(text, p, |b| b.is_ascii_digit());
    ((1..=7).contains(&(end - p)) && !word_at(text, end)).then_some(end)
}

/// `\b(?:[2-6]\d{12,18}|[2-6]\d{3}(?: \d{4}){2} \d{1,7}|[2-6]\d{3}(?:-\d{4}){2}-\d{1,7}|3\d{3}[ -]\d{6}[ -]\d{5})\b`,
/// replaced if it passes the Luhn check.
pub(super) fn card_number(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| (b'2'..=b'6').contains(&b),
        |at| {
            if word_before(text, at) {
                return None;
            }
            let plain = run(text, at, |b| b.is_ascii_digit());
            let end = if (13..=19).contains(&(plain - at)) && !word_at(text, plain) {
                Some(plain)
            } else {
                grouped_card_end(text, at, b' ')
                    .or_else(|| grouped_card_end(text, at, b'-'))
                    .or_else(|| {
                        let amex = byte(text, at) == Some(b'3')
                            && digits_then(text, at, 4, Some(b" -"))
                            && digits_then(text, at + 5, 6, Some(b" -"))
                            && digits_then(text, at + 12, 5, None)
                            && !word_at(text, at + 17);
                        amex.then_some(at + 17)
                    })
            }?;
            Some(Hit::checked(at..end, passes_luhn(&text[at..end])))
        },
    )
}

/// `\b\d{3}-\d{2}-\d{4}\b|\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b`, replaced if in assigned ranges.
pub(super) fn national_id(text: &str, from: usize) -> Option<Hit> {
    let ni_letter =
        |b: Option<u8>| b.is_some_and(|b| b.is_ascii_uppercase() && !b"DFIQUV".contains(&b));
    leftmost(
        text,
        from,
        |b| b.is_ascii_digit() || b.is_ascii_uppercase(),
        |at| {
            if word_before(text, at) {
                return None;
            }
            let ssn = digits_then(text, at, 3, Some(b"-"))
                && digits_then(text, at + 4, 2, Some(b"-"))
                && digits_then(text, at + 7, 4, None)
                && !word_at(text, at + 11);
            let end = if ssn {
                at + 11
            } else {
                if !ni_letter(byte(text, at)) || !ni_letter(byte(text, at + 1)) {
                    return None;
                }
                let mut p = at + 2;
                for _ in 0..3 {
                    p += usize::from(byte(text, p) == Some(b' '));
                    if !digits_then(text, p, 2, None) {
                        return None;
                    }
                    p += 2;
                }
                p += usize::from(byte(text, p) == Some(b' '));
                if !matches!(byte(text, p), Some(b'A'..=b'D')) || word_at(text, p + 1) {
                    return None;
                }
                p + 1
            };
            Some(Hit::checked(at..end, is_national_id(&text[at..end])))
        },
    )
}

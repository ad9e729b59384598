//! The built-in rules for secrets of a known shape (keys, tokens, credentials in URLs), each a "first match at or
//! after `from`" function written with [`scan`](super::scan)'s primitives. Each is linear in the text and behaves
//! as the regular expression in its comment (leftmost match, then the next one after it); `oracle_tests` checks
//! that against the `regex` crate on generated text.

use std::cell::Cell;

use super::checks::filler;
use super::scan::{
    Hit, byte, has, has_ci, is_label_char, leftmost, run, run_back, run_chars, run_upto, spaces,
    word_at, word_before,
};

pub(super) fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `[A-Za-z0-9_-]`
fn url_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

pub(super) fn quote(b: Option<u8>) -> bool {
    matches!(b, Some(b'"' | b'\''))
}

/// `[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`: the end of a PEM label starting at `at`.
fn pem_label_end(text: &str, mut at: usize) -> Option<usize> {
    loop {
        if has(text, at, "PRIVATE KEY-----") {
            return Some(at + 16);
        }
        if has(text, at, "PRIVATE KEY BLOCK-----") {
            return Some(at + 22);
        }
        let word_end = run(text, at, |b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if word_end == at || byte(text, word_end) != Some(b' ') {
            return None;
        }
        at = word_end + 1;
    }
}

/// `-----BEGIN <label>-----(?s:.*?)(?:-----END <label>-----|\z)`: an unfinished block runs to the end.
pub(super) fn private_key(text: &str, from: usize) -> Option<Hit> {
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find("-----BEGIN ") {
        let start = search + offset;
        search = start + 1;
        let Some(body) = pem_label_end(text, start + 11) else {
            continue;
        };
        let mut end = text.len();
        let mut look = body;
        while let Some(offset) = text[look..].find("-----END ") {
            let at = look + offset;
            if let Some(label_end) = pem_label_end(text, at + 9) {
                end = label_end;
                break;
            }
            look = at + 1;
        }
        return Some(Hit::whole(start..end));
    }
    None
}

/// `\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`
pub(super) fn jwt(text: &str, from: usize) -> Option<Hit> {
    // A later `eyJ` inside a header run that failed ends at the same place, so it fails too: skipping it keeps
    // the scan linear on text such as `-eyJ-eyJ-eyJ…`.
    let failed_up_to = Cell::new(0);
    leftmost(
        text,
        from,
        |b| b == b'e',
        |at| {
            if at < failed_up_to.get() || !has(text, at, "eyJ") || word_before(text, at) {
                return None;
            }
            let header_end = run(text, at + 3, url_safe);
            failed_up_to.set(header_end);
            if header_end - (at + 3) < 5 || !has(text, header_end, ".eyJ") {
                return None;
            }
            let claims_end = run(text, header_end + 4, url_safe);
            if claims_end - (header_end + 4) < 5 || byte(text, claims_end) != Some(b'.') {
                return None;
            }
            Some(Hit::whole(at..run(text, claims_end + 1, url_safe)))
        },
    )
}

/// `\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b`
pub(super) fn github_token(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'g',
        |at| {
            if word_before(text, at) {
                return None;
            }
            let classic = has(text, at, "gh")
                && matches!(byte(text, at + 2), Some(b'p' | b'o' | b'u' | b's' | b'r'))
                && byte(text, at + 3) == Some(b'_');
            let (body, min, class): (usize, usize, fn(u8) -> bool) = if classic {
                (at + 4, 36, alnum)
            } else if has(text, at, "github_pat_") {
                (at + 11, 22, |b| alnum(b) || b == b'_')
            } else {
                return None;
            };
            let end = run_upto(text, body, 256, class);
            ((min..=255).contains(&(end - body)) && !word_at(text, end))
                .then(|| Hit::checked(at..end, !filler(&text[at..end])))
        },
    )
}

/// `\bxox[abposr]-[A-Za-z0-9-]{10,}` (Slack's webhook URLs are [`webhook_url`](super::vendors::webhook_url)'s)
pub(super) fn slack_token(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'x',
        |at| {
            let shaped = has(text, at, "xox")
                && !word_before(text, at)
                && matches!(
                    byte(text, at + 3),
                    Some(b'a' | b'b' | b'p' | b'o' | b's' | b'r')
                )
                && byte(text, at + 4) == Some(b'-');
            if !shaped {
                return None;
            }
            let end = run(text, at + 5, |b| alnum(b) || b == b'-');
            (end - (at + 5) >= 10).then(|| Hit::checked(at..end, !filler(&text[at..end])))
        },
    )
}

/// `\b<prefix>[class]{min,max}` for the first of `prefixes` found (one of them at most fits a position). The
/// boundary is checked before the body is read, and the body is read at most `max` bytes, so each candidate either
/// consumes what it reads or reads a bounded amount: linear in the text.
fn prefixed(
    text: &str,
    from: usize,
    prefixes: &[&str],
    class: fn(u8) -> bool,
    (min, max): (usize, usize),
) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| prefixes.iter().any(|p| p.as_bytes()[0] == b),
        |at| {
            let prefix = prefixes.iter().find(|p| has(text, at, p))?;
            if word_before(text, at) {
                return None;
            }
            let body = at + prefix.len();
            let end = run_upto(text, body, max, class);
            (end - body >= min).then(|| Hit::checked(at..end, !filler(&text[at..end])))
        },
    )
}

/// `\bsk-ant-[A-Za-z0-9_-]{20,}`
pub(super) fn anthropic_key(text: &str, from: usize) -> Option<Hit> {
    prefixed(text, from, &["sk-ant-"], url_safe, (20, usize::MAX))
}

/// `\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}` (the optional prefixes are in the class).
pub(super) fn openai_key(text: &str, from: usize) -> Option<Hit> {
    prefixed(text, from, &["sk-"], url_safe, (20, usize::MAX))
}

/// `\bAIza[0-9A-Za-z_-]{35}`
pub(super) fn gcp_api_key(text: &str, from: usize) -> Option<Hit> {
    prefixed(text, from, &["AIza"], url_safe, (35, 35))
}

/// The end of an AWS access key id that starts at `at`: `\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`.
fn aws_key_end(text: &str, at: usize) -> Option<usize> {
    let prefix = ["AKIA", "ASIA", "ABIA", "ACCA"]
        .iter()
        .any(|p| has(text, at, p));
    if !prefix || word_before(text, at) {
        return None;
    }
    let end = run_upto(text, at + 4, 16, |b| {
        b.is_ascii_uppercase() || b.is_ascii_digit()
    });
    (end == at + 20 && !word_at(text, end)).then_some(end)
}

/// `\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`, unless it ends with `EXAMPLE` (AWS's documentation key, a
/// published placeholder).
pub(super) fn aws_access_key(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'A',
        |at| {
            let end = aws_key_end(text, at)?;
            let key = &text[at..end];
            Some(Hit::checked(
                at..end,
                !key.ends_with("EXAMPLE") && !filler(key),
            ))
        },
    )
}

/// `(?i)(aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}?["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})([^A-Za-z0-9/+=]|$)`: the
/// value only.
pub(super) fn aws_secret_key(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b | 0x20 == b'a',
        |at| {
            if !has_ci(text, at, "aws") {
                return None;
            }
            let (label_end, chars) = run_chars(text, at + 3, 47, |c| {
                is_label_char(c) || c == '.' || c == '-'
            });
            let label = &text[at + 3..label_end];
            let named = chars <= 46
                && label
                    .char_indices()
                    .enumerate()
                    .any(|(before, (offset, _))| {
                        before <= 20
                            && ["secret", "sk"].iter().any(|word| {
                                has_ci(label, offset, word)
                                    && label[offset + word.len()..].chars().count() <= 20
                            })
                    });
            if !named {
                return None;
            }
            let mut p = label_end + usize::from(quote(byte(text, label_end)));
            p = spaces(text, p);
            if !matches!(byte(text, p), Some(b':' | b'=')) {
                return None;
            }
            p = spaces(text, p + 1);
            p += usize::from(quote(byte(text, p)));
            let class = |b: u8| alnum(b) || matches!(b, b'/' | b'+' | b'=');
            let end = run_upto(text, p, 41, class);
            // Exactly 40: a longer run is something else (the generic rules judge it whole). AWS's documentation
            // secret (`…EXAMPLEKEY`) is a published placeholder.
            (end - p == 40).then(|| Hit {
                span: at..p + 40,
                redact: (!text[p..p + 40].ends_with("EXAMPLEKEY")).then_some(p..p + 40),
            })
        },
    )
}

/// `(?i)(\b[a-z][a-z0-9+._-]*://)([^\s/:@?#]*:[^\s/@?#]+)(@)`: the `user:password` only.
pub(super) fn url_credentials(text: &str, from: usize) -> Option<Hit> {
    let scheme = |b: u8| alnum(b) || matches!(b, b'+' | b'.' | b'-' | b'_');
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find("://") {
        let sep = search + offset;
        search = sep + 1;
        let Some(start) = (run_back(text, sep, from, scheme)..sep)
            .find(|&p| text.as_bytes()[p].is_ascii_alphabetic() && !word_before(text, p))
        else {
            continue;
        };
        let user = sep + 3;
        let (user_end, _) = run_chars(text, user, usize::MAX, |c| {
            !c.is_whitespace() && !matches!(c, '/' | ':' | '@' | '?' | '#')
        });
        // The user may be empty (`redis://:password@host`).
        if byte(text, user_end) != Some(b':') {
            continue;
        }
        let (password_end, m) = run_chars(text, user_end + 1, usize::MAX, |c| {
            !c.is_whitespace() && !matches!(c, '/' | '@' | '?' | '#')
        });
        if m == 0 || byte(text, password_end) != Some(b'@') {
            continue;
        }
        // `<username>:<password>`, `${DB_USER}:${DB_PASSWORD}`, `USER:PASSWORD`: a template, not credentials.
        let password = &text[user_end + 1..password_end];
        if text[user..password_end].contains(super::MARKER_PREFIX) {
            continue;
        }
        if !super::judge::value_is_secret(password, None, super::judge::Strength::Password) {
            continue;
        }
        return Some(Hit {
            span: start..password_end + 1,
            redact: Some(user..password_end),
        });
    }
    None
}

/// A Go-style DSN's credentials: `user:password@tcp(host:3306)/db`, `@unix(/run/mysqld.sock)`, `@(host)`; the
/// `user:password` only.
pub(super) fn dsn_credentials(text: &str, from: usize) -> Option<Hit> {
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find("@") {
        let at = search + offset;
        search = at + 1;
        if !["@tcp(", "@unix(", "@("]
            .iter()
            .any(|form| has(text, at, form))
        {
            continue;
        }
        // Back at most 256 bytes to the credentials' start.
        let mut floor = from.max(at.saturating_sub(256));
        while !text.is_char_boundary(floor) {
            floor += 1;
        }
        let start = text[floor..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | '`' | '('))
            .map_or(floor, |(p, c)| floor + p + c.len_utf8());
        let credentials = &text[start..at];
        if credentials.contains(super::MARKER_PREFIX) {
            continue;
        }
        match credentials.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => {
                return Some(Hit {
                    span: start..at,
                    redact: Some(start..at),
                });
            }
            _ => {}
        }
    }
    None
}

/// An AWS secret key given right after its access key id, unlabelled: `new BasicAWSCredentials("AKIA…", "…")`,
/// `AKIA…:…`, `AKIA…,…` (the 40-char secret only; the key id is [`aws_access_key`]'s).
pub(super) fn aws_paired_secret(text: &str, from: usize) -> Option<Hit> {
    let secret = |b: u8| alnum(b) || matches!(b, b'/' | b'+');
    leftmost(
        text,
        from,
        |b| b == b'A',
        |at| {
            let id_end = aws_key_end(text, at)?;
            // The separator: a closing quote, `,` `:` `;` or spaces, and an opening quote (at most 8 bytes).
            let mut p = id_end;
            let limit = p + 8;
            while p < limit
                && matches!(
                    byte(text, p),
                    Some(b'"' | b'\'' | b',' | b':' | b';' | b' ' | b'\t')
                )
            {
                p += 1;
            }
            let end = run_upto(text, p, 41, secret);
            let mixed = text[p..end].bytes().any(|b| b.is_ascii_lowercase())
                && text[p..end]
                    .bytes()
                    .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
            (p > id_end && end - p == 40 && mixed && !text[p..end].ends_with("EXAMPLEKEY"))
                .then_some(Hit {
                    span: at..end,
                    redact: Some(p..end),
                })
        },
    )
}

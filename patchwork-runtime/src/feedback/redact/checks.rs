//! The checks a match must pass beyond its shape: the Luhn check, assigned SSN ranges, the IBAN check, and whether a
//! value looks random (entropy) or decodes to `user:password`.

/// Whether the digits of `text` (13 to 19 of them) pass the Luhn check.
pub(super) fn passes_luhn(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A US SSN in assigned ranges (area not 000, 666 or 9xx; group and serial not zero), or a UK NI number.
pub(super) fn is_national_id(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [area, group, serial] if area.len() == 3 => {
            *area != "000"
                && *area != "666"
                && !area.starts_with('9')
                && *group != "00"
                && *serial != "0000"
        }
        // The UK NI shape (letters and digits, no dashes).
        _ => text.chars().any(|c| c.is_ascii_alphabetic()),
    }
}

/// Whether `value` (a secret-like name's value) looks random rather than like a word, a name or a number: at least
/// 10 chars without spaces, letters with digits (or both cases over 16 chars), Shannon entropy of 3 bits a char or
/// more, and not a readable identifier (`checkout_v2_button`), a path, a URL or a version.
pub(super) fn looks_random(value: &str) -> bool {
    // The first 256 chars decide (a value is read at most 1,024 bytes; judging a bounded part keeps each
    // candidate's cost bounded too).
    let value = &value[..super::super::caps::floor_char_boundary(value, 1024)];
    let chars: Vec<char> = value.chars().take(256).collect();
    if chars.len() < 10 || chars.iter().any(|c| c.is_whitespace()) || value.contains("://") {
        return false;
    }
    if value.starts_with(['/', '~']) || value.starts_with("./") || value.starts_with("..") {
        return false;
    }
    // Mostly digits with a letter or two is a date, a time or a number (`2026-12-04T12:53:52Z`, `v2.10.0-rc1`).
    if chars.iter().filter(|c| c.is_alphabetic()).count() < 4 {
        return false;
    }
    let digit = chars.iter().any(char::is_ascii_digit);
    let lower = chars.iter().any(|c| c.is_lowercase());
    let upper = chars.iter().any(|c| c.is_uppercase());
    let mixed = (digit && (lower || upper)) || (lower && upper && chars.len() >= 16);
    if !mixed || readable(value) || mostly_words(value) {
        return false;
    }
    entropy(&chars) >= 3.0
}

/// Shannon entropy in bits a char.
pub(super) fn entropy(chars: &[char]) -> f64 {
    let mut counts: Vec<(char, usize)> = Vec::new();
    for &c in chars {
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let total = chars.len() as f64;
    counts
        .iter()
        .map(|&(_, n)| {
            #[allow(clippy::cast_precision_loss)]
            let p = n as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// Words and short numbers joined by `_`, `-`, `.`, `/` or `:` (`checkout_v2_button`, `gpt-4o-mini`,
/// `2026-12-04T10:00:00`, `v1.2.3`): something a person named, not something a machine drew.
fn readable(value: &str) -> bool {
    value.split(['_', '-', '.', '/', ':', '+']).all(|part| {
        let letters = part.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = part.len() - letters.len();
        part.is_empty()
            || (letters.chars().all(char::is_alphabetic)
                && digits <= 4
                && (letters.is_empty() || !mixed_case_inside(letters)))
    })
}

/// Three or more readable words with at most one other part: an identifier with a hash or a number in it
/// (`node-cache-Linux-x64-npm-4f1c…`, `build-2026-12-04-a1b2c3d`), not a secret.
fn mostly_words(value: &str) -> bool {
    let parts: Vec<&str> = value
        .split(['-', '_', '.', '/', ':'])
        .filter(|p| !p.is_empty())
        .collect();
    let words = parts
        .iter()
        .filter(|p| p.len() >= 2 && p.chars().all(char::is_alphabetic))
        .count();
    let others = parts.iter().filter(|p| !readable(p)).count();
    words >= 3 && others <= 1
}

/// `aBcD`: case changes more than once inside one word (a word is `word`, `Word`, `WORD` or `camelCase`).
fn mixed_case_inside(word: &str) -> bool {
    let changes = word
        .chars()
        .zip(word.chars().skip(1))
        .filter(|(a, b)| a.is_lowercase() != b.is_lowercase())
        .count();
    changes > 2
}

/// Whether `encoded` is standard base64 of printable text holding a `:` between two non-empty parts
/// (`user:password`, as HTTP Basic auth carries it).
pub(super) fn decodes_to_credentials(encoded: &str) -> bool {
    let Some(bytes) = base64_decode(encoded) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return false;
    };
    let printable = text.chars().all(|c| !c.is_control());
    printable
        && text
            .split_once(':')
            .is_some_and(|(user, password)| !user.is_empty() && !password.is_empty())
}

/// Standard base64 (padding optional), or `None`.
fn base64_decode(encoded: &str) -> Option<Vec<u8>> {
    let body = encoded.trim_end_matches('=');
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in body.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).ok()?);
        }
    }
    Some(out)
}

/// The length of an IBAN of `country` (ISO 13616 registry), if it issues IBANs.
pub(super) fn iban_length(country: &str) -> Option<usize> {
    const LENGTHS: &[(&str, usize)] = &[
        ("AD", 24),
        ("AE", 23),
        ("AL", 28),
        ("AT", 20),
        ("AZ", 28),
        ("BA", 20),
        ("BE", 16),
        ("BG", 22),
        ("BH", 22),
        ("BI", 27),
        ("BR", 29),
        ("BY", 28),
        ("CH", 21),
        ("CR", 22),
        ("CY", 28),
        ("CZ", 24),
        ("DE", 22),
        ("DJ", 27),
        ("DK", 18),
        ("DO", 28),
        ("EE", 20),
        ("EG", 29),
        ("ES", 24),
        ("FI", 18),
        ("FK", 18),
        ("FO", 18),
        ("FR", 27),
        ("GB", 22),
        ("GE", 22),
        ("GI", 23),
        ("GL", 18),
        ("GR", 27),
        ("GT", 28),
        ("HN", 28),
        ("HR", 21),
        ("HU", 28),
        ("IE", 22),
        ("IL", 23),
        ("IQ", 23),
        ("IS", 26),
        ("IT", 27),
        ("JO", 30),
        ("KW", 30),
        ("KZ", 20),
        ("LB", 28),
        ("LC", 32),
        ("LI", 21),
        ("LT", 20),
        ("LU", 20),
        ("LV", 21),
        ("LY", 25),
        ("MC", 27),
        ("MD", 24),
        ("ME", 22),
        ("MK", 19),
        ("MN", 20),
        ("MR", 27),
        ("MT", 31),
        ("MU", 30),
        ("NI", 28),
        ("NL", 18),
        ("NO", 15),
        ("OM", 23),
        ("PK", 24),
        ("PL", 28),
        ("PS", 29),
        ("PT", 25),
        ("QA", 29),
        ("RO", 24),
        ("RS", 22),
        ("RU", 33),
        ("SA", 24),
        ("SC", 31),
        ("SD", 18),
        ("SE", 24),
        ("SI", 19),
        ("SK", 24),
        ("SM", 27),
        ("SO", 23),
        ("ST", 25),
        ("SV", 28),
        ("TL", 23),
        ("TN", 24),
        ("TR", 26),
        ("UA", 29),
        ("VA", 22),
        ("VG", 24),
        ("XK", 20),
        ("YE", 30),
    ];
    LENGTHS.iter().find(|(c, _)| *c == country).map(|&(_, n)| n)
}

/// Whether `iban` (letters and digits only) passes the ISO 7064 mod-97 check.
pub(super) fn passes_mod97(iban: &str) -> bool {
    let (head, tail) = iban.split_at(4.min(iban.len()));
    let mut rest = 0u32;
    for c in tail.chars().chain(head.chars()) {
        let value = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        rest = if value < 10 {
            (rest * 10 + value) % 97
        } else {
            (rest * 100 + value) % 97
        };
    }
    rest == 1
}

/// Whether a token-shaped match is a placeholder: its last 16 chars hold at most two distinct chars
/// (`ghp_XXXXXXXXXXXXXXXXXXXX`, `sk-xxxxxxxxxxxxxxxxxxxx`, `AKIA0000000000000000`).
pub(super) fn filler(token: &str) -> bool {
    let tail: Vec<char> = token.chars().rev().take(16).collect();
    let mut distinct: Vec<char> = Vec::with_capacity(3);
    for c in tail {
        if !distinct.contains(&c) {
            distinct.push(c);
            if distinct.len() > 2 {
                return false;
            }
        }
    }
    true
}

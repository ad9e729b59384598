//! The built-in rules for personal data: e-mail addresses (any script), phone numbers, IP addresses, the user
//! names in home-directory paths, payment card numbers that pass the Luhn check, national ids (US SSNs, UK NI
//! numbers) and IBANs that pass their check. Each is on by default and can be dropped by its kind
//! ([`Redaction::without`](super::Redaction::without)); each reads a bounded distance around a candidate, so
//! every scan is linear in the text.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::checks::{iban_length, is_national_id, passes_luhn, passes_mod97};
use super::scan::{
    Hit, byte, has, leftmost, line_before, run, run_back, run_upto, word_at, word_before,
};

/// A char of an e-mail's local part: letters and digits of any script, and `._%+-`.
fn local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

/// A char of a host's label: letters and digits of any script, and `-`.
fn host_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// The end of the longest host at `at` (`label(.label)*.tld`, the top-level domain two or more letters of any
/// script, not followed by a word character).
fn email_host_end(text: &str, at: usize) -> Option<usize> {
    let label_end = |p: usize| {
        let mut end = p;
        for c in text[p..].chars().take(64) {
            if !host_char(c) {
                break;
            }
            end += c.len_utf8();
        }
        end
    };
    let mut p = label_end(at);
    if p == at {
        return None;
    }
    // `icon@2x.png`: a retina image's name, not an address.
    let first = &text[at..p];
    if first.ends_with('x') && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut best = None;
    let mut labels = 0;
    while byte(text, p) == Some(b'.') && labels < 16 {
        labels += 1;
        let end = label_end(p + 1);
        if end == p + 1 {
            break;
        }
        let tld = &text[p + 1..end];
        if tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic) && !word_at(text, end) {
            best = Some(end);
        }
        p = end;
    }
    best
}

/// An e-mail address, in any script (`józef@przykład.pl`, `山田@例え.jp`), also URL-encoded (`jane%40example.com`);
/// an SCP-style remote (`git@host:path`) is kept.
pub(super) fn email(text: &str, from: usize) -> Option<Hit> {
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find(['@', '%']) {
        let at = search + offset;
        search = at + 1;
        // `jane.doe%40example.com`: an address URL-encoded in a query string.
        let sign = if byte(text, at) == Some(b'@') {
            1
        } else if text[at..].starts_with("%40") {
            3
        } else {
            continue;
        };
        // Back over the local part (at most 64 chars), then forward to its first char that starts a word.
        let mut start = at;
        for (i, c) in text[from..at].char_indices().rev().take(64) {
            if !local_char(c) {
                break;
            }
            start = from + i;
        }
        while start < at && !text[start..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            start += text[start..].chars().next().map_or(1, char::len_utf8);
        }
        // `ssh://git@host/…`: a URL's user, not an address; `git@host`: the service account of a code host.
        if start == at
            || word_before(text, start)
            || text[..start].ends_with("://")
            || &text[start..at] == "git"
        {
            continue;
        }
        let Some(end) = email_host_end(text, at + sign) else {
            continue;
        };
        if byte(text, end) == Some(b':') {
            let path_end = run(text, end + 1, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'~' | b'/' | b'-')
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

/// `\b(?:[2-6]\d{12,18}|[2-6]\d{3}(?:<sep>\d{4}){2}<sep>\d{1,7}|3\d{3}[ -]\d{6}[ -]\d{5})\b` with `<sep>` one of
/// ` `, `-` or `.`, replaced if it passes the Luhn check.
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
                    .or_else(|| grouped_card_end(text, at, b'.'))
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

/// The labels before which nine bare digits are an SSN (`SSN: 123456789`).
const SSN_LABELS: &[&str] = &[
    "ssn",
    "social security",
    "social-security",
    "social_security",
    "tax id",
    "taxpayer",
];

/// `\b\d{3}[- ]\d{2}[- ]\d{4}\b` (one separator throughout), nine bare digits after an SSN label (within 32
/// bytes before), or `\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b`; replaced if in assigned ranges.
pub(super) fn national_id(text: &str, from: usize) -> Option<Hit> {
    let ni_letter =
        |b: Option<u8>| b.is_some_and(|b| b.is_ascii_uppercase() && !b"DFIQUV".contains(&b));
    leftmost(
        text,
        from,
        |b| b.is_ascii_digit() || b.is_ascii_uppercase(),
        |at| {
            // Not the tail of a longer dashed or dotted number (`PN-4471-123-45-6789`).
            let longer = at >= 2
                && matches!(byte(text, at - 1), Some(b'-' | b'.' | b'/'))
                && byte(text, at - 2).is_some_and(|b| b.is_ascii_alphanumeric());
            if word_before(text, at) || longer {
                return None;
            }
            let grouped = |sep: u8| {
                digits_then(text, at, 3, Some(&[sep]))
                    && digits_then(text, at + 4, 2, Some(&[sep]))
                    && digits_then(text, at + 7, 4, None)
                    && !word_at(text, at + 11)
                    && !matches!(byte(text, at + 11), Some(b'-' | b'.'))
            };
            let end = if grouped(b'-') || grouped(b' ') {
                at + 11
            } else if run_upto(text, at, 10, |b| b.is_ascii_digit()) == at + 9
                && !word_at(text, at + 9)
            {
                if !label_before(text, at, 32, SSN_LABELS) {
                    return None;
                }
                let digits = &text[at..at + 9];
                let ssn = format!("{}-{}-{}", &digits[..3], &digits[3..5], &digits[5..]);
                return Some(Hit::checked(at..at + 9, is_national_id(&ssn)));
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
            let id = text[at..end].replace(' ', "-");
            Some(Hit::checked(at..end, is_national_id(&id)))
        },
    )
}

/// An IBAN that passes its check: a country that issues them, two check digits and the country's length of letters
/// and digits, compact (`DE89370400440532013000`) or in groups of four (`GB82 WEST 1234 5698 7654 32`).
pub(super) fn iban(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b.is_ascii_uppercase(),
        |at| {
            if word_before(text, at) {
                return None;
            }
            if !byte(text, at + 1).is_some_and(|b| b.is_ascii_uppercase())
                || !digits_then(text, at + 2, 2, None)
            {
                return None;
            }
            let length = iban_length(text.get(at..at + 2)?)?;
            let mut compact = String::with_capacity(length);
            let mut p = at;
            let mut grouped = None;
            while compact.len() < length {
                let b = byte(text, p)?;
                if b == b' '
                    && compact.len().is_multiple_of(4)
                    && grouped != Some(false)
                    && !compact.is_empty()
                {
                    grouped = Some(true);
                    p += 1;
                    continue;
                }
                if !(b.is_ascii_uppercase() || b.is_ascii_digit()) {
                    return None;
                }
                if compact.len().is_multiple_of(4) && !compact.is_empty() && grouped.is_none() {
                    grouped = Some(false);
                }
                if grouped == Some(true)
                    && compact.len().is_multiple_of(4)
                    && byte(text, p - 1) != Some(b' ')
                {
                    return None;
                }
                compact.push(char::from(b));
                p += 1;
            }
            if word_at(text, p) {
                return None;
            }
            Some(Hit::checked(at..p, passes_mod97(&compact)))
        },
    )
}

/// Whether the char before `at` joins a number (a digit, a letter, or a `.`, `-`, `+`, `/`, `:` or `_`).
fn joined_before(text: &str, at: usize) -> bool {
    word_before(text, at)
        || at > 0
            && matches!(
                byte(text, at - 1),
                Some(b'.' | b'-' | b'+' | b'/' | b':' | b'_')
            )
}

/// Whether the number that ends at `end` goes on (a word character, or a `.`/`-` and a digit).
fn joined_after(text: &str, end: usize) -> bool {
    word_at(text, end)
        || matches!(byte(text, end), Some(b'.' | b'-' | b'/' | b':'))
            && byte(text, end + 1).is_some_and(|b| b.is_ascii_digit())
}

/// An IPv4 address of a host: four decimal octets (no leading zeros), not a loopback, unspecified, broadcast or
/// netmask address, and not a version (`v1.2.3.4`, `version 4.2.1.0`) or part of a longer dotted number.
fn ipv4(text: &str, at: usize) -> Option<usize> {
    let mut p = at;
    let mut octets = [0u8; 4];
    for (i, octet) in octets.iter_mut().enumerate() {
        let end = run_upto(text, p, 4, |b| b.is_ascii_digit());
        let digits = text.get(p..end)?;
        if digits.is_empty() || digits.len() > 3 || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        *octet = digits.parse().ok()?;
        p = end;
        if i < 3 {
            if byte(text, p) != Some(b'.') {
                return None;
            }
            p += 1;
        }
    }
    // A port may follow (`:8443`); a fifth number may not.
    if word_at(text, p)
        || byte(text, p) == Some(b'.') && byte(text, p + 1).is_some_and(|b| b.is_ascii_digit())
    {
        return None;
    }
    let address = Ipv4Addr::from(octets);
    let previous = line_before(text, at, 16)
        .trim_end_matches([' ', ':', '='])
        .rsplit([' ', '(', '"', '\''])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let version = [
        "version", "ver", "ver.", "v", "build", "release", "firmware", "fw",
    ]
    .contains(&previous.as_str());
    let not_a_host = address.is_loopback() || address.is_unspecified() || octets[0] == 255;
    (!version && !not_a_host).then_some(p)
}

/// An IPv6 address of a host (std's parser decides), not loopback or unspecified: `2001:db8::8a2e:370:7334`.
fn ipv6(text: &str, at: usize) -> Option<usize> {
    let mut end = run_upto(text, at, 46, |b| {
        b.is_ascii_hexdigit() || b == b':' || b == b'.'
    });
    while end > at && matches!(byte(text, end - 1), Some(b'.')) {
        end -= 1;
    }
    if end > at + 2 && byte(text, end - 1) == Some(b':') && byte(text, end - 2) != Some(b':') {
        end -= 1;
    }
    let candidate = &text[at..end];
    if candidate.matches(':').count() < 2
        || !candidate.bytes().any(|b| b.is_ascii_digit())
        || word_at(text, end)
    {
        return None;
    }
    let address: Ipv6Addr = candidate.parse().ok()?;
    (!address.is_loopback() && !address.is_unspecified()).then_some(end)
}

/// An IP address (v4 or v6) of a host; the address only, not its port or prefix length. Found from its first `.`
/// or `:` (far rarer in prose than the hex digits an address starts with), then read from the group before it.
pub(super) fn ip_address(text: &str, from: usize) -> Option<Hit> {
    let mut search = from;
    while let Some(offset) = text.get(search..)?.find(['.', ':']) {
        let separator = search + offset;
        search = separator + 1;
        let start = run_back(
            text,
            separator,
            from.max(separator.saturating_sub(4)),
            |b| b.is_ascii_hexdigit(),
        );
        if word_before(text, start)
            || start > 0 && matches!(byte(text, start - 1), Some(b'.' | b':' | b'-' | b'_'))
        {
            continue;
        }
        let end = match byte(text, separator) {
            Some(b'.')
                if start < separator
                    && text[start..separator].bytes().all(|b| b.is_ascii_digit()) =>
            {
                ipv4(text, start)
            }
            Some(b':') => ipv6(text, start),
            _ => None,
        };
        if let Some(end) = end {
            return Some(Hit::whole(start..end));
        }
    }
    None
}

/// The labels after which a grouped number is a phone number whatever its form.
const PHONE_LABELS: &[&str] = &[
    "phone",
    "tel",
    "mobile",
    "cell",
    "fax",
    "call",
    "whatsapp",
    "sms",
    "text me",
    "ring",
    "contact number",
    "telefon",
    "téléphone",
    "tél",
    "handy",
    "teléfono",
    "telefono",
    "telefone",
    "móvil",
    "movil",
    "portable",
    "rufnummer",
    "телефон",
    "電話",
    "携帯",
    "手机",
    "电话",
    "전화",
];

/// Whether one of `labels` stands as a word (ASCII case ignored) within `max` bytes before `at` on its line:
/// `tel:` and `Phone` count, `hotel`, `string` and `cancelled` do not. The words around a match are read in the
/// whole text, so a window that starts inside a word does not make its tail a label. A label in a script without
/// spaces between words (`電話番号`) has no boundary to check.
fn label_before(text: &str, at: usize, max: usize, labels: &[&str]) -> bool {
    let window = line_before(text, at, max);
    let start = at - window.len();
    let lower = window.to_ascii_lowercase();
    labels.iter().any(|label| {
        let letter = |c: char| label.is_ascii() && c.is_alphabetic();
        lower.match_indices(label).any(|(offset, _)| {
            let (before, after) = (start + offset, start + offset + label.len());
            !text[..before].ends_with(letter) && !text[after..].starts_with(letter)
        })
    })
}

/// A run of digits and single separators (` `, `-`, `.`, and `(`/`)` around a group) from `at`, at most 24 bytes:
/// its end (after a digit) and how many digits it holds.
fn digit_groups(text: &str, at: usize) -> (usize, usize) {
    let (mut p, mut end, mut digits) = (at, at, 0);
    let mut last_separator = false;
    while p < text.len() && p - at < 24 {
        match byte(text, p) {
            Some(b) if b.is_ascii_digit() => {
                digits += 1;
                last_separator = false;
                p += 1;
                end = p;
            }
            Some(b'(' | b')') => {
                p += 1;
            }
            Some(b' ' | b'-' | b'.') if !last_separator && p > at => {
                last_separator = true;
                p += 1;
            }
            _ => break,
        }
    }
    (end, digits)
}

/// `(ddd) ddd-dddd`, `ddd-ddd-dddd`, `ddd.ddd.dddd`, `ddd ddd dddd`, optionally after `1-`/`1 `: a North
/// American number (area code and exchange start with 2 to 9). Its end.
fn nanp(text: &str, at: usize) -> Option<usize> {
    let mut p = at;
    if byte(text, p) == Some(b'1') && matches!(byte(text, p + 1), Some(b'-' | b' ' | b'.')) {
        p += 2;
    }
    let area_start;
    let separator;
    if byte(text, p) == Some(b'(') {
        area_start = p + 1;
        if !digits_then(text, area_start, 3, Some(b")")) {
            return None;
        }
        p = area_start + 4;
        p += usize::from(byte(text, p) == Some(b' '));
        separator = b'-';
        if !digits_then(text, p, 3, Some(b"- ")) {
            return None;
        }
    } else {
        area_start = p;
        let sep = byte(text, p + 3)?;
        if !matches!(sep, b'-' | b'.' | b' ') || !digits_then(text, p, 3, Some(&[sep])) {
            return None;
        }
        separator = sep;
        p += 4;
        if !digits_then(text, p, 3, Some(&[separator])) {
            return None;
        }
    }
    let _ = separator;
    let exchange = p;
    p += 4;
    if !digits_then(text, p, 4, None) || run(text, p, |b| b.is_ascii_digit()) != p + 4 {
        return None;
    }
    let plausible = matches!(byte(text, area_start), Some(b'2'..=b'9'))
        && matches!(byte(text, exchange), Some(b'2'..=b'9'));
    plausible.then_some(p + 4)
}

/// A phone number: international (`+` and 8 to 15 digits in groups), a North American form, or a grouped number of
/// 7 to 15 digits after a phone label (`tel: 030 1234567`). The whole number, from its `+` or `(`.
pub(super) fn phone(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'+' || b == b'(' || b.is_ascii_digit(),
        |at| {
            let tel = byte(text, at) == Some(b'+') && text[..at].ends_with("tel:");
            if joined_before(text, at) && !tel {
                return None;
            }
            let end = if byte(text, at) == Some(b'+') {
                if !matches!(byte(text, at + 1), Some(b'1'..=b'9')) {
                    return None;
                }
                let (end, digits) = digit_groups(text, at + 1);
                (8..=15).contains(&digits).then_some(end)?
            } else if let Some(end) = nanp(text, at) {
                end
            } else {
                let (end, digits) = digit_groups(text, at);
                if !(7..=15).contains(&digits) {
                    return None;
                }
                label_before(text, at, 24, PHONE_LABELS).then_some(end)?
            };
            (!joined_after(text, end)).then(|| Hit::whole(at..end))
        },
    )
}

/// Home-directory names that are no person's: `C:\Users\Public`, `/Users/Shared`, placeholders.
const NOT_A_PERSON: &[&str] = &[
    "shared",
    "public",
    "default",
    "default user",
    "all users",
    "guest",
    "user",
    "username",
    "you",
    "me",
    "yourname",
    "your-name",
    "your_name",
    "name",
    "$user",
    "%username%",
    "<user>",
    "<username>",
    "{user}",
    "{username}",
    "...",
    "…",
    "*",
    "runner",
];

/// The user name in a home-directory path: `/home/<name>`, `/Users/<name>` (macOS), `C:\Users\<name>` (also with
/// `/` or JSON's `\\`), `~<name>/`. The name only.
pub(super) fn home_user(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| matches!(b, b'/' | b'\\' | b'~'),
        |at| {
            let (name_start, windows) = if has(text, at, "/home/") {
                (at + 6, false)
            } else if has(text, at, "/Users/") {
                (
                    at + 7,
                    byte(text, at.wrapping_sub(1)) == Some(b':') && at > 0,
                )
            } else if has(text, at, "\\Users\\") {
                (at + 7, true)
            } else if has(text, at, "\\\\Users\\\\") {
                (at + 9, true)
            } else if byte(text, at) == Some(b'~') {
                let end = run(text, at + 1, |b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.')
                });
                return (end > at + 1
                    && byte(text, at + 1).is_some_and(|b| b.is_ascii_lowercase())
                    && byte(text, end) == Some(b'/')
                    && !word_before(text, at)
                    && !NOT_A_PERSON.contains(&&text[at + 1..end]))
                .then(|| Hit {
                    span: at..end,
                    redact: Some(at + 1..end),
                });
            } else {
                return None;
            };
            // A path's start: not inside a longer path or word (`/api/home/…`, `example.com/Users/…`), except a
            // drive (`C:\Users`).
            let before = at.checked_sub(1).and_then(|p| byte(text, p));
            if !windows
                && before.is_some_and(|b| {
                    // `]` ends a marker that stands for a name (`/home/[REDACTED:home_user]/home/…`).
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b']')
                })
            {
                return None;
            }
            let stop = |c: char| {
                matches!(
                    c,
                    '/' | '\\'
                        | '"'
                        | '\''
                        | '`'
                        | ':'
                        | '*'
                        | '?'
                        | '<'
                        | '>'
                        | '|'
                        | ','
                        | ';'
                        | ')'
                        | ']'
                ) || c.is_control()
            };
            let mut end = name_start;
            let mut last_word_end = name_start;
            for (i, c) in text[name_start..].char_indices().take(64) {
                if stop(c) || (c.is_whitespace() && !(windows && c == ' ')) {
                    break;
                }
                end = name_start + i + c.len_utf8();
                if !c.is_whitespace() {
                    last_word_end = end;
                }
            }
            // A Windows name may hold spaces only when a separator follows it (`C:\Users\Jo Ann\Desktop`).
            if windows
                && text[name_start..end].contains(' ')
                && !matches!(byte(text, end), Some(b'\\' | b'/'))
            {
                end = name_start + text[name_start..end].find(' ').unwrap_or(end - name_start);
            } else {
                end = last_word_end.max(name_start).min(end);
            }
            while end > name_start && matches!(byte(text, end - 1), Some(b'.')) {
                end -= 1;
            }
            let name = &text[name_start..end];
            if name.is_empty()
                || !name.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                || NOT_A_PERSON.contains(&name.to_lowercase().as_str())
            {
                return None;
            }
            Some(Hit {
                span: at..end,
                redact: Some(name_start..end),
            })
        },
    )
}

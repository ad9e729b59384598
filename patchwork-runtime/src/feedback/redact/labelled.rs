//! The built-in rules for secrets known by their label: `Authorization` values (bearer and basic), and the value
//! after a secret-like name (`password=…`, `"api_key": "…"`, `X-Api-Key: …`, `--token …`, `mysql -p…`). A
//! password-like name redacts any value that is not a placeholder or a common word; any other secret-like name
//! (`token`, `secret`, `key`, `credentials`) only a value that looks random (gitleaks' generic-api-key class), so a
//! label followed by prose keeps its words.

use std::ops::Range;

use super::checks::{decodes_to_credentials, looks_random};
use super::scan::{
    Hit, byte, contains_ci, has, has_ci, leftmost, line_before, run, run_chars, spaces, word_before,
};
use super::tokens::{alnum, quote};
use super::words::{
    COMMON_VALUES, DESCRIBING_FIRST, DESCRIBING_LAST, NOT_PASS, PASSWORD_PARTS, PASSWORD_WORDS,
    PUBLIC_PARTS, SECRET_PARTS, SECRET_WORDS,
};

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

/// What a name makes of the value after it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Strength {
    /// A password: any value but a placeholder or a common word.
    Password,
    /// Another secret (`token`, `key`, `secret`): a value that looks random.
    Generic,
}

/// The lowercase parts of a name: split at `_`, `-`, `.`, spaces and lower-to-upper case changes (`apiKey`).
fn name_parts(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut last_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            last_lower = false;
            continue;
        }
        if c.is_uppercase() && last_lower && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        last_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// What `name` (the key of a pair, a flag's name) makes of its value, if it names a secret.
pub(super) fn strength_of(name: &str) -> Option<Strength> {
    let parts = name_parts(name);
    let (first, last) = (parts.first()?, parts.last()?);
    if parts.len() > 1
        && (DESCRIBING_LAST.contains(&last.as_str()) || DESCRIBING_FIRST.contains(&first.as_str()))
    {
        return None;
    }
    // A public key is no secret, wherever the word stands (`STRIPE_PUBLISHABLE_KEY`).
    if parts.iter().any(|p| PUBLIC_PARTS.contains(&p.as_str())) {
        return None;
    }
    let joined: String = parts.concat();
    let any = |long: &[&str], short: &[&str]| {
        long.iter().any(|w| joined.contains(w)) || parts.iter().any(|p| short.contains(&p.as_str()))
    };
    let pass_suffix = parts
        .iter()
        .any(|p| p.len() > 4 && p.ends_with("pass") && !NOT_PASS.contains(&p.as_str()));
    if any(PASSWORD_PARTS, PASSWORD_WORDS) || pass_suffix {
        Some(Strength::Password)
    } else if any(SECRET_PARTS, SECRET_WORDS) {
        // `tokenizer`, `secretary`: a secret word inside a longer word is not the name's meaning.
        let inside_word = parts.iter().all(|p| {
            SECRET_PARTS
                .iter()
                .chain(SECRET_WORDS)
                .all(|w| !p.contains(w) || (p != w && p.starts_with(w)))
        });
        (!inside_word).then_some(Strength::Generic)
    } else {
        None
    }
}

/// Whether `value` stands for a secret rather than holding one: `<your-token>`, `${API_KEY}`, `{{ secret }}`,
/// `$TOKEN`, `%PASSWORD%`, `****`, `(none set)`, a marker of ours.
fn placeholder(value: &str) -> bool {
    let first = value.chars().next();
    let variable = |open: char, close: char| {
        value.len() > 2
            && value.starts_with(open)
            && value.ends_with(close)
            && value[1..value.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    matches!(first, Some('<' | '(' | '[' | '•' | '…'))
        || value.starts_with("{{")
        || variable('{', '}')
        || variable('%', '%')
        || value.starts_with("${")
        || value.starts_with("pk_live_")
        || value.starts_with("pk_test_")
        || (value.starts_with('$')
            && value[1..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        || (value.chars().count() >= 3
            && value
                .chars()
                .all(|c| matches!(c, '*' | 'x' | 'X' | '•' | '.' | '#' | '-' | '_' | '?')))
        || value.contains("[REDACTED")
}

/// Whether the value after a name of `strength` is a secret. `rest` is the text after a value that may start
/// prose (a bare value after `:` or a space); `None` after `=` or for a quoted value, which are values as written.
pub(super) fn value_is_secret(value: &str, rest: Option<&str>, strength: Strength) -> bool {
    let trimmed = value.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    if trimmed.is_empty() || placeholder(trimmed) {
        return false;
    }
    // A path is where something is (`PWD=/srv/app`, `--password-file ./secret.txt`), not a secret.
    let path = (trimmed.starts_with('/') && trimmed[1..].contains('/'))
        || trimmed.starts_with("~/")
        || trimmed.starts_with("./")
        || trimmed.starts_with("../");
    if path {
        return false;
    }
    let lower = trimmed.to_lowercase();
    if COMMON_VALUES.contains(&lower.as_str())
        || lower.starts_with("your_")
        || lower.starts_with("your-")
        || lower.starts_with("<")
    {
        return false;
    }
    match strength {
        Strength::Password => {
            // A lowercase word followed by more words is prose: `password: incorrect for amy`.
            let word = trimmed.chars().all(char::is_alphabetic) && trimmed == lower;
            let prose = word
                && rest.is_some_and(|rest| {
                    let next = rest.trim_start_matches([' ', '\t']);
                    rest.starts_with([' ', '\t']) && next.starts_with(|c: char| c.is_lowercase())
                });
            !prose
        }
        Strength::Generic => looks_random(trimmed),
    }
}

/// The value that starts at `at` (after a separator and its spaces): a quoted one (`"…"`, `'…'`, `` `…` ``, its
/// content), or a bare one (`[^\s"'`]{1,256}`, ended early by a `,`, `;` or `&` that ends it, see
/// [`ends_bare_value`], and without a closing bracket or sentence stop after it).
fn value_at(text: &str, at: usize) -> Option<Range<usize>> {
    match byte(text, at) {
        Some(quote @ (b'"' | b'\'' | b'`')) => {
            let (end, n) = run_chars(text, at + 1, 257, |c| c != char::from(quote) && c != '\n');
            ((1..=256).contains(&n) && byte(text, end) == Some(quote)).then_some(at + 1..end)
        }
        _ => {
            let (run_end, _) = run_chars(text, at, 256, |c| {
                !c.is_whitespace() && !matches!(c, '"' | '\'' | '`')
            });
            let mut end = text[at..run_end]
                .char_indices()
                .find(|&(i, c)| matches!(c, ',' | ';' | '&') && ends_bare_value(text, at + i + 1))
                .map_or(run_end, |(i, _)| at + i);
            // A closing bracket or a sentence's stop ends the sentence, not the value: `(token=abc123).`
            while end > at && matches!(byte(text, end - 1), Some(b')' | b']' | b'}' | b'.' | b','))
            {
                end -= 1;
            }
            (end > at).then_some(at..end)
        }
    }
}

/// The name that ends at `end` (before a separator): `[A-Za-z0-9_.-]` and letters, at most 64 bytes back.
fn name_before(text: &str, end: usize) -> &str {
    let mut start = end;
    for (i, c) in text[..end].char_indices().rev() {
        if end - i > 64 || !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            break;
        }
        start = i;
    }
    &text[start..end]
}

/// The first `name` `:`/`=` value pair at or after `from` whose name is of `strength` and whose value is a
/// secret: `password=…`, `"apiKey": "…"`, `X-Api-Key: …`, `token := "…"`, `secret => '…'`. The value only.
fn pair_at(text: &str, from: usize, sep: usize, strength: Strength) -> Option<Hit> {
    if byte(text, sep) == Some(b'>') {
        return element_at(text, from, sep, strength);
    }
    // `=>`, `:=` and `==` are one separator; `://` is a URL's.
    if byte(text, sep) == Some(b'=') && byte(text, sep.wrapping_sub(1)) == Some(b':') && sep > 0 {
        return None;
    }
    let mut after = sep + 1;
    if matches!(byte(text, after), Some(b'=' | b'>')) {
        after += 1;
    }
    if byte(text, sep) == Some(b':') && byte(text, after) == Some(b'/') {
        return None;
    }
    // The name: back over spaces and a closing quote.
    let mut name_end = sep;
    while name_end > 0
        && matches!(byte(text, name_end - 1), Some(b' ' | b'\t'))
        && sep - name_end < 8
    {
        name_end -= 1;
    }
    if quote(byte(text, name_end.wrapping_sub(1))) && name_end > 0 {
        name_end -= 1;
    }
    let name = name_before(text, name_end);
    let named = strength_of(name).or_else(|| {
        // `- name: DB_PASSWORD` / `value: …`, `<add key="SmtpPassword" value="…"/>`: the sibling names it.
        let generic_value = ["value", "val", "v"]
            .iter()
            .any(|v| name.eq_ignore_ascii_case(v));
        generic_value
            .then(|| sibling_name(text, name_end - name.len()))
            .flatten()
            .and_then(strength_of)
    });
    if name.is_empty() || named != Some(strength) {
        return None;
    }
    let name_start = name_end - name.len();
    // `${DB_PASSWORD:?must be set}`: a shell expansion's default, not a value.
    if name_start < from || byte(text, name_start.wrapping_sub(1)) == Some(b'{') && name_start > 0 {
        return None;
    }
    let value_start =
        after + text[after..].len() - text[after..].trim_start_matches([' ', '\t']).len();
    let value = value_at(text, value_start)?;
    let written = byte(text, sep) == Some(b'=') || value.start > value_start;
    let rest = (!written).then(|| &text[value.end..]);
    value_is_secret(&text[value.clone()], rest, strength).then_some(Hit {
        span: name_start..value.end,
        redact: Some(value),
    })
}

/// The name a `value` pair stands for: the nearest `name`/`key` pair's value within 160 bytes before it
/// (`- name: DB_PASSWORD\n  value: …`, `<add key="SmtpPassword" value="…"/>`, `{"Name": "api_key", "Value": …}`).
fn sibling_name(text: &str, value_name: usize) -> Option<&str> {
    let mut start = value_name.saturating_sub(160);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let window = &text[start..value_name];
    let lower = window.to_ascii_lowercase();
    let at = ["name", "key"]
        .iter()
        .filter_map(|label| lower.rfind(label))
        .max()?;
    let label_len = if lower[at..].starts_with("name") {
        4
    } else {
        3
    };
    let rest = &window[at + label_len..];
    let rest = rest
        .trim_start_matches(['"', '\''])
        .trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix([':', '='])?;
    let rest = rest
        .trim_start_matches([' ', '\t'])
        .trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// An XML element's text under a secret's name: `<password>Blu3-Sky-Rain</password>` (the text only), found from
/// the start tag's `>` at `close`.
fn element_at(text: &str, from: usize, close: usize, strength: Strength) -> Option<Hit> {
    let name = name_before(text, close);
    let name_start = close - name.len();
    if name.is_empty()
        || name_start == 0
        || name_start <= from
        || byte(text, name_start - 1) != Some(b'<')
        || strength_of(name) != Some(strength)
    {
        return None;
    }
    let value_start = close + 1;
    let (value_end, n) = run_chars(text, value_start, 257, |c| c != '<' && c != '\n');
    if !(1..=256).contains(&n) || !text[value_end..].starts_with("</") {
        return None;
    }
    value_is_secret(&text[value_start..value_end], None, strength).then_some(Hit {
        span: name_start - 1..value_end,
        redact: Some(value_start..value_end),
    })
}

/// A flag's value: `--password hunter2`, `--api-key=…`, `--token "…"` (a name of `strength`).
fn flag_at(text: &str, at: usize, strength: Strength) -> Option<Hit> {
    if !text[at..].starts_with("--")
        || word_before(text, at)
        || byte(text, at.wrapping_sub(1)) == Some(b'-') && at > 0
    {
        return None;
    }
    let name_end = run(text, at + 2, |b| alnum(b) || b == b'-' || b == b'_');
    let name = &text[at + 2..name_end];
    if name.is_empty() || strength_of(name) != Some(strength) {
        return None;
    }
    let value_start = match byte(text, name_end) {
        Some(b'=') => name_end + 1,
        Some(b' ') if !matches!(byte(text, name_end + 1), Some(b'-' | b' ') | None) => name_end + 1,
        _ => return None,
    };
    let value = value_at(text, value_start)?;
    let written = value_start == name_end + 1 && byte(text, name_end) == Some(b'=')
        || value.start > value_start;
    let rest = (!written).then(|| &text[value.end..]);
    value_is_secret(&text[value.clone()], rest, strength).then_some(Hit {
        span: at..value.end,
        redact: Some(value),
    })
}

/// The first secret pair or flag of `strength` at or after `from`: one pass over the separators and dashes.
fn secret_value(text: &str, from: usize, strength: Strength) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| matches!(b, b':' | b'=' | b'-' | b'>'),
        |at| match byte(text, at) {
            Some(b'-') => flag_at(text, at, strength),
            _ => pair_at(text, from, at, strength),
        },
    )
}

/// A password told in a sentence (see [`said_at`]).
pub(super) fn said_password(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b' ',
        |at| said_at(text, from, at, Strength::Password),
    )
}

/// Another secret told in a sentence (see [`said_at`]).
pub(super) fn said_secret(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b' ',
        |at| said_at(text, from, at, Strength::Generic),
    )
}

/// The endings of a name that may start a sentence about a secret (checked before the name is parsed), by their
/// last letter.
fn said_endings(last: u8) -> &'static [&'static str] {
    match last.to_ascii_lowercase() {
        b'd' => &["password", "passwd", "pwd"],
        b'e' => &["passphrase"],
        b's' => &["pass", "credentials"],
        b'n' => &["token"],
        b'y' => &["key"],
        b't' => &["secret"],
        b'l' => &["credential"],
        b'w' => &["pw"],
        _ => &[],
    }
}

/// A secret told in a sentence, its name the word before the space at `space`: `the password is Hunt3r!`, `my
/// passphrase was S3cret-Sauce`, `the client secret is 9xY8wV7uT6sR5qP4`, `twilio auth token 9f8e7d6c…`. After
/// `is`/`was`, a password must look like one rather than a word (a digit, a symbol or mixed case inside it), so
/// `the password is case-sensitive` stays; any other secret must look random. Right after the name, with no verb,
/// only a random-looking value of 12 chars or more counts. A qualifier before the name (`cache key`, `page
/// token`) makes it no secret.
fn said_at(text: &str, from: usize, space: usize, strength: Strength) -> Option<Hit> {
    if space < from + 2 || !text.is_char_boundary(space) {
        return None;
    }
    let head = &text[..space];
    let ends = said_endings(head.as_bytes()[head.len() - 1])
        .iter()
        .any(|ending| {
            head.len() >= ending.len()
                && head.as_bytes()[head.len() - ending.len()..]
                    .eq_ignore_ascii_case(ending.as_bytes())
        });
    if !ends {
        return None;
    }
    let name = name_before(text, space);
    let name_start = space - name.len();
    if name.is_empty() || name_start < from || strength_of(name) != Some(strength) {
        return None;
    }
    // The word before the name: a qualifier such as `cache` or `next` makes the name something else.
    let before = text[..name_start].trim_end_matches(' ');
    let qualifier = name_before(text, before.len()).to_lowercase();
    if before.len() < name_start && DESCRIBING_FIRST.contains(&qualifier.as_str()) {
        return None;
    }
    let verb = ["is ", "was "]
        .into_iter()
        .find(|verb| has_ci(text, space + 1, verb));
    let value_start = space + 1 + verb.map_or(0, str::len);
    let Some(value) = value_at(text, value_start) else {
        return nearby_secret(text, name_start, space, strength);
    };
    let written = &text[value.clone()];
    let trimmed = written.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    let secret = match (verb, strength) {
        (None, _) => {
            trimmed.chars().count() >= 12 && value_is_secret(written, None, Strength::Generic)
        }
        (Some(_), Strength::Generic) => value_is_secret(written, None, strength),
        (Some(_), Strength::Password) => {
            let inner_case = trimmed.chars().skip(1).any(char::is_uppercase)
                && trimmed.chars().any(char::is_lowercase);
            let unlike_a_word = trimmed
                .chars()
                .any(|c| c.is_ascii_digit() || !(c.is_alphanumeric() || c == '-'))
                || inner_case
                || value.start > value_start;
            unlike_a_word && value_is_secret(written, Some(&text[value.end..]), strength)
        }
    };
    if !secret {
        return nearby_secret(text, name_start, space, strength);
    }
    Some(Hit {
        span: name_start..value.end,
        redact: Some(value),
    })
}

/// A value that cannot be a word, a few words after a secret's name on the same line: `asked for a password and
/// we used Wk7sZFsye*qnP`, `set the access_token to O32VdmzlVW6UWi6f`. Within 48 bytes, the first word of 10 chars
/// or more with digits and both cases (or symbols) that looks random.
fn nearby_secret(text: &str, name_start: usize, space: usize, strength: Strength) -> Option<Hit> {
    let _ = strength;
    let mut at = space;
    while at < text.len() && at < space + 48 {
        // The next word, whole (at most 256 bytes), on this line.
        let start = at + text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len();
        if start >= text.len() || text[start..].starts_with(['\n', '\r']) {
            return None;
        }
        let (end, _) = run_chars(text, start, 256, |c| !c.is_whitespace());
        at = end;
        let word = &text[start..end];
        let lead = word.len() - word.trim_start_matches(['(', '"', '\'', '`']).len();
        let trimmed =
            word[lead..].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'', '`']);
        if trimmed.contains("[REDACTED") {
            return None;
        }
        let digit = trimmed.bytes().any(|b| b.is_ascii_digit());
        let upper = trimmed.chars().any(char::is_uppercase);
        let lower = trimmed.chars().any(char::is_lowercase);
        let symbol = trimmed.chars().any(|c| !c.is_alphanumeric());
        let strict = trimmed.chars().count() >= 10
            && digit
            && (upper && lower || symbol && (upper || lower));
        if strict && value_is_secret(trimmed, None, Strength::Generic) {
            let value = start + lead..start + lead + trimmed.len();
            return Some(Hit {
                span: name_start..value.end,
                redact: Some(value),
            });
        }
    }
    None
}

/// The password in `curl -u user:password` (or `--user`), on a line that runs `curl`: the part after the `:`.
pub(super) fn user_password(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'-',
        |at| {
            let flag = ["-u ", "--user ", "--user="]
                .into_iter()
                .find(|f| has(text, at, f))?;
            if at == 0 || !matches!(byte(text, at - 1), Some(b' ' | b'\t')) {
                return None;
            }
            let value_start = at + flag.len();
            let value = value_at(text, value_start)?;
            let colon = text[value.clone()].find(':')?;
            let password = value.start + colon + 1..value.end;
            if colon == 0 || password.is_empty() || !line_before(text, at, 200).contains("curl") {
                return None;
            }
            Some(Hit {
                span: at..value.end,
                redact: Some(password),
            })
        },
    )
}

/// A password-like name's value (`password`, `passwd`, `pwd`, `passphrase`, `DB_PASS`), as a pair or a flag.
pub(super) fn password(text: &str, from: usize) -> Option<Hit> {
    secret_value(text, from, Strength::Password)
}

/// Another secret-like name's value that looks random (`token`, `secret`, `api_key`, `client_secret`,
/// `X-Api-Key`, `private_token`, `credentials`), as a pair or a flag.
pub(super) fn generic_secret(text: &str, from: usize) -> Option<Hit> {
    secret_value(text, from, Strength::Generic)
}

/// A MySQL-style password glued to its flag: `mysql -uroot -pS3cret db` (the value only), on a line that runs
/// `mysql`, `mariadb` or `mysqldump`.
pub(super) fn glued_password(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'-',
        |at| {
            if byte(text, at + 1) != Some(b'p')
                || !matches!(byte(text, at.wrapping_sub(1)), Some(b' ' | b'\t'))
                || at == 0
            {
                return None;
            }
            let value = at + 2;
            let (end, n) = run_chars(text, value, 128, |c| !c.is_whitespace());
            if n < 3 || text[value..end].bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let line = line_before(text, at, 200);
            ["mysql", "mariadb"]
                .iter()
                .any(|tool| line.contains(tool))
                .then_some(Hit {
                    span: at..end,
                    redact: Some(value..end),
                })
        },
    )
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

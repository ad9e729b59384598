//! Secrets known by the name written before them: `password=…`, `"api_key": "…"`, `X-Api-Key: …`,
//! `<password>…</password>`, `- name: DB_PASSWORD` / `value: …`, `.password("…")`, `--token …`, `mysql -p…`,
//! `curl -u user:…`. [`judge`](super::judge) decides whether a name is a secret's and its value a secret.

use super::judge::{
    Strength, code_expression, name_before, placeholder, strength_of, value_at, value_is_secret,
};
use super::scan::{Hit, byte, has, leftmost, line_before, run, run_chars, word_before};
use super::sentences::nearby_secret;
use super::tokens::{alnum, quote};
use super::words::{DIGEST_CONTEXT, QUALIFIERS};

/// The first `name` `:`/`=` value pair at or after `from` whose name is of `strength` and whose value is a
/// secret: `password=…`, `"apiKey": "…"`, `X-Api-Key: …`, `token := "…"`, `secret => '…'`. The value only.
fn pair_at(
    text: &str,
    from: usize,
    sep: usize,
    strength: Strength,
    judged_up_to: &std::cell::Cell<usize>,
) -> Option<Hit> {
    // A full-width colon (`password：…`, as East Asian keyboards type it) separates as `:` does.
    let wide = text[sep..].starts_with('：');
    if byte(text, sep) == Some(0xEF) && !wide {
        return None;
    }
    if byte(text, sep) == Some(b'>') {
        return element_at(text, from, sep, strength);
    }
    // `=>`, `:=` and `==` are one separator; `://` is a URL's.
    if byte(text, sep) == Some(b'=') && byte(text, sep.wrapping_sub(1)) == Some(b':') && sep > 0 {
        return None;
    }
    let mut after = sep + if wide { '：'.len_utf8() } else { 1 };
    if !wide && matches!(byte(text, after), Some(b'=' | b'>')) {
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
        // `\"password\":`: the quote of an escaped JSON string.
        if byte(text, name_end.wrapping_sub(1)) == Some(b'\\') && name_end > 0 {
            name_end -= 1;
        }
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
    // `cache key: …`: a qualifier before a one-word name makes it something else.
    let before = text[..name_start].strip_suffix(' ').unwrap_or("");
    let qualifier = name_before(text, before.len()).to_ascii_lowercase();
    if !before.is_empty() && QUALIFIERS.contains(&qualifier.as_str()) {
        return None;
    }
    // `Cache restored from key: …`, `checksum key: …`: a digest's or a cache's key, a few words back.
    if name.eq_ignore_ascii_case("key") {
        let context = line_before(text, name_start, 40).to_ascii_lowercase();
        if DIGEST_CONTEXT.iter().any(|word| context.contains(word)) {
            return None;
        }
    }
    // Spaces of any width after the separator (a no-break or thin space included), not a line's end.
    let mut value_start =
        after + text[after..].len() - text[after..].trim_start_matches(inline_space).len();
    // A YAML block scalar (`password: |` or `>-`): the value is the next line's text.
    if let Some(indicator) = value_at(text, value_start)
        .filter(|v| matches!(&text[v.clone()], "|" | "|-" | "|+" | ">" | ">-" | ">+"))
    {
        let next = text[indicator.end..].strip_prefix(['\n', '\r'])?;
        let next = next.strip_prefix('\n').unwrap_or(next);
        value_start = text.len() - next.trim_start_matches(inline_space).len();
    }
    let value = value_at(text, value_start)?;
    let written = byte(text, sep) == Some(b'=') || value.start > value_start;
    let rest = (!written).then(|| &text[value.end..]);
    // A bare `key` holding a SHA-1 or SHA-256 digest in hex names what it hashes.
    let digest = |v: &str| {
        matches!(v.len(), 40 | 64)
            && v.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if name.eq_ignore_ascii_case("key") && digest(&text[value.clone()]) {
        return None;
    }
    if value_is_secret(&text[value.clone()], rest, strength) {
        return Some(Hit {
            span: name_start..value.end,
            redact: Some(value),
        });
    }
    // `$password = ConvertTo-SecureString 'Lantern72?Granite18' -AsPlainText`: the literal inside the code.
    let bare = &text[value.clone()];
    if value.start == value_start && code_expression(bare) {
        return nearby_secret(text, name_start, value_start, strength);
    }
    if value.start == value_start {
        judged_up_to.set(value.end);
    }
    None
}

/// Whitespace within a line: spaces and tabs of any width (a no-break or thin space included).
fn inline_space(c: char) -> bool {
    c.is_whitespace() && c != '\n' && c != '\r'
}

/// A secret passed to a call under its name: `.password("…")`, `setApiKey('…')` (the quoted first argument), or
/// a quoted name and value as a call's two arguments: `setProperty("password", "…")`, `put("api_key", "…")`.
fn call_at(text: &str, from: usize, at: usize, strength: Strength) -> Option<Hit> {
    let after = |p: usize| p + text[p..].len() - text[p..].trim_start_matches([' ', '\t']).len();
    let (name_start, value_start) = match byte(text, at) {
        Some(b'(') => {
            let name = name_before(text, at);
            let name = name.rsplit('.').next().unwrap_or(name);
            if name.is_empty() || strength_of(name) != Some(strength) {
                return None;
            }
            (at - name.len(), after(at + 1))
        }
        _ => {
            // `, ` (or a tab, as in TSV) after a quoted name.
            let close = text[..at]
                .trim_end_matches([' ', '\t'])
                .len()
                .checked_sub(1)?;
            if !quote(byte(text, close)) {
                return None;
            }
            let name = name_before(text, close);
            let open = close.checked_sub(name.len() + 1)?;
            if name.is_empty()
                || byte(text, open) != byte(text, close)
                || strength_of(name) != Some(strength)
            {
                return None;
            }
            (open, after(at + 1))
        }
    };
    if name_start < from || !quote(byte(text, value_start)) && byte(text, value_start) != Some(b'`')
    {
        return None;
    }
    let value = value_at(text, value_start)?;
    value_is_secret(&text[value.clone()], None, strength).then_some(Hit {
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
    // The last `name`/`key` that stands as a word before its separator (not the `key` inside `ApiKey`).
    let (at, label_len) = ["name", "key"]
        .iter()
        .flat_map(|label| lower.match_indices(label).map(|(at, l)| (at, l.len())))
        .filter(|&(at, len)| {
            !lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && lower[at + len..]
                    .trim_start_matches(['"', '\''])
                    .trim_start_matches([' ', '\t'])
                    .starts_with([':', '='])
        })
        .max()?;
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
    let mut name_start = close - name.len();
    let tag_named = !name.is_empty() && name_start > 0 && byte(text, name_start - 1) == Some(b'<');
    let named = if tag_named {
        strength_of(name)
    } else {
        // `<entry key="db.password">…</entry>`: the tag's `key`/`name` attribute names it.
        let floor = crate::feedback::caps::ceil_char_boundary(text, close.saturating_sub(120));
        let tag_start = text[floor..close].rfind('<').map(|p| floor + p)?;
        name_start = tag_start + 1;
        let tag = &text[tag_start..close];
        attribute_name(tag).and_then(strength_of)
    };
    if name_start <= from || named != Some(strength) {
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

/// The value of a tag's `key="…"` or `name="…"` attribute: `<entry key="db.password"`.
fn attribute_name(tag: &str) -> Option<&str> {
    ["key=\"", "name=\"", "key='", "name='"]
        .iter()
        .find_map(|attribute| {
            let at = tag.find(attribute)? + attribute.len();
            let quote = attribute.chars().last()?;
            let end = tag[at..].find(quote)?;
            Some(&tag[at..at + end])
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
    // Past a bare value judged no secret, the separators inside it start no pair of their own (`key=key=key…`
    // would otherwise judge the same run once for each).
    let judged_up_to = std::cell::Cell::new(from);
    leftmost(
        text,
        from,
        |b| matches!(b, b':' | b'=' | b'-' | b'>' | b'(' | b',' | b'\t' | 0xEF),
        |at| {
            if at < judged_up_to.get() {
                return None;
            }
            match byte(text, at) {
                Some(b'-') => flag_at(text, at, strength),
                Some(b'(' | b',' | b'\t') => call_at(text, from, at, strength),
                _ => pair_at(text, from, at, strength, &judged_up_to),
            }
        },
    )
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
            if text[value.clone()].contains(super::MARKER_PREFIX) {
                return None;
            }
            let colon = text[value.clone()].find(':')?;
            let password = value.start + colon + 1..value.end;
            if colon == 0
                || password.is_empty()
                || placeholder(&text[password.clone()])
                || !line_before(text, at, 200).contains("curl")
            {
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

/// The tools whose short flag takes a password, and that flag: glued (`mysql -uroot -pS3cret`) or after a space
/// (`docker login -u deploy -p …`, `redis-cli -a …`).
const PASSWORD_FLAGS: &[(&str, u8)] = &[
    ("mysql", b'p'),
    ("mariadb", b'p'),
    ("docker login", b'p'),
    ("podman login", b'p'),
    ("buildah login", b'p'),
    ("skopeo login", b'p'),
    ("helm registry login", b'p'),
    ("oras login", b'p'),
    ("sshpass", b'p'),
    ("mongosh", b'p'),
    ("mongodump", b'p'),
    ("mongorestore", b'p'),
    ("rabbitmqadmin", b'p'),
    ("redis-cli", b'a'),
];

/// A password after a tool's password flag ([`PASSWORD_FLAGS`]) on the line that runs the tool (the value only).
pub(super) fn short_flag_password(text: &str, from: usize) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| b == b'-',
        |at| {
            let flag = byte(text, at + 1)?;
            if !matches!(flag, b'p' | b'a')
                || !matches!(byte(text, at.wrapping_sub(1)), Some(b' ' | b'\t'))
                || at == 0
            {
                return None;
            }
            let spaced = byte(text, at + 2) == Some(b' ');
            let value = value_at(text, at + 2 + usize::from(spaced))?;
            let written = &text[value.clone()];
            if written.chars().count() < 3
                || written.bytes().all(|b| b.is_ascii_digit())
                || written.starts_with('-')
                || placeholder(written)
            {
                return None;
            }
            let line = line_before(text, at, 200);
            PASSWORD_FLAGS
                .iter()
                .any(|&(tool, letter)| letter == flag && line.contains(tool))
                .then_some(Hit {
                    span: at..value.end,
                    redact: Some(value),
                })
        },
    )
}

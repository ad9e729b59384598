//! What a name makes of the value after it: whether a name is a secret's (a password's, or another secret's),
//! where its value starts and ends, and whether that value is a secret or prose, a placeholder, a path or code.
//! A password-like name makes any value a secret but a placeholder or a word; any other secret-like name only a
//! value that looks random (gitleaks' generic-api-key class), so a label followed by prose keeps its words.

use std::ops::Range;

use super::checks::looks_random;
use super::scan::{byte, run_chars};
use super::words::{
    COMMON_VALUES, DESCRIBING_LAST, FOREIGN_PASSWORD, FOREIGN_SECRET, NAME_PREFIXES, NGINX_PASS,
    NOT_PASS, PASSWORD_PARTS, PASSWORD_WORDS, PUBLIC_PARTS, QUALIFIERS, SECRET_PARTS, SECRET_WORDS,
};

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

/// Whether `name` holds any of the words a secret's name is made of (one pass, no allocation): the quick test
/// before [`strength_of`] parses it. A name in another script always passes.
fn mentions_secret(name: &str) -> bool {
    let bytes = name.as_bytes();
    !name.is_ascii()
        || (0..bytes.len()).any(|at| {
            let words: &[&str] = match bytes[at].to_ascii_lowercase() {
                b'p' => &["pass", "pw", "pat"],
                b's' => &[
                    "secret", "sig", "salt", "senha", "salasana", "sekret", "segreto", "secreto",
                ],
                b't' => &["token"],
                b'k' => &["key", "kennwort", "klucz"],
                b'a' => &["auth"],
                b'c' => &["cred", "contrasena"],
                b'd' => &["dsn"],
                b'w' => &["wort", "wachtwoord"],
                b'h' => &["haslo", "heslo"],
                b'j' => &["jeton"],
                b'g' => &["geheim"],
                _ => &[],
            };
            words.iter().any(|word| {
                bytes
                    .get(at..at + word.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()))
            })
        })
}

/// What `name` (the key of a pair, a flag's name) makes of its value, if it names a secret.
pub(super) fn strength_of(name: &str) -> Option<Strength> {
    if !mentions_secret(name) {
        return None;
    }
    let parts = name_parts(name);
    let (first, last) = (parts.first()?, parts.last()?);
    if parts.len() > 1
        && (DESCRIBING_LAST.contains(&last.as_str())
            || (QUALIFIERS.contains(&first.as_str()) || NAME_PREFIXES.contains(&first.as_str())))
    {
        return None;
    }
    // `adminPasswordKey`, `passwordSecretRef`: the name of a key in a secret store, not a password.
    if parts.len() > 1
        && matches!(last.as_str(), "key" | "ref" | "keyref")
        && parts.iter().any(|p| p.contains("password"))
    {
        return None;
    }
    // nginx's `proxy_pass` and its kin name an upstream, not a password.
    if last == "pass" && NGINX_PASS.contains(&first.as_str()) {
        return None;
    }
    // A public key is no secret, wherever the word stands (`STRIPE_PUBLISHABLE_KEY`).
    if parts.iter().any(|p| PUBLIC_PARTS.contains(&p.as_str())) {
        return None;
    }
    let joined: String = parts.concat();
    // A label in another language: one word, or words run together (`mot de passe` → `motdepasse`).
    // A label in another language, written as one word (`passwort`, `contraseña`, `jeton`); the labels of several
    // words are found in sentences.
    let foreign = |labels: &[&str]| {
        labels
            .iter()
            .any(|label| !label.contains([' ', '\'']) && joined.contains(label))
    };
    let any = |long: &[&str], short: &[&str]| {
        long.iter().any(|w| joined.contains(w)) || parts.iter().any(|p| short.contains(&p.as_str()))
    };
    let pass_suffix = parts
        .iter()
        .any(|p| p.len() > 4 && p.ends_with("pass") && !NOT_PASS.contains(&p.as_str()));
    if any(PASSWORD_PARTS, PASSWORD_WORDS) || pass_suffix || foreign(FOREIGN_PASSWORD) {
        Some(Strength::Password)
    } else if any(SECRET_PARTS, SECRET_WORDS) || foreign(FOREIGN_SECRET) {
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
pub(super) fn placeholder(value: &str) -> bool {
    let first = value.chars().next();
    // A digest or fingerprint names what it hashes; it is no secret (`SHA256:iYwtKO3V…`, `sha256:9f86…`).
    let digest = ["sha256:", "sha1:", "sha512:", "md5:", "sha384:"]
        .iter()
        .any(|prefix| {
            value.len() > prefix.len()
                && value
                    .as_bytes()
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
        });
    let variable = |open: char, close: char| {
        value.len() > 2
            && value.starts_with(open)
            && value.ends_with(close)
            && value[1..value.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    // AWS's documentation key and secret (`AKIAIOSFODNN7EXAMPLE`, `…EXAMPLEKEY`) are published placeholders.
    let documented = value.ends_with("EXAMPLE") || value.ends_with("EXAMPLEKEY");
    digest
        || documented
        || matches!(first, Some('<' | '(' | '[' | '•' | '…'))
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
        || value.contains("REDACTED:")
}

/// Whether the value after a name of `strength` is a secret. `rest` is the text after a value that may start
/// prose (a bare value after `:` or a space); `None` after `=` or for a quoted value, which are values as written.
pub(super) fn value_is_secret(value: &str, rest: Option<&str>, strength: Strength) -> bool {
    let trimmed = value.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    // A prompt asks for the secret (`getpass("Password: ")`).
    if trimmed.is_empty() || placeholder(trimmed) || value.trim_end().ends_with(':') {
        return false;
    }
    // A path is where something is (`PWD=/srv/app`, `--password-file ./secret.txt`), not a secret.
    let path = (trimmed.starts_with('/') && trimmed[1..].contains('/'))
        || trimmed.starts_with("~/")
        || trimmed.starts_with("./")
        || trimmed.starts_with("../");
    if path || code_expression(trimmed) {
        return false;
    }
    // The common values are short words; a long value is no word (and is not lowercased whole).
    let lower = trimmed[..super::super::caps::floor_char_boundary(trimmed, 32)].to_lowercase();
    if (trimmed.len() <= 32 && COMMON_VALUES.contains(&lower.as_str()))
        || lower.starts_with("your_")
        || lower.starts_with("your-")
    {
        return false;
    }
    match strength {
        Strength::Password => {
            // A count is a setting, not a password (`"passwordHistory": 5`).
            if trimmed.len() <= 2 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            // A lowercase word followed by more words is prose: `password: incorrect for amy`.
            let word = trimmed.chars().all(char::is_alphabetic) && trimmed == lower;
            let prose = word
                && rest.is_some_and(|rest| {
                    let next = rest.trim_start_matches([' ', '\t']);
                    // A marker stands for the word it replaced.
                    rest.starts_with([' ', '\t'])
                        && (next.starts_with(|c: char| c.is_lowercase())
                            || next.starts_with(super::MARKER_PREFIX))
                });
            !prose
        }
        Strength::Generic => looks_random(trimmed),
    }
}

/// Whether a bare value is code that computes a secret rather than the secret: a call (`getpass.getpass(`,
/// `getenv('DB_PASSWORD')`, `SecretString::new(…)`), a path of fields (`random_password.db.result`,
/// `settings.API_KEY`), a PowerShell cmdlet (`ConvertTo-SecureString`).
pub(super) fn code_expression(value: &str) -> bool {
    let identifier = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let call = value.contains(['(', '['])
        && value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '.');
    let fields = value.contains('.')
        && value.split('.').all(identifier)
        && !value.bytes().any(|b| b.is_ascii_digit());
    let cmdlet = value.split_once('-').is_some_and(|(verb, noun)| {
        verb.len() >= 3
            && identifier(verb)
            && identifier(noun)
            && verb.starts_with(|c: char| c.is_ascii_uppercase())
            && noun.starts_with(|c: char| c.is_ascii_uppercase())
            && !value.bytes().any(|b| b.is_ascii_digit())
    });
    call || fields || cmdlet || value.contains("::")
}

/// The value that starts at `at` (after a separator and its spaces): a quoted one (`"…"`, `'…'`, `` `…` ``, its
/// content), or a bare one (`[^\s"'`]{1,256}`, ended early by a `,`, `;` or `&` that ends it, see
/// [`ends_bare_value`], and without a closing bracket or sentence stop after it).
pub(super) fn value_at(text: &str, at: usize) -> Option<Range<usize>> {
    // A value quoted inside an escaped JSON string: `\"password\":\"…\"`.
    if byte(text, at) == Some(b'\\') && byte(text, at + 1) == Some(b'"') {
        let open = at + 2;
        let limit = crate::feedback::caps::floor_char_boundary(text, open + MAX_VALUE);
        let close = text[open..limit].find("\\\"")?;
        return (close > 0).then_some(open..open + close);
    }
    match byte(text, at) {
        Some(quote @ (b'"' | b'\'' | b'`')) => {
            let (end, n) = run_chars(text, at + 1, MAX_VALUE + 1, |c| {
                c != char::from(quote) && c != '\n'
            });
            ((1..=MAX_VALUE).contains(&n) && byte(text, end) == Some(quote)).then_some(at + 1..end)
        }
        _ => {
            // A bare value ends at whitespace, a quote, or punctuation of another script (`，`, `。`, `」`).
            let (run_end, _) = run_chars(text, at, MAX_VALUE, |c| {
                !c.is_whitespace()
                    && !matches!(c, '"' | '\'' | '`')
                    && (c.is_ascii() || c.is_alphanumeric())
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

/// The longest value read after a name (AWS session tokens run to about 1,000 chars). Each candidate reads at most
/// this far, so the scan stays linear.
pub(super) const MAX_VALUE: usize = 1024;

/// The name that ends at `end` (before a separator): `[A-Za-z0-9_.-]` and letters, at most 64 bytes back.
pub(super) fn name_before(text: &str, end: usize) -> &str {
    let mut start = end;
    for (i, c) in text[..end].char_indices().rev() {
        if end - i > 64 || !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            break;
        }
        start = i;
    }
    &text[start..end]
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
    // A connection string's names may hold single spaces (`;Persist Security Info=False`).
    let mut last_space = false;
    while next.is_some_and(|c| {
        let space = c == ' ' && !last_space;
        let ok = c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') || space;
        last_space = c == ' ';
        ok
    }) {
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

#[cfg(test)]
mod tests {
    use super::mentions_secret;
    use crate::feedback::redact::words::{
        FOREIGN_PASSWORD, FOREIGN_SECRET, PASSWORD_PARTS, PASSWORD_WORDS, SECRET_PARTS,
        SECRET_WORDS,
    };

    /// The quick test before a name is parsed passes every word a secret's name can hold, so a word added to a list
    /// is never filtered out before it is looked at.
    #[test]
    fn the_quick_test_passes_every_word_of_the_lists() {
        let lists = [
            PASSWORD_PARTS,
            PASSWORD_WORDS,
            SECRET_PARTS,
            SECRET_WORDS,
            FOREIGN_PASSWORD,
            FOREIGN_SECRET,
        ];
        // Labels of several words are found in sentences, not in names.
        for word in lists
            .into_iter()
            .flatten()
            .filter(|w| !w.contains([' ', '\'']))
        {
            assert!(mentions_secret(word), "{word}");
            assert!(
                mentions_secret(&format!("DB_{}", word.to_uppercase())),
                "{word}"
            );
        }
    }
}

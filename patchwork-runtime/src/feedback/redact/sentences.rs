//! Secrets told in a sentence rather than a pair: `the password is Hunt3r!`, `IDENTIFIED BY '…'`, `twilio auth
//! token 9f8e…`, a random-looking word a few words after a secret's name, and labels in other languages
//! (`Passwort`, `mot de passe`, `パスワード`, `jeton`).

use super::judge::{MAX_VALUE, Strength, name_before, strength_of, value_at, value_is_secret};
use super::scan::{Hit, has_ci, leftmost, run_upto, word_before};
use super::words::{FOREIGN_PASSWORD, FOREIGN_SECRET, QUALIFIERS};

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
        b'y' => &["key", "by"],
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
    // SQL's `IDENTIFIED BY '…'` names a password with two words.
    let identified_by = name.eq_ignore_ascii_case("by") && {
        let before = text[..name_start].trim_end_matches(' ').as_bytes();
        before.len() >= 10 && before[before.len() - 10..].eq_ignore_ascii_case(b"identified")
    };
    let named = if identified_by {
        Some(Strength::Password)
    } else {
        strength_of(name)
    };
    if name.is_empty() || name_start < from || named != Some(strength) {
        return None;
    }
    // The word before the name: a qualifier such as `cache` or `next` makes the name something else.
    let before = text[..name_start].trim_end_matches(' ');
    let qualifier = name_before(text, before.len()).to_lowercase();
    if before.len() < name_start && QUALIFIERS.contains(&qualifier.as_str()) {
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
    let quoted = value.start > value_start;
    let secret = match (verb, strength) {
        // `WITH PASSWORD 'x'`, `IDENTIFIED BY 'x'`: a quoted value right after the name.
        (None, _) if quoted => value_is_secret(written, None, strength),
        (None, _) => {
            trimmed.chars().count() >= 12 && value_is_secret(written, None, Strength::Generic)
        }
        (Some(_), Strength::Generic) => value_is_secret(written, None, strength),
        (Some(_), Strength::Password) => {
            let inner_case = trimmed.chars().skip(1).any(char::is_uppercase)
                && trimmed.chars().any(char::is_lowercase);
            // Three or more words joined by hyphens are a passphrase (`correct-horse-battery-staple`); one or two are
            // prose (`case-sensitive`).
            let passphrase =
                trimmed.split('-').filter(|w| !w.is_empty()).count() >= 3 && trimmed.len() >= 16;
            let unlike_a_word = passphrase
                || trimmed
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
/// we used Wk7sZFsye*qnP`, `set the access_token to O32VdmzlVW6UWi6f`, `パスワードは「Nebula15?Lantern06」です`.
/// The words are runs of printable ASCII (passwords and tokens are; the prose around them may be any script)
/// starting within 48 bytes of `after`; the first of 10 chars or more with digits and letters of both cases (or
/// symbols) that looks random is the secret.
pub(super) fn nearby_secret(
    text: &str,
    name_start: usize,
    after: usize,
    strength: Strength,
) -> Option<Hit> {
    let bytes = text.as_bytes();
    let mut at = after;
    while at < text.len() && at < after + 48 {
        if matches!(bytes[at], b'\n' | b'\r') {
            return None;
        }
        if !bytes[at].is_ascii_graphic() {
            at += 1;
            continue;
        }
        let start = at;
        let end = run_upto(text, start, MAX_VALUE, |b| b.is_ascii_graphic());
        at = end;
        let word = &text[start..end];
        let opening = ['(', '"', '\'', '`', '[', '{', '<', ':', '='];
        let lead = word.len() - word.trim_start_matches(opening).len();
        // A quoted word is its quotes' content (`'Winter2024!'`); a bare one ends before a sentence's stop.
        let quote = word[..lead]
            .chars()
            .last()
            .filter(|c| matches!(c, '"' | '\'' | '`'));
        let trimmed = match quote
            .and_then(|q| word[lead..].rfind(q).map(|end| &word[lead..lead + end]))
        {
            Some(content) => content,
            None => word[lead..]
                .trim_end_matches(['.', ',', ';', ':', ')', '"', '\'', '`', ']', '}', '>', '|']),
        };
        if word.contains("REDACTED:") {
            return None;
        }
        let digit = trimmed.bytes().any(|b| b.is_ascii_digit());
        let upper = trimmed.bytes().any(|b| b.is_ascii_uppercase());
        let lower = trimmed.bytes().any(|b| b.is_ascii_lowercase());
        // A symbol of the kind passwords hold (`!@#$%^&*?~+`), not the separators of ids, dates, versions and
        // parameters (`-`, `_`, `.`, `:`, `=`, `,`): a UUID, a hash, a timestamp or `m=65536,t=3` is no secret.
        let symbol = trimmed.bytes().any(|b| b"!@#$%^&*?~+".contains(&b));
        let strict = trimmed.len() >= 10 && digit && (upper && lower || symbol && (upper || lower));
        // After a password's name the shape is enough (`Copper-nebula1613`), if it is no address or path
        // (`ghcr.io/acme/app:2.14.1`, `http://127.0.0.1:8080`); after another secret's, it must look random too.
        let located = trimmed.contains('/') || trimmed.contains('@');
        if strict && !located && value_is_secret(trimmed, None, strength) {
            let value = start + lead..start + lead + trimmed.len();
            return Some(Hit {
                span: name_start..value.end,
                redact: Some(value),
            });
        }
    }
    None
}

/// A secret after a label in another language (`Passwort`, `mot de passe`, `contraseña`, `hasło`, `パスワード`,
/// `jeton`, `clave API`, `APIキー`), found as [`nearby_secret`] finds one.
fn foreign_label(text: &str, from: usize, labels: &[&str], strength: Strength) -> Option<Hit> {
    leftmost(
        text,
        from,
        |b| {
            labels
                .iter()
                .any(|l| l.as_bytes()[0] == b.to_ascii_lowercase())
        },
        |at| {
            let label = labels.iter().find(|l| has_ci(text, at, l))?;
            // Scripts without spaces between words (`ユーザーのパスワード`) have no boundary to check.
            if label.is_ascii() && word_before(text, at) {
                return None;
            }
            nearby_secret(text, at, at + label.len(), strength)
        },
    )
}

/// A password after a label in another language.
pub(super) fn foreign_password(text: &str, from: usize) -> Option<Hit> {
    foreign_label(text, from, FOREIGN_PASSWORD, Strength::Password)
}

/// A token or key after a label in another language.
pub(super) fn foreign_secret(text: &str, from: usize) -> Option<Hit> {
    foreign_label(text, from, FOREIGN_SECRET, Strength::Generic)
}

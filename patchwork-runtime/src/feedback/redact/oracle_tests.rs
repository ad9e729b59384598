//! The built-in scanners against the regular expressions they stand for: the same text through both (the `regex`
//! crate, a dev-dependency only, as the oracle) must come out the same, for the golden and intact vectors and for
//! generated text dense with the rules' fragments.

use std::sync::LazyLock;

use proptest::prelude::*;
use regex::{Captures, Regex};

use super::checks::{is_national_id, passes_luhn};
use super::tests::{GOLDEN, INTACT};
use super::{MARKER_PREFIX, Redaction, STANDARD};

/// What a pattern's match must satisfy, and which part of it is replaced (as the scanners' `Hit`s do).
#[derive(Clone, Copy)]
enum Check {
    /// The whole match.
    Whole,
    /// Only capture group 2; groups 1 and 3 (a label, a closing quote) are kept.
    Value,
    /// The whole match, if its digits pass the Luhn check.
    Luhn,
    /// The whole match, if it is an SSN in assigned ranges.
    Ssn,
    /// Like `Value`, if the value looks like a credential: 16 characters or more, or 8 or more with a digit.
    SecretValue,
    /// The whole match, unless it is an SCP-style remote (`git@github.com:org/repo`, group 1).
    Email,
    /// Like `Value`, with the value ended at the first `,`, `;` or `&` that the text after it shows to be the
    /// value's end ([`BARE_VALUE_ENDS`]); the search goes on from there (see [`bare_values`]).
    BareValue,
}

/// After a delimiter, what ends a bare value: whitespace, the end, or the next pair's name and `=` or `:`.
const BARE_VALUE_ENDS: &str = r"^(?:\s|$|[A-Za-z_][A-Za-z0-9_.\-]{0,63}\s{0,8}[=:])";

/// `Check::BareValue` through `regex`: each match's value cut where it ends, the search resumed at the cut.
fn bare_values(text: &str, regex: &Regex, marker: &str) -> String {
    static ENDS: LazyLock<Regex> = LazyLock::new(|| Regex::new(BARE_VALUE_ENDS).expect("compiles"));
    let (mut out, mut kept, mut at) = (String::new(), 0, 0);
    while let Some(caps) = regex.captures_at(text, at) {
        let (whole, value) = (caps.get(0).expect("a match"), caps.get(2).expect("a value"));
        let cut = value
            .as_str()
            .char_indices()
            .find(|&(i, c)| {
                matches!(c, ',' | ';' | '&') && ENDS.is_match(&text[value.start() + i + 1..])
            })
            .map_or(value.end(), |(i, _)| value.start() + i);
        if cut == value.start() {
            // No value: look for the next label after this match's first char.
            at = whole.start()
                + text[whole.start()..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            continue;
        }
        out.push_str(&text[kept..value.start()]);
        out.push_str(marker);
        (kept, at) = (cut, cut);
    }
    out.push_str(&text[kept..]);
    out
}

const PATTERNS: &[(&str, &str, Check)] = &[
    (
        "private_key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
        Check::Whole,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        Check::Whole,
    ),
    (
        "github_token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
        Check::Whole,
    ),
    (
        "slack_token",
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+",
        Check::Whole,
    ),
    (
        "anthropic_key",
        r"\bsk-ant-[A-Za-z0-9_-]{20,}",
        Check::Whole,
    ),
    (
        "openai_key",
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        Check::Whole,
    ),
    (
        "stripe_key",
        r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}",
        Check::Whole,
    ),
    (
        "aws_access_key",
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        Check::Whole,
    ),
    (
        "aws_secret_key",
        r#"(?i)(aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}?["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})()"#,
        Check::Value,
    ),
    ("gcp_api_key", r"\bAIza[0-9A-Za-z_-]{35}", Check::Whole),
    (
        "url_credentials",
        r"(?i)(\b[a-z][a-z0-9+.-]*://)([^\s/:@?#]+:[^\s/@?#]+)(@)",
        Check::Value,
    ),
    (
        "bearer",
        r"(?i)(\b(?:authorization\s*[:=]\s*[\x22']?\s*(?:bearer|basic|token)?|bearer)\s+)([A-Za-z0-9._~+/-]{8,}=*)()",
        Check::SecretValue,
    ),
    (
        "password",
        r#"(?i)((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)[\x22']?\s*[:=]\s*\x22)([^\x22\n]{1,256})(\x22)"#,
        Check::Value,
    ),
    (
        "password",
        r#"(?i)((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)[\x22']?\s*[:=]\s*')([^'\n]{1,256})(')"#,
        Check::Value,
    ),
    (
        "password",
        r#"(?i)((?:password|passwd|pwd|passphrase|secret|api[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token)[\x22']?\s*[:=]\s*)([^\s\x22'\[]{1,256})()"#,
        Check::BareValue,
    ),
    (
        "email",
        r"\b[A-Za-z0-9._%+_-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b(:[A-Za-z0-9_.~/-]+)?",
        Check::Email,
    ),
    (
        "card_number",
        r"\b(?:[2-6]\d{12,18}|[2-6]\d{3}(?: \d{4}){2} \d{1,7}|[2-6]\d{3}(?:-\d{4}){2}-\d{1,7}|3\d{3}[ -]\d{6}[ -]\d{5})\b",
        Check::Luhn,
    ),
    (
        "national_id",
        r"\b\d{3}-\d{2}-\d{4}\b|\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
        Check::Ssn,
    ),
];

/// The reference: every pattern in order, through the `regex` crate.
fn oracle(text: &str) -> String {
    static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        PATTERNS
            .iter()
            .map(|(_, pattern, _)| Regex::new(pattern).expect("the reference patterns compile"))
            .collect()
    });
    let mut out = text.to_string();
    for ((kind, _, check), regex) in PATTERNS.iter().zip(COMPILED.iter()) {
        let marker = format!("{MARKER_PREFIX}{kind}]");
        if matches!(check, Check::BareValue) {
            out = bare_values(&out, regex, &marker);
            continue;
        }
        out = regex
            .replace_all(&out, |caps: &Captures<'_>| {
                replacement(caps, *check, &marker)
            })
            .into_owned();
    }
    out
}

fn replacement(caps: &Captures<'_>, check: Check, marker: &str) -> String {
    let group = |n| caps.get(n).map_or("", |m| m.as_str());
    let whole = group(0);
    match check {
        Check::Whole => marker.to_string(),
        Check::Value => format!("{}{marker}{}", group(1), group(3)),
        Check::SecretValue
            if group(2).len() >= 16 || group(2).bytes().any(|b| b.is_ascii_digit()) =>
        {
            format!("{}{marker}{}", group(1), group(3))
        }
        Check::Email if caps.get(1).is_none() => marker.to_string(),
        Check::Luhn if passes_luhn(whole) => marker.to_string(),
        Check::Ssn if is_national_id(whole) => marker.to_string(),
        Check::SecretValue | Check::Luhn | Check::Ssn | Check::Email => whole.to_string(),
        Check::BareValue => unreachable!("applied by `bare_values`"),
    }
}

#[test]
fn the_scanners_and_the_patterns_are_the_same_rules_in_the_same_order() {
    let kinds: Vec<&str> = PATTERNS.iter().map(|(kind, _, _)| *kind).collect();
    let scanners: Vec<&str> = STANDARD.iter().map(|(kind, _, _)| *kind).collect();
    assert_eq!(kinds, scanners);
}

#[test]
fn the_vectors_come_out_as_the_patterns_make_them() {
    let rules = Redaction::standard();
    for text in GOLDEN
        .iter()
        .map(|(_, input, _)| *input)
        .chain(INTACT.iter().copied())
    {
        assert_eq!(rules.redact(text), oracle(text), "{text:?}");
    }
}

/// Pieces of the rules' shapes (prefixes, labels, separators, digits, Unicode words), to build text from.
const FRAGMENTS: &[&str] = &[
    "AKIA",
    "ASIA",
    "aws",
    "AWS_",
    "secret",
    "_sk",
    "sk-",
    "ant-",
    "proj-",
    "sk_live_",
    "rk_live_",
    "AIza",
    "ghp_",
    "github_pat_",
    "xoxb-",
    "https://hooks.slack.com/services/",
    "eyJ",
    "eyJhbGciOiJ",
    ".",
    "-----BEGIN ",
    "-----END ",
    "RSA ",
    "PRIVATE KEY",
    " BLOCK",
    "-----",
    "://",
    "postgres",
    "http",
    "user",
    ":",
    "@",
    "=",
    "\"",
    "'",
    " ",
    "  ",
    "\n",
    "\t",
    "password",
    "PASSWD",
    "pwd",
    "passphrase",
    "api_key",
    "Api-Key",
    "access_token",
    "auth-token",
    "refresh_token",
    "Authorization",
    "Bearer",
    "basic",
    "token",
    "example",
    "com",
    "co",
    "uk",
    "%",
    "+",
    "-",
    "_",
    "/",
    "#",
    "?",
    ",",
    ";",
    "&",
    "[",
    "~",
    "4111",
    "1111",
    "5500",
    "0000",
    "0004",
    "3782",
    "822463",
    "10005",
    "123",
    "45",
    "6789",
    "AB",
    "12",
    "34",
    "56",
    "C",
    "x",
    "Z",
    "a1",
    "é",
    "日本",
    "ß",
    "0",
    "9",
    "7",
    "ABCDEFGHIJKLMNOP",
    "abcdefghij0123456789",
    "QRSTUVWXYZ012345",
    "KLMNOPQRSTUVWXYZ0123456789abcdef",
];

fn text_of(pieces: &[usize]) -> String {
    pieces.iter().map(|&i| FRAGMENTS[i]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4_000, ..ProptestConfig::default() })]

    #[test]
    fn generated_text_comes_out_as_the_patterns_make_it(pieces in proptest::collection::vec(0..FRAGMENTS.len(), 0..40)) {
        let text = text_of(&pieces);
        prop_assert_eq!(Redaction::standard().redact(&text), oracle(&text), "{:?}", text);
    }

    #[test]
    fn arbitrary_text_comes_out_as_the_patterns_make_it(text in "\\PC{0,80}") {
        prop_assert_eq!(Redaction::standard().redact(&text), oracle(&text), "{:?}", text);
    }
}

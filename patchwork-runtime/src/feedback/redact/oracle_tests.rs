//! The built-in scanners of a fixed shape against the regular expressions they stand for: the same text through
//! both (the `regex` crate, a dev-dependency only, as the oracle) must come out the same, for the golden and intact
//! vectors and for generated text dense with the rules' fragments. The rules that weigh more than a shape (a
//! label's value against prose, entropy, checksums, personal data in any script) are measured on the labelled
//! corpus instead (`tests/redaction_corpus.rs`).

use std::sync::LazyLock;

use proptest::prelude::*;
use regex::{Captures, Regex};

use super::checks::{filler, passes_luhn};
use super::tests::{GOLDEN, INTACT};
use super::{Find, MARKER_PREFIX, Redaction, authorization, personal, tokens};

/// What a pattern's match must satisfy, and which part of it is replaced (as the scanners' `Hit`s do).
#[derive(Clone, Copy)]
enum Check {
    /// The whole match.
    Whole,
    /// Only capture group 2; groups 1 and 3 (a label, a closing quote) are kept.
    Value,
    /// The whole match, if its digits pass the Luhn check.
    Luhn,
    /// The whole match, unless it ends with `EXAMPLE` (AWS's documentation key) or is filler.
    NotExample,
    /// The whole match, unless its last 16 chars hold two distinct chars or fewer (a placeholder).
    Token,
    /// Like `Value`, if the value looks like a credential: 16 characters or more, or 8 or more with a digit.
    SecretValue,
}

const PATTERNS: &[(&str, Find, &str, Check)] = &[
    (
        "private_key",
        tokens::private_key,
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
        Check::Whole,
    ),
    (
        "jwt",
        tokens::jwt,
        r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        Check::Whole,
    ),
    (
        "github_token",
        tokens::github_token,
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
        Check::Token,
    ),
    (
        "slack_token",
        tokens::slack_token,
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
        Check::Token,
    ),
    (
        "anthropic_key",
        tokens::anthropic_key,
        r"\bsk-ant-[A-Za-z0-9_-]{20,}",
        Check::Token,
    ),
    (
        "openai_key",
        tokens::openai_key,
        r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        Check::Token,
    ),
    (
        "aws_access_key",
        tokens::aws_access_key,
        r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
        Check::NotExample,
    ),
    (
        "aws_secret_key",
        tokens::aws_secret_key,
        r#"(?i)(aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}?["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})([^A-Za-z0-9/+=]|$)"#,
        Check::Value,
    ),
    (
        "gcp_api_key",
        tokens::gcp_api_key,
        r"\bAIza[0-9A-Za-z_-]{35}",
        Check::Token,
    ),
    (
        "bearer",
        authorization::bearer,
        r"(?i)(\b(?:authorization\s*[:=]\s*[\x22']?\s*(?:bearer|token)?|bearer)\s+)([A-Za-z0-9._~+/-]{8,}=*)()",
        Check::SecretValue,
    ),
    (
        "card_number",
        personal::card_number,
        r"\b(?:[2-6]\d{12,18}|[2-6]\d{3}(?: \d{4}){2} \d{1,7}|[2-6]\d{3}(?:-\d{4}){2}-\d{1,7}|[2-6]\d{3}(?:\.\d{4}){2}\.\d{1,7}|3\d{3}[ -]\d{6}[ -]\d{5})\b",
        Check::Luhn,
    ),
];

/// The reference: every pattern in order, through the `regex` crate.
fn oracle(text: &str) -> String {
    static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        PATTERNS
            .iter()
            .map(|(_, _, pattern, _)| Regex::new(pattern).expect("the reference patterns compile"))
            .collect()
    });
    let mut out = text.to_string();
    for ((kind, _, _, check), regex) in PATTERNS.iter().zip(COMPILED.iter()) {
        let marker = format!("{MARKER_PREFIX}{kind}]");
        out = regex
            .replace_all(&out, |caps: &Captures<'_>| {
                replacement(caps, *check, &marker)
            })
            .into_owned();
    }
    out
}

/// The built-in rules the patterns stand for, in their order.
fn scanners() -> Redaction {
    Redaction::standard_where(|_, find| {
        PATTERNS
            .iter()
            .any(|(_, pattern_find, _, _)| std::ptr::fn_addr_eq(*pattern_find, find))
    })
}

fn replacement(caps: &Captures<'_>, check: Check, marker: &str) -> String {
    let group = |n| caps.get(n).map_or("", |m| m.as_str());
    let whole = group(0);
    match check {
        Check::Whole => marker.to_string(),
        Check::Value if group(2).ends_with("EXAMPLEKEY") => whole.to_string(),
        Check::Value => format!("{}{marker}{}", group(1), group(3)),
        Check::SecretValue
            if group(2).len() >= 16 || group(2).bytes().any(|b| b.is_ascii_digit()) =>
        {
            format!("{}{marker}{}", group(1), group(3))
        }
        Check::Luhn if passes_luhn(whole) => marker.to_string(),
        Check::NotExample if !whole.ends_with("EXAMPLE") && !filler(whole) => marker.to_string(),
        Check::Token if !filler(whole) => marker.to_string(),
        Check::SecretValue | Check::Luhn | Check::NotExample | Check::Token => whole.to_string(),
    }
}

#[test]
fn the_patterns_stand_for_built_in_rules_in_their_order() {
    let kinds: Vec<&str> = PATTERNS.iter().map(|(kind, _, _, _)| *kind).collect();
    assert_eq!(scanners().kinds(), kinds);
}

#[test]
fn the_vectors_come_out_as_the_patterns_make_them() {
    let rules = scanners();
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
        prop_assert_eq!(scanners().redact(&text), oracle(&text), "{:?}", text);
    }

    #[test]
    fn arbitrary_text_comes_out_as_the_patterns_make_it(text in "\\PC{0,80}") {
        prop_assert_eq!(scanners().redact(&text), oracle(&text), "{:?}", text);
    }
}

//! Arbitrary JSON never makes validation or capping panic, the caps always hold, and strict validation agrees
//! with the lenient builder whenever it accepts.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::validate::{check, lenient};
use super::{FeedbackPayload, Prepared};
use crate::contract::fields::{FIELDS, MAX_FIELD_BYTES, MAX_PAYLOAD_BYTES, TRUNCATION_MARKER};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Argument objects shaped like real calls: the contract's field names (and one unknown) with values that
/// are often right and sometimes wrong, long or odd.
fn tool_like_args() -> impl Strategy<Value = Value> {
    let keys: Vec<&'static str> = FIELDS
        .iter()
        .map(|f| f.name)
        .chain(["unknown_extra"])
        .collect();
    let value = prop_oneof![
        2 => any_json(),
        3 => "[a-z ]{1,30}".prop_map(Value::String),
        1 => (".{0,4}", 0usize..6_000).prop_map(|(s, n)| Value::String(s.repeat(n))),
        1 => prop::sample::select(vec!["missing_tool", "other", "blocked", "partial", "", "MISSING_TOOL"]).prop_map(Value::from),
        1 => prop::collection::vec("[a-z_é🦀]{0,300}".prop_map(Value::String), 0..70).prop_map(Value::Array),
    ];
    let required = ("[a-zA-Z][a-z ]{0,40}", "[a-zA-Z][a-z ]{0,40}");
    (
        required,
        prop::collection::vec((prop::sample::select(keys), value), 0..12),
    )
        .prop_map(|((needed, tried), pairs)| {
            let mut object: Map<String, Value> =
                pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            // Usually the required fields are present and good, so the strict path is exercised too.
            object
                .entry("what_i_needed")
                .or_insert(Value::String(needed));
            object.entry("what_i_tried").or_insert(Value::String(tried));
            object
                .entry("gap_type")
                .or_insert(Value::from("missing_tool"));
            Value::Object(object)
        })
}

fn capped(payload: FeedbackPayload) -> FeedbackPayload {
    Prepared::new(
        payload,
        &crate::feedback::redact::Redaction::standard(),
        crate::feedback::redact::Filled::default(),
    )
    .payload
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_and_stays_capped(args in any_json()) {
        let lenient = capped(lenient(&args, "slug".into()));
        prop_assert!(lenient.is_within_caps());
        if let Ok(strict) = check(&args) {
            let strict = capped(FeedbackPayload { server_slug: "slug".into(), ..strict });
            prop_assert!(strict.is_within_caps());
            prop_assert_eq!(strict, lenient);
        }
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary_with_the_marker(unit in "\\PC{1,3}", n in 1usize..6_000) {
        let text = unit.repeat(n);
        let args = serde_json::json!({"what_i_needed": text, "what_i_tried": "x"});
        let payload = capped(lenient(&args, "slug".into()));
        if text.len() <= MAX_FIELD_BYTES {
            prop_assert_eq!(payload.what_i_needed, text);
        } else {
            prop_assert!(payload.what_i_needed.len() <= MAX_FIELD_BYTES);
            let kept = payload.what_i_needed.strip_suffix(TRUNCATION_MARKER).expect("marked");
            prop_assert!(text.starts_with(kept));
            prop_assert!(kept.len() + 4 > MAX_FIELD_BYTES - TRUNCATION_MARKER.len(), "cut no more than one char too early");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn tool_shaped_arguments_are_judged_consistently(args in tool_like_args()) {
        let lenient = capped(lenient(&args, "slug".into()));
        prop_assert!(lenient.to_json_line().len() <= MAX_PAYLOAD_BYTES);
        match check(&args) {
            Ok(strict) => {
                prop_assert!(!strict.what_i_needed.trim().is_empty());
                prop_assert!(!strict.what_i_tried.trim().is_empty());
                let strict = capped(FeedbackPayload { server_slug: "slug".into(), ..strict });
                prop_assert_eq!(strict, lenient, "accepted arguments mean what the lenient builder reads");
            }
            Err(error) => {
                prop_assert!(!error.problems().is_empty());
                for problem in error.problems() {
                    prop_assert!(problem.starts_with('`'), "names a field: {}", problem);
                }
            }
        }
    }

    /// The strict path is really exercised: arguments with good required text and nothing else are accepted.
    #[test]
    fn good_required_fields_alone_are_accepted(needed in "[a-zA-Z][a-z ]{0,40}", tried in "[a-zA-Z][a-z ]{0,40}") {
        let args = serde_json::json!({"what_i_needed": needed, "what_i_tried": tried, "gap_type": "other"});
        prop_assert!(check(&args).is_ok());
    }
}

/// Text built from secret-shaped pieces (short e-mails grow most when replaced by their marker).
fn secretish_text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a@b.co ",
        "4111111111111111 ",
        "ghp_1234567890abcdefghijABCDEFGHIJ123456 ",
        "password=x ",
        "-----BEGIN PRIVATE KEY-----\nabc\n",
        "-----END PRIVATE KEY-----",
        "postgres://u:p@h/db ",
        "Bearer abcdefgh12345678 ",
        "123-45-6789 ",
        "é🦀 ",
        "plain words ",
    ]);
    prop::collection::vec(piece, 0..1_500).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Redaction never panics, never grows a field past its cap, and leaves none of the pieces' secrets.
    #[test]
    fn redaction_keeps_the_caps_and_leaves_no_secret(needed in secretish_text(), tried in secretish_text()) {
        let payload = capped(FeedbackPayload {
            server_slug: "slug".into(),
            what_i_needed: needed,
            what_i_tried: tried,
            ..FeedbackPayload::default()
        });
        prop_assert!(payload.is_within_caps());
        for field in [&payload.what_i_needed, &payload.what_i_tried] {
            for secret in ["a@b.co", "4111111111111111", "ghp_1234567890", "password=x", "u:p@h", "abcdefgh12345678", "123-45-6789"] {
                prop_assert!(!field.contains(secret), "{} left in the text", secret);
            }
        }
    }
}

//! Property tests: arbitrary JSON never panics the lenient or the strict
//! path, and what they produce is always within the caps.

use patchwork_runtime::{
    MAX_FIELD_BYTES, MAX_PAYLOAD_BYTES, MAX_TOOLS_AVAILABLE, Options, TRUNCATION_MARKER,
    payload_from_args, validate_arguments,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

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

const KEYS: [&str; 11] = [
    "what_i_needed",
    "what_i_tried",
    "gap_type",
    "suggestion",
    "user_goal",
    "resolution",
    "agent_model",
    "session_id",
    "client_type",
    "tools_available",
    "unknown_extra",
];

/// Objects using the tool's own keys with values of any type, sometimes huge.
fn tool_like_args() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        4 => any_json(),
        1 => (".{0,4}", 0usize..6_000).prop_map(|(s, n)| Value::String(s.repeat(n))),
        1 => prop::sample::select(vec!["missing_tool", "other", "blocked", "partial", "", "MISSING_TOOL"]).prop_map(Value::from),
        1 => prop::collection::vec("[a-z_é🦀]{0,300}".prop_map(Value::String), 0..70).prop_map(Value::Array),
    ];
    prop::collection::vec((prop::sample::select(KEYS.to_vec()), value), 0..12).prop_map(|pairs| {
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

fn opts() -> Options {
    Options {
        server_slug: Some("slug".into()),
        ..Options::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_and_stays_capped(args in any_json()) {
        let lenient = payload_from_args(&args, Some(&opts()));
        prop_assert!(lenient.is_within_caps());
        if let Ok(strict) = validate_arguments(&args, Some(&opts())) {
            prop_assert!(strict.is_within_caps());
            prop_assert_eq!(strict, lenient);
        }
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary_with_the_marker(unit in "\\PC{1,3}", n in 1usize..6_000) {
        let text = unit.repeat(n);
        let args = serde_json::json!({"what_i_needed": text, "what_i_tried": "x"});
        let payload = payload_from_args(&args, Some(&opts()));
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
    // Fewer cases: each builds up to ~100 KiB of text, slow in debug builds.
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn tool_shaped_arguments_never_panic_and_errors_name_a_field(args in tool_like_args()) {
        let lenient = payload_from_args(&args, Some(&opts()));
        prop_assert!(lenient.to_json_line().len() <= MAX_PAYLOAD_BYTES);
        prop_assert!(lenient.tools_available.len() <= MAX_TOOLS_AVAILABLE);
        match validate_arguments(&args, Some(&opts())) {
            Ok(strict) => {
                prop_assert!(!strict.what_i_needed.trim().is_empty());
                prop_assert!(!strict.what_i_tried.trim().is_empty());
                prop_assert!(strict.is_within_caps());
            }
            Err(error) => {
                prop_assert!(!error.problems().is_empty());
                for problem in error.problems() {
                    prop_assert!(problem.starts_with('`'), "names a field: {}", problem);
                }
            }
        }
    }
}

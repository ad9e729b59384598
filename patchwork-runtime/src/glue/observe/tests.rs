//! What the watcher reads from answers (serde's classes, a schema's paths) and that it delegates every method rmcp
//! has. Its behaviour with a real client and the collector is in `patchwork-runtime/tests/observe.rs`.

use serde_json::{Value, json};

use super::classify::{mismatch_path, serde_class};
use crate::signals::MISSING_FIELD;

#[test]
fn serde_messages_give_class_and_field_never_values() {
    assert_eq!(
        serde_class("missing field `query`"),
        (MISSING_FIELD, Some("query".to_owned()))
    );
    assert_eq!(
        serde_class("unknown field `qurey`, expected one of `query`, `limit`"),
        ("unknown_field", Some("qurey".to_owned()))
    );
    assert_eq!(
        serde_class("invalid type: string \"hunter2\", expected i64"),
        ("invalid_type", None)
    );
    assert_eq!(
        serde_class("invalid value: integer `-1`, expected u8"),
        ("invalid_value", None)
    );
    assert_eq!(serde_class("something else"), ("invalid_params", None));
}

#[test]
fn a_mismatch_path_follows_nested_properties() {
    let schema = json!({
        "type": "object",
        "properties": {
            "q": {"type": "string"},
            "filters": {"type": "object", "properties": {"limit": {"type": ["integer", "null"]}}}
        }
    });
    let schema = schema.as_object().unwrap();
    let args = |v: Value| v.as_object().unwrap().clone();
    assert_eq!(
        mismatch_path(
            schema,
            &args(json!({"q": "x", "filters": {"limit": "ten"}}))
        )
        .as_deref(),
        Some("filters.limit")
    );
    assert_eq!(
        mismatch_path(schema, &args(json!({"q": 3}))).as_deref(),
        Some("q")
    );
    assert_eq!(
        mismatch_path(schema, &args(json!({"q": "x", "filters": {"limit": null}}))),
        None
    );
}

/// rmcp's own wrapper impls (`impl_server_handler_for_wrapper!`, for `Box` and `Arc`) list every `ServerHandler`
/// method; the watcher must delegate each, or a method rmcp adds would silently answer with its default.
#[test]
fn the_watcher_delegates_every_method_rmcps_own_wrappers_delegate() {
    let metadata = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo metadata");
    let metadata: Value = serde_json::from_slice(&metadata.stdout).expect("metadata json");
    let manifest = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "rmcp")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("rmcp is a dependency")
        .to_owned();
    let source = std::path::Path::new(&manifest)
        .with_file_name("src")
        .join("handler/server.rs");
    let text = std::fs::read_to_string(&source).expect("rmcp's handler source");
    let start = text
        .find("macro_rules! impl_server_handler_for_wrapper")
        .expect("rmcp's wrapper macro");
    let body = &text[start..];
    let body = &body[..body.find("\n}\n").expect("the macro's end")];
    let mut theirs: Vec<&str> = body
        .split("fn ")
        .skip(1)
        .filter_map(|rest| rest.split(['(', '<']).next())
        .collect();
    theirs.sort_unstable();
    let mut ours = delegated_methods();
    ours.sort_unstable();
    assert_eq!(ours, theirs);
}

/// The methods `delegate.rs`'s impl defines, read from its source: each `fn` of the impl and each entry of its
/// `traced!` list.
fn delegated_methods() -> Vec<&'static str> {
    let source = include_str!("delegate.rs");
    let body = &source[source
        .find("impl<S: ServerHandler> ServerHandler for Observed<S> {")
        .expect("the impl")..];
    let name = |text: &'static str| text.trim().split(['(', '<']).next().unwrap_or_default();
    let listed = &body[body.find("traced! {").expect("the traced! list") + "traced! {".len()..];
    let listed = &listed[..listed.find('}').expect("the list's end")];
    let mut names: Vec<&str> = listed
        .split(';')
        .map(name)
        .filter(|n| !n.is_empty())
        .collect();
    names.extend(
        body.split("fn ")
            .skip(1)
            .map(name)
            .filter(|n| !n.is_empty() && *n != "$name"),
    );
    names
}

//! The advertised input schema and the strict validation judge the same table of argument objects the same
//! way, checked with an independent JSON Schema 2020-12 validator (`boon`).

use serde_json::{Value, json};

use super::validate::check;
use crate::contract::fields::input_schema_json;

/// Argument objects an agent might send: good ones, and each way of getting a field wrong.
fn table() -> Vec<Value> {
    let good = json!({"what_i_needed": "a forecast tool", "what_i_tried": "search", "gap_type": "missing_tool"});
    let with = |key: &str, value: Value| {
        let mut args = good.clone();
        args[key] = value;
        args
    };
    let without = |key: &str| {
        let mut args = good.clone();
        args.as_object_mut().map(|o| o.remove(key));
        args
    };
    let mut rows = vec![
        good.clone(),
        json!(null),
        json!("text"),
        json!([good.clone()]),
        json!(42),
        json!({}),
        without("what_i_needed"),
        without("what_i_tried"),
        without("gap_type"),
        with("unknown_extra", json!(1)),
    ];
    for required in ["what_i_needed", "what_i_tried"] {
        for value in [
            json!(""),
            json!(" "),
            json!("\t\n"),
            json!(null),
            json!(1),
            json!(["x"]),
            json!("ok"),
            json!(" ok "),
        ] {
            rows.push(with(required, value));
        }
    }
    for value in [
        "missing_tool",
        "incomplete_results",
        "missing_parameter",
        "wrong_format",
        "other",
        "",
        "weird",
        "OTHER",
        " other",
    ] {
        rows.push(with("gap_type", json!(value)));
    }
    rows.push(with("gap_type", json!(null)));
    rows.push(with("gap_type", json!(3)));
    for value in [
        "blocked",
        "worked_around",
        "partial",
        "",
        "gave_up",
        "Blocked",
    ] {
        rows.push(with("resolution", json!(value)));
    }
    rows.push(with("resolution", json!(null)));
    for optional in [
        "suggestion",
        "user_goal",
        "agent_model",
        "session_id",
        "client_type",
    ] {
        for value in [
            json!(""),
            json!("text"),
            json!(null),
            json!(7),
            json!(true),
            json!({"a": 1}),
        ] {
            rows.push(with(optional, value));
        }
    }
    for value in [
        json!([]),
        json!(["a", "b"]),
        json!(["a", 1]),
        json!("a"),
        json!(null),
        json!([null]),
    ] {
        rows.push(with("tools_available", value));
    }
    rows
}

#[test]
fn the_schema_and_the_validator_agree_on_every_row() {
    let schema: Value = serde_json::from_str(&input_schema_json()).expect("the schema is JSON");
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V2020_12);
    compiler
        .add_resource("urn:patchwork:feedback-input", schema)
        .expect("the schema is added");
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile("urn:patchwork:feedback-input", &mut schemas)
        .expect("the schema compiles as JSON Schema 2020-12");
    let rows = table();
    assert!(rows.len() >= 80, "{}", rows.len());
    let mut accepted = 0;
    for args in rows {
        let by_schema = schemas.validate(&args, index).is_ok();
        let by_validator = check(&args);
        assert_eq!(
            by_schema,
            by_validator.is_ok(),
            "{args}: schema {} / validator {:?}",
            if by_schema { "accepts" } else { "refuses" },
            by_validator.err().map(|e| e.to_string())
        );
        accepted += usize::from(by_schema);
    }
    assert!(
        accepted > 20,
        "the table exercises acceptance too: {accepted}"
    );
}

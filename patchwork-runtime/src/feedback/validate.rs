//! Strict validation of the feedback tool's arguments: instead of sending
//! empty feedback, tell the agent exactly which argument to fix.

use std::fmt;

use serde_json::{Map, Value};

use super::{FeedbackPayload, GapType, Resolution};

/// Why a tool call's arguments were refused: every problem found, each naming
/// the argument and what to put there. Its `Display` is written for the agent.
///
/// ```
/// let args = serde_json::json!({ "what_i_needed": "hourly forecasts", "gap_type": "typo" });
/// let err = patchwork_runtime::validate_arguments(&args, None).unwrap_err();
/// // its `Display` is the tool error the agent reads: every argument to fix
/// assert!(err.to_string().contains("`what_i_tried`") && err.to_string().contains("`gap_type`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentError {
    problems: Vec<String>,
}

impl ArgumentError {
    /// One line per problem, each naming the argument to fix.
    ///
    /// ```
    /// let err = patchwork_runtime::validate_arguments(&serde_json::json!({}), None).unwrap_err();
    /// assert!(err.problems().iter().any(|problem| problem.contains("`what_i_needed`")));
    /// ```
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Feedback not recorded. Fix these arguments and call the tool again:")?;
        for problem in &self.problems {
            write!(f, "\n- {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ArgumentError {}

/// Checks a tool call's arguments; on success builds the payload with [`lenient`] (the slug left empty, not yet
/// capped).
///
/// Exactly what the advertised input schema says (a test runs both over one table): refused are arguments that
/// are not a JSON object; `what_i_needed`, `what_i_tried` or `gap_type` missing; required text that is empty or
/// only white space; `gap_type` or `resolution` outside their values (exact, case-sensitive strings); any field of
/// the wrong type, `null` included (leave an optional field out instead); `tools_available` that is not an array
/// of strings. Unknown arguments are ignored.
pub(crate) fn check(args: &Value) -> Result<FeedbackPayload, ArgumentError> {
    check_arguments(args)?;
    Ok(lenient(args, String::new()))
}

/// Builds a payload leniently, like the reference client: missing or non-string fields become `""`,
/// non-string entries of `tools_available` are dropped, an unknown or empty `gap_type` becomes `other`, an
/// unknown `resolution` is left out. Not capped: [`Prepared`](super::Prepared) caps it once.
pub(crate) fn lenient(args: &Value, server_slug: String) -> FeedbackPayload {
    let text = |key: &str| {
        args.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let tools_available = args
        .get("tools_available")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    FeedbackPayload {
        server_slug,
        what_i_needed: text("what_i_needed"),
        what_i_tried: text("what_i_tried"),
        gap_type: GapType::from_str_lenient(&text("gap_type")),
        suggestion: text("suggestion"),
        user_goal: text("user_goal"),
        resolution: Resolution::from_str_opt(&text("resolution")),
        agent_model: text("agent_model"),
        session_id: text("session_id"),
        client_type: text("client_type"),
        tools_available,
    }
}

/// The checks of [`check`], without building the payload.
fn check_arguments(args: &Value) -> Result<(), ArgumentError> {
    let Some(object) = args.as_object() else {
        return Err(ArgumentError {
            problems: vec![format!(
                "the arguments must be a JSON object such as {{\"what_i_needed\": \"…\", \"what_i_tried\": \"…\", \"gap_type\": \"missing_tool\"}}, not {}",
                kind(args)
            )],
        });
    };
    let mut problems = Vec::new();
    required_text(
        object,
        "what_i_needed",
        "say what capability, data or tool you were looking for",
        &mut problems,
    );
    required_text(
        object,
        "what_i_tried",
        "say which tools or approaches you tried and what they returned",
        &mut problems,
    );
    for key in [
        "suggestion",
        "user_goal",
        "agent_model",
        "session_id",
        "client_type",
    ] {
        optional_text(object, key, &mut problems);
    }
    check_one_of(
        object,
        "gap_type",
        &GapType::ALL.map(GapType::as_str),
        Some("say which kind of gap this is"),
        &mut problems,
    );
    check_one_of(
        object,
        "resolution",
        &Resolution::ALL.map(Resolution::as_str),
        None,
        &mut problems,
    );
    check_tools(object, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ArgumentError { problems })
    }
}

/// The value under `key`; `null` counts as given (and is then the wrong type), as in the schema.
fn present<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key)
}

fn required_text(object: &Map<String, Value>, key: &str, what: &str, problems: &mut Vec<String>) {
    match present(object, key) {
        None => problems.push(format!("`{key}` is missing: {what}")),
        Some(Value::String(text)) if text.trim().is_empty() => {
            problems.push(format!("`{key}` is empty: {what}"))
        }
        Some(Value::String(_)) => {}
        Some(other) => problems.push(format!(
            "`{key}` must be a string, not {}: {what}",
            kind(other)
        )),
    }
}

fn optional_text(object: &Map<String, Value>, key: &str, problems: &mut Vec<String>) {
    if let Some(value) = present(object, key).filter(|v| !v.is_string()) {
        problems.push(format!(
            "`{key}` must be a string (or left out), not {}",
            kind(value)
        ));
    }
}

/// A closed enum field: one of `values` exactly. `missing` is what to say when it is left out, for a required
/// field; an optional one may be left out.
fn check_one_of(
    object: &Map<String, Value>,
    field: &str,
    values: &[&str],
    missing: Option<&str>,
    problems: &mut Vec<String>,
) {
    let allowed = values.join(", ");
    let not = match present(object, field) {
        None => {
            if let Some(what) = missing {
                problems.push(format!("`{field}` is missing: {what}, one of {allowed}"));
            }
            return;
        }
        Some(Value::String(text)) if values.contains(&text.as_str()) => return,
        Some(Value::String(text)) => format!("\"{}\"", excerpt(text)),
        Some(other) => kind(other).to_owned(),
    };
    let or_left_out = if missing.is_some() {
        ""
    } else {
        " (or left out)"
    };
    problems.push(format!(
        "`{field}` must be one of {allowed}{or_left_out}, not {not}"
    ));
}

fn check_tools(object: &Map<String, Value>, problems: &mut Vec<String>) {
    match present(object, "tools_available") {
        None => {}
        Some(Value::Array(entries)) => {
            if let Some((index, entry)) = entries.iter().enumerate().find(|(_, e)| !e.is_string()) {
                problems.push(format!(
                    "`tools_available` must contain only tool names as strings; entry {index} is {}",
                    kind(entry)
                ));
            }
        }
        Some(other) => problems.push(format!(
            "`tools_available` must be an array of tool names (strings), not {}",
            kind(other)
        )),
    }
}

/// A JSON value's kind, as an agent-readable phrase.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// At most 40 characters of agent text, for quoting it back.
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(args: Value) -> Vec<String> {
        check_arguments(&args)
            .err()
            .map(|e| e.problems)
            .unwrap_or_default()
    }

    #[test]
    fn non_objects_are_refused_with_an_example() {
        for args in [json!(null), json!("text"), json!([1]), json!(3)] {
            let text = check_arguments(&args).unwrap_err().to_string();
            assert!(text.contains("must be a JSON object"), "{text}");
            assert!(text.contains("what_i_needed"), "{text}");
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let found = problems(json!({
            "what_i_needed": "  ",
            "what_i_tried": 5,
            "suggestion": [],
            "gap_type": 1,
            "resolution": "gave_up",
            "tools_available": ["a", {"b": 1}],
        }));
        let joined = found.join("\n");
        for needle in [
            "`what_i_needed` is empty",
            "`what_i_tried` must be a string, not a number",
            "`suggestion` must be a string",
            "`gap_type` must be one of",
            "`resolution` must be one of blocked, worked_around, partial (or left out), not \"gave_up\"",
            "entry 1 is an object",
        ] {
            assert!(joined.contains(needle), "missing {needle:?} in {joined}");
        }
        assert_eq!(found.len(), 6);
    }

    #[test]
    fn minimal_valid_arguments_pass_and_unknown_arguments_are_ignored() {
        let args = json!({"what_i_needed": "x", "what_i_tried": "y", "gap_type": "wrong_format", "extra": 1});
        let payload = check(&args).unwrap();
        assert_eq!(payload.gap_type, GapType::WrongFormat);
        assert_eq!(payload.what_i_needed, "x");
    }

    #[test]
    fn the_category_is_required_and_closed_and_null_is_not_absent() {
        let base = json!({"what_i_needed": "x", "what_i_tried": "y"});
        let with = |key: &str, value: Value| {
            let mut args = base.clone();
            args[key] = value;
            problems(args).join("\n")
        };
        assert!(
            problems(base.clone())
                .join("")
                .contains("`gap_type` is missing")
        );
        for bad in ["weird", "", "MISSING_TOOL", " other"] {
            let text = with("gap_type", json!(bad));
            assert!(
                text.contains("`gap_type` must be one of missing_tool, incomplete_results"),
                "{bad:?}: {text}"
            );
        }
        let mut good = base.clone();
        good["gap_type"] = json!("other");
        assert!(problems(good.clone()).is_empty());
        for (key, value) in [
            ("resolution", json!("")),
            ("resolution", json!(null)),
            ("suggestion", json!(null)),
        ] {
            let mut args = good.clone();
            args[key] = value.clone();
            assert!(!problems(args).is_empty(), "{key} = {value}");
        }
    }

    #[test]
    fn missing_required_fields_say_what_to_write() {
        let text = check_arguments(&json!({})).unwrap_err().to_string();
        assert!(
            text.contains("`what_i_needed` is missing: say what capability"),
            "{text}"
        );
        assert!(text.contains("`what_i_tried` is missing"), "{text}");
    }
}

//! The feedback tool's input schema, built by the macro as JSON text so the expansion (and `cargo expand`)
//! shows the schema itself. It must equal `patchwork_runtime::tool_input_schema()` as JSON; the test
//! `macro_constants::input_schema_equals_the_runtime_schema` keeps the two from drifting.

/// One property of the schema.
struct Property {
    name: &'static str,
    kind: Kind,
    description: &'static str,
}

enum Kind {
    String,
    Enum(&'static [&'static str]),
    StringArray,
}

/// The properties, in the order agents read them: the required three first.
const PROPERTIES: &[Property] = &[
    Property {
        name: "what_i_needed",
        kind: Kind::String,
        description: "What capability, data, or tool were you looking for?",
    },
    Property {
        name: "what_i_tried",
        kind: Kind::String,
        description: "What tools or approaches did you try? Include tool names and brief results.",
    },
    Property {
        name: "gap_type",
        kind: Kind::Enum(&[
            "missing_tool",
            "incomplete_results",
            "missing_parameter",
            "wrong_format",
            "other",
        ]),
        description: "The category of gap encountered.",
    },
    Property {
        name: "suggestion",
        kind: Kind::String,
        description: "Your idea for what would have helped.",
    },
    Property {
        name: "user_goal",
        kind: Kind::String,
        description: "The user's original request or goal.",
    },
    Property {
        name: "resolution",
        kind: Kind::Enum(&["blocked", "worked_around", "partial"]),
        description: "What happened after hitting the gap.",
    },
    Property {
        name: "tools_available",
        kind: Kind::StringArray,
        description: "Tool names you considered or tried.",
    },
    Property {
        name: "agent_model",
        kind: Kind::String,
        description: "Your model identifier, if known.",
    },
    Property {
        name: "session_id",
        kind: Kind::String,
        description: "Conversation or session identifier.",
    },
    Property {
        name: "client_type",
        kind: Kind::String,
        description: "The MCP client in use, if known (e.g. 'claude-desktop', 'cursor', 'claude-code').",
    },
];

const REQUIRED: &[&str] = &["what_i_needed", "what_i_tried", "gap_type"];

/// The schema as pretty-printed JSON text (two-space indent).
pub(crate) fn input_schema_json() -> String {
    let mut out = String::with_capacity(2048);
    out.push_str("{\n  \"type\": \"object\",\n  \"properties\": {\n");
    for (i, property) in PROPERTIES.iter().enumerate() {
        out.push_str(&format!("    {}: {{\n", json_string(property.name)));
        match property.kind {
            Kind::String => out.push_str("      \"type\": \"string\",\n"),
            Kind::Enum(values) => {
                out.push_str("      \"type\": \"string\",\n");
                out.push_str(&format!("      \"enum\": {},\n", json_array(values)));
            }
            Kind::StringArray => {
                out.push_str("      \"type\": \"array\",\n");
                out.push_str("      \"items\": { \"type\": \"string\" },\n");
            }
        }
        out.push_str(&format!(
            "      \"description\": {}\n",
            json_string(property.description)
        ));
        out.push_str(if i + 1 < PROPERTIES.len() {
            "    },\n"
        } else {
            "    }\n"
        });
    }
    out.push_str(&format!(
        "  }},\n  \"required\": {}\n}}",
        json_array(REQUIRED)
    ));
    out
}

fn json_array(values: &[&str]) -> String {
    let items: Vec<String> = values.iter().map(|v| json_string(v)).collect();
    format!("[{}]", items.join(", "))
}

/// A JSON string literal for `value` (RFC 8259 escapes).
pub(crate) fn json_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#);
    }

    #[test]
    fn schema_names_every_property_once_and_requires_three() {
        let schema = input_schema_json();
        for property in PROPERTIES {
            assert_eq!(
                schema
                    .matches(&format!("\"{}\": {{", property.name))
                    .count(),
                1,
                "{}",
                property.name
            );
        }
        assert!(
            schema
                .ends_with("\"required\": [\"what_i_needed\", \"what_i_tried\", \"gap_type\"]\n}")
        );
    }
}

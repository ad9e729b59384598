//! The feedback tool's arguments: one table, from which the input schema is written, and the caps that bound
//! what an agent can make the server store or send.

/// How a field's value is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string.
    Text,
    /// A string that is one of these values.
    OneOf(&'static [&'static str]),
    /// An array of strings (tool names).
    TextList,
}

/// One argument of the feedback tool (a property of its input schema, a field of the wire payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    /// The argument's name, as in the schema and the wire payload.
    pub(crate) name: &'static str,
    /// Its shape.
    pub(crate) kind: Kind,
    /// Whether the agent must give it.
    pub(crate) required: bool,
    /// One line for the agent: what to put there.
    pub(crate) description: &'static str,
}

/// `gap_type`'s values, in the schema's order.
pub(crate) const GAP_TYPES: &[&str] = &[
    "missing_tool",
    "incomplete_results",
    "missing_parameter",
    "wrong_format",
    "other",
];

/// `resolution`'s values, in the schema's order.
pub(crate) const RESOLUTIONS: &[&str] = &["blocked", "worked_around", "partial"];

/// The arguments, in the order agents read them: the required ones first. `server_slug` is not among them:
/// it comes from configuration, never from the agent.
pub(crate) const FIELDS: &[Field] = &[
    Field {
        name: "what_i_needed",
        kind: Kind::Text,
        required: true,
        description: "What capability, data, or tool were you looking for?",
    },
    Field {
        name: "what_i_tried",
        kind: Kind::Text,
        required: true,
        description: "What tools or approaches did you try? Include tool names and brief results.",
    },
    Field {
        name: "gap_type",
        kind: Kind::OneOf(GAP_TYPES),
        required: true,
        description: "The category of gap encountered.",
    },
    Field {
        name: "suggestion",
        kind: Kind::Text,
        required: false,
        description: "Your idea for what would have helped.",
    },
    Field {
        name: "user_goal",
        kind: Kind::Text,
        required: false,
        description: "The user's original request or goal.",
    },
    Field {
        name: "resolution",
        kind: Kind::OneOf(RESOLUTIONS),
        required: false,
        description: "What happened after hitting the gap.",
    },
    Field {
        name: "tools_available",
        kind: Kind::TextList,
        required: false,
        description: "The tools this server offers, as you know them (the server fills this in itself when it can).",
    },
    Field {
        name: "agent_model",
        kind: Kind::Text,
        required: false,
        description: "Your model identifier, if known.",
    },
    Field {
        name: "session_id",
        kind: Kind::Text,
        required: false,
        description: "Conversation or session identifier.",
    },
    Field {
        name: "client_type",
        kind: Kind::Text,
        required: false,
        description: "The MCP client in use, if known (e.g. 'claude-desktop', 'cursor', 'claude-code'); the server's own knowledge of it wins.",
    },
];

/// Longest string field, in bytes (UTF-8), after which the text is cut.
pub(crate) const MAX_FIELD_BYTES: usize = 8 * 1024;
/// Most entries kept in `tools_available`.
pub(crate) const MAX_TOOLS_AVAILABLE: usize = 50;
/// Longest entry of `tools_available`, in bytes.
pub(crate) const MAX_TOOL_NAME_BYTES: usize = 256;
/// Largest payload, in bytes of its JSON form.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// Appended where a string was cut, so readers see it is incomplete.
pub(crate) const TRUNCATION_MARKER: &str = "…[truncated]";

/// The input schema (JSON Schema, an object schema) as pretty-printed JSON text, two-space indent.
pub(crate) fn input_schema_json() -> String {
    let mut out = String::with_capacity(2048);
    out.push_str("{\n  \"type\": \"object\",\n  \"properties\": {\n");
    for (i, field) in FIELDS.iter().enumerate() {
        out.push_str("    ");
        out.push_str(&json_string(field.name));
        out.push_str(": {\n");
        match field.kind {
            // Required text must say something: at least one character that is not white space.
            Kind::Text if field.required => {
                out.push_str("      \"type\": \"string\",\n      \"minLength\": 1,\n      \"pattern\": \"\\\\S\",\n")
            }
            Kind::Text => out.push_str("      \"type\": \"string\",\n"),
            Kind::OneOf(values) => {
                out.push_str("      \"type\": \"string\",\n      \"enum\": ");
                out.push_str(&json_array(values.iter().copied()));
                out.push_str(",\n");
            }
            Kind::TextList => {
                out.push_str("      \"type\": \"array\",\n");
                out.push_str("      \"items\": { \"type\": \"string\" },\n");
            }
        }
        out.push_str("      \"description\": ");
        out.push_str(&json_string(field.description));
        out.push_str(if i + 1 < FIELDS.len() {
            "\n    },\n"
        } else {
            "\n    }\n"
        });
    }
    out.push_str("  },\n  \"required\": ");
    out.push_str(&json_array(
        FIELDS.iter().filter(|f| f.required).map(|f| f.name),
    ));
    out.push_str("\n}");
    out
}

fn json_array<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = values.map(json_string).collect();
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
    fn schema_names_every_field_once_and_requires_the_required_ones() {
        let schema = input_schema_json();
        for field in FIELDS {
            let opening = format!("\"{}\": {{", field.name);
            assert_eq!(schema.matches(&opening).count(), 1, "{}", field.name);
        }
        assert!(
            schema
                .ends_with("\"required\": [\"what_i_needed\", \"what_i_tried\", \"gap_type\"]\n}")
        );
        assert!(!schema.contains("server_slug"));
    }
}

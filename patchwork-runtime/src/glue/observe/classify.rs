//! What a watched server's answer says: that what was asked for does not exist, or which class of argument error it
//! was and at which field (from serde's message, else from the input schema the server listed), never a value.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ::rmcp::ErrorData;
use ::rmcp::model::{ContentBlock, ErrorCode, JsonObject, ListToolsResult};
use serde_json::Value;

use super::Observed;
use crate::signals::MISSING_FIELD;
use crate::sync::lock;

/// What rmcp's router puts before a refused argument object's serde error.
pub(super) const DESERIALIZE_PREFIX: &str = "failed to deserialize parameters:";

/// Most tool schemas remembered from `tools/list` answers (for the path of a refused argument).
const MAX_SCHEMAS: usize = 1024;

/// The input schemas watched servers listed, by server type and tool: shared by every watcher of a server type,
/// since streamable HTTP makes one per session (stateless: one per request), and a `tools/call` may come in another
/// session than the `tools/list`.
type Schemas = HashMap<TypeId, HashMap<String, Arc<JsonObject>>>;
static SCHEMAS: Mutex<Option<Schemas>> = Mutex::new(None);

impl<S: 'static> Observed<S> {
    /// Remembers the input schema of every tool a `tools/list` answer names.
    pub(super) fn remember_schemas(&self, list: &ListToolsResult) {
        let mut schemas = lock(&SCHEMAS);
        let schemas = schemas.get_or_insert_with(HashMap::new);
        let mut remembered: usize = schemas.values().map(HashMap::len).sum();
        let own = schemas.entry(TypeId::of::<S>()).or_default();
        for tool in &list.tools {
            if let Some(known) = own.get_mut(tool.name.as_ref()) {
                *known = Arc::clone(&tool.input_schema);
            } else if remembered < MAX_SCHEMAS {
                own.insert(tool.name.to_string(), Arc::clone(&tool.input_schema));
                remembered += 1;
            } else {
                break;
            }
        }
    }

    /// A tool's error text for its signal, when the client opted in (redacted later with the signal).
    pub(super) fn error_text(&self, text: &str) -> String {
        if self.patchwork().signal_error_text() {
            text.to_owned()
        } else {
            String::new()
        }
    }

    /// The input schema the server listed for `tool`, if it did.
    pub(super) fn schema(&self, tool: &str) -> Option<Arc<JsonObject>> {
        lock(&SCHEMAS)
            .as_ref()?
            .get(&TypeId::of::<S>())?
            .get(tool)
            .cloned()
    }
}

/// `class at path` for a refused argument object: the class from serde's message, the path from serde's message when
/// it names the field, else `mismatch` (the first argument the tool's listed schema refuses). Never a value.
pub(super) fn refusal(message: &str, mismatch: Option<String>) -> String {
    let message = message
        .strip_prefix(DESERIALIZE_PREFIX)
        .unwrap_or(message)
        .trim();
    let (class, named) = serde_class(message);
    match named.or(mismatch) {
        Some(path) => format!("{class} at {path}"),
        None => class.to_owned(),
    }
}

/// Whether an error says what was asked for does not exist: resource not found, method not found (the server
/// has none of that kind), or invalid params saying "not found" (rmcp's prompt router).
pub(super) fn is_not_found(error: &ErrorData) -> bool {
    error.code == ErrorCode::RESOURCE_NOT_FOUND
        || error.code == ErrorCode::METHOD_NOT_FOUND
        || (error.code == ErrorCode::INVALID_PARAMS && says_not_found(&error.message))
}

/// rmcp's router answers an unknown tool with invalid params, "tool not found"; a server without tools answers
/// method not found.
pub(super) fn is_unknown_tool(error: &ErrorData) -> bool {
    error.code == ErrorCode::METHOD_NOT_FOUND
        || (error.code == ErrorCode::INVALID_PARAMS
            && says_not_found(&error.message)
            && error.message.to_ascii_lowercase().contains("tool"))
}

fn says_not_found(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not found") || lower.contains("unknown") || lower.contains("no such")
}

/// The text blocks of a tool result, joined.
pub(super) fn text_of(content: &[ContentBlock]) -> String {
    content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The class of a serde error message and the field it names (`missing field `x``, `unknown field `x``); values
/// quoted in the message (`invalid type: string "abc"`) are never taken.
pub(super) fn serde_class(message: &str) -> (&'static str, Option<String>) {
    let field = || {
        let start = message.find('`')? + 1;
        let len = message[start..].find('`')?;
        Some(message[start..start + len].to_owned()).filter(|f| !f.is_empty() && f.len() <= 128)
    };
    if message.starts_with("missing field") {
        (MISSING_FIELD, field())
    } else if message.starts_with("unknown field") {
        ("unknown_field", field())
    } else if message.starts_with("invalid type") {
        ("invalid_type", None)
    } else if message.starts_with("invalid value") {
        ("invalid_value", None)
    } else if message.starts_with("invalid length") {
        ("invalid_length", None)
    } else if message.starts_with("unknown variant") {
        ("unknown_variant", None)
    } else {
        ("invalid_params", None)
    }
}

/// The path of the first argument whose JSON type the schema does not allow (depth-first, objects only, a few
/// levels), e.g. `filters.limit`.
pub(super) fn mismatch_path(schema: &JsonObject, arguments: &JsonObject) -> Option<String> {
    fn walk(schema: &JsonObject, value: &JsonObject, depth: usize) -> Option<Vec<String>> {
        let properties = schema.get("properties")?.as_object()?;
        for (name, value) in value {
            let Some(property) = properties.get(name).and_then(Value::as_object) else {
                continue;
            };
            if !type_allows(property, value) {
                return Some(vec![name.clone()]);
            }
            if let (Value::Object(inner), true) = (value, depth < 4)
                && let Some(mut path) = walk(property, inner, depth + 1)
            {
                path.insert(0, name.clone());
                return Some(path);
            }
        }
        None
    }
    walk(schema, arguments, 0).map(|path| path.join("."))
}

/// Whether the schema's `type` (a name or a list) allows `value`; no `type` allows anything.
fn type_allows(schema: &JsonObject, value: &Value) -> bool {
    let allows = |name: &str| match name {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    };
    match schema.get("type") {
        Some(Value::String(name)) => allows(name),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).any(allows),
        _ => true,
    }
}

//! The texts agents read, as the attribute sets them: the `wording` preset, and the `description` and `directive`
//! keys that replace its texts (a directive must name the tool).

use crate::attr::Args;
use crate::contract::texts;
use crate::ctxt::Errors;

/// The tool's description and the directive: the `wording` preset's (default `reference`), each replaced by its
/// own key when given. A directive must name the tool, or agents would not know what to call.
pub(super) fn check_wording(
    args: &Args,
    tool_name: &str,
    tool_name_refused: bool,
    errors: &mut Errors,
) -> (String, String) {
    let preset = match &args.wording {
        Some(lit) if texts::WORDINGS.contains(&lit.value().as_str()) => lit.value(),
        Some(lit) => {
            errors.spanned(
                lit,
                format!(
                    "unknown wording {:?}: write `wording = \"reference\"` (the reference client's texts, the default) \
                     or `wording = \"directory\"` (no capitalised imperatives, genuine gaps only, no personal data)",
                    lit.value()
                ),
            );
            "reference".to_owned()
        }
        None => "reference".to_owned(),
    };
    let (mut description, mut directive) = texts::wording(&preset, tool_name)
        .map(|(description, directive)| (description.to_owned(), directive))
        .unwrap_or_default();
    if let Some(lit) = &args.description {
        if lit.value().trim().is_empty() {
            errors.spanned(
                lit,
                "`description` is empty: write when agents should call the tool and what to put in it, or omit the \
                 key to keep the `wording` preset's",
            );
        } else {
            description = lit.value();
        }
    }
    if let Some(lit) = &args.directive {
        let text = lit.value();
        if tool_name_refused {
            directive = text;
        } else if !texts::names_tool(&text, tool_name) {
            errors.spanned(
                lit,
                format!(
                    "the directive must name the tool, or agents will not know what to call: write \
                     `{tool_name}` in it, e.g. `directive = \"When a tool is missing, report it with the \
                     `{tool_name}` tool.\"`"
                ),
            );
        } else {
            directive = text;
        }
    }
    (description, directive)
}

// The wording presets and the keys that replace the description and the directive.
use patchwork_runtime::patchwork_feedback;

struct Reference;

#[patchwork_feedback(dispatch = "manual")]
impl Reference {}

struct Directory;

#[patchwork_feedback(dispatch = "manual", wording = "directory", tool_name = "report_gap")]
impl Directory {}

struct Custom;

#[patchwork_feedback(
    dispatch = "manual",
    instructions = "Weather forecasts.",
    description = "Tell us which forecast you could not get, and which tools you tried.",
    directive = "If a forecast is missing, report it with the `feedback` tool."
)]
impl Custom {}

fn main() {
    assert_eq!(Reference::PATCHWORK_TOOL_DESCRIPTION, patchwork_runtime::TOOL_DESCRIPTION);
    assert!(Reference::PATCHWORK_INSTRUCTIONS.contains("BEFORE"));
    assert!(!Directory::PATCHWORK_TOOL_DESCRIPTION.contains("BEFORE"));
    assert!(Directory::PATCHWORK_TOOL_DESCRIPTION.contains("Do not report fallbacks that worked"));
    assert!(Directory::PATCHWORK_INSTRUCTIONS.contains("`report_gap`"));
    assert_eq!(Directory::patchwork_tool().description, Directory::PATCHWORK_TOOL_DESCRIPTION);
    assert_eq!(
        Custom::PATCHWORK_INSTRUCTIONS,
        "Weather forecasts.\n\nIf a forecast is missing, report it with the `feedback` tool."
    );
    assert!(Custom::PATCHWORK_TOOL_DESCRIPTION.starts_with("Tell us which forecast"));
}

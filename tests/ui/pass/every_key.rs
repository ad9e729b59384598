use patchwork_runtime::patchwork_feedback;

struct Server;

#[patchwork_feedback(
    dispatch = "manual",
    slug = "weather-eu",
    tool_name = "report_gap",
    instructions = "Weather forecasts for European cities.",
    url = "https://eu.patchworkmcp.com/",
    api_key_env = "WEATHER_PATCHWORK_KEY",
    delivery = "await",
    crate = "::patchwork_runtime",
)]
impl Server {
    fn forecast(&self) -> &'static str {
        "sunny"
    }
}

fn main() {
    assert_eq!(Server.forecast(), "sunny");
    assert_eq!(Server::PATCHWORK_TOOL_NAME, "report_gap");
    assert_eq!(Server::patchwork_tool().name, "report_gap");
    assert!(Server::PATCHWORK_INSTRUCTIONS.starts_with("Weather forecasts for European cities.\n\n"));
    assert!(Server::PATCHWORK_INSTRUCTIONS.contains("`report_gap`"));
}

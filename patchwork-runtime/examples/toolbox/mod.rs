//! The example servers' toolbox (shared by `stdio_server` and `http_server`): three everyday tools and the
//! PatchworkMCP feedback tool, routed by rmcp.
//!
//! Tools: `count_text` (words, lines, characters, bytes), `convert_units` (length, mass, temperature, volume),
//! `days_between` (calendar days between two dates), and `feedback`.

mod dates;
mod units;

use patchwork_runtime::patchwork_feedback;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct CountTextArgs {
    /// The text to count.
    text: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct ConvertUnitsArgs {
    /// The amount to convert.
    value: f64,
    /// The unit of `value`, e.g. `km`, `mi`, `lb`, `degF`, `l`.
    from: String,
    /// The unit to convert to (same quantity as `from`).
    to: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct DaysBetweenArgs {
    /// The first date, `YYYY-MM-DD`.
    from: String,
    /// The second date, `YYYY-MM-DD`.
    to: String,
}

/// Everyday helpers: counting text, converting units, counting days.
#[derive(Debug, Clone)]
pub struct Toolbox {
    tools: ToolRouter<Self>,
}

impl Toolbox {
    /// The server, with its tool router as offered to agents: with `PATCHWORKMCP_MODE=off` the feedback tool is
    /// left out of `tools/list` (and `call_tool` below still answers a call of it honestly).
    pub fn new() -> Self {
        Self {
            tools: patchwork_runtime::rmcp::offered(Self::tool_router(), Self::PATCHWORK_TOOL_NAME),
        }
    }
}

impl Default for Toolbox {
    fn default() -> Self {
        Self::new()
    }
}

#[patchwork_feedback(
    instructions = "Everyday helpers: count words and lines in a text, convert between units, and count the days between two dates."
)]
#[tool_router]
impl Toolbox {
    /// Count the words, lines, characters and bytes of a text.
    #[tool]
    async fn count_text(&self, Parameters(args): Parameters<CountTextArgs>) -> String {
        let text = &args.text;
        format!(
            "words: {}\nlines: {}\ncharacters: {}\nbytes: {}",
            text.split_whitespace().count(),
            text.lines().count(),
            text.chars().count(),
            text.len()
        )
    }

    /// Convert an amount between units of length (mm, cm, m, km, in, ft, yd, mi), mass (mg, g, kg, oz, lb),
    /// volume (ml, l, tsp, tbsp, cup, floz, gal) or temperature (degC, degF, K).
    #[tool]
    async fn convert_units(
        &self,
        Parameters(args): Parameters<ConvertUnitsArgs>,
    ) -> Result<String, String> {
        let converted = units::convert(args.value, &args.from, &args.to)?;
        Ok(format!(
            "{} {} = {} {}",
            args.value,
            args.from,
            units::round(converted),
            args.to
        ))
    }

    /// Count the calendar days from one date to another (negative when `to` is earlier), with the weekday of each.
    #[tool]
    async fn days_between(
        &self,
        Parameters(args): Parameters<DaysBetweenArgs>,
    ) -> Result<String, String> {
        let from = dates::Date::parse(&args.from)?;
        let to = dates::Date::parse(&args.to)?;
        let days = to.days_since_epoch() - from.days_since_epoch();
        Ok(format!(
            "{days} days ({} weeks and {} days) from {} ({}) to {} ({})",
            days / 7,
            days % 7,
            args.from.trim(),
            from.weekday(),
            args.to.trim(),
            to.weekday()
        ))
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for Toolbox {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "patchwork-toolbox",
                env!("CARGO_PKG_VERSION"),
            ))
            // As the installed client words them (`Builder::wording`); `PATCHWORK_INSTRUCTIONS` is the
            // attribute's compile-time text.
            .with_instructions(Self::patchwork_instructions())
    }

    /// Calls through the offered router; a call of the feedback tool while feedback is off gets "feedback is
    /// turned off" from the tool itself rather than rmcp's "tool not found".
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        patchwork_runtime::rmcp::call_offered(
            self,
            &self.tools,
            Self::tool_router,
            Self::PATCHWORK_TOOL_NAME,
            request,
            context,
        )
        .await
    }
}

/// Logs to stderr (stdout carries the protocol on stdio), filtered by `RUST_LOG`; by default warnings, and
/// patchwork's own operator messages at info (drained, delivered, refused, unreachable).
pub fn log_to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,patchwork_runtime=info"));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .init();
}

/// The server's real tool list (the feedback tool included), for the heartbeat.
pub fn tool_names() -> Vec<String> {
    Toolbox::tool_router()
        .list_all()
        .into_iter()
        .map(|tool| tool.name.into_owned())
        .collect()
}

//! A small MCP server over stdio with three useful tools and the PatchworkMCP feedback tool, to plug into
//! Claude Desktop, Claude Code or Cursor.
//!
//! ```text
//! cargo build -p patchwork-runtime --example stdio_server --features rmcp
//! # then point your MCP client at target/debug/examples/stdio_server, with
//! # PATCHWORKMCP_API_KEY and PATCHWORKMCP_SERVER_SLUG in its environment
//! ```
//!
//! Tools: `count_text` (words, lines, characters, bytes), `convert_units` (length, mass, temperature, volume),
//! `days_between` (calendar days between two dates). Feedback is recorded in the outbox and delivered in the
//! background, so the agent's reply never waits for the network. Without `PATCHWORKMCP_API_KEY` the server still
//! works; each feedback is then written to stderr as one `PATCHWORKMCP_UNSENT_FEEDBACK` line, which MCP clients
//! keep in their server logs. With both variables set, it also sends the optional heartbeat (its tool list, at start
//! and every minute). stdout carries the protocol and nothing else.

use patchwork_runtime::patchwork_feedback;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};
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
#[derive(Debug, Clone, Default)]
struct Toolbox;

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

#[tool_handler]
impl ServerHandler for Toolbox {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "patchwork-toolbox",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The feedback client: settings from the attribute and the environment (PATCHWORKMCP_*). The guard flushes
    // in-flight deliveries when it drops at the end of main; what is not delivered stays in the outbox.
    let _guard = patchwork_runtime::Patchwork::builder().install();
    // The heartbeat reports the server's real tool list (the feedback tool included); it is silent
    // without PATCHWORKMCP_API_KEY and PATCHWORKMCP_SERVER_SLUG.
    let tool_names = Toolbox::tool_router()
        .list_all()
        .into_iter()
        .map(|tool| tool.name.into_owned())
        .collect();
    let heartbeat = patchwork_runtime::start_heartbeat(None, tool_names);
    let running = Toolbox.serve(rmcp::transport::stdio()).await?;
    let ended = running.waiting().await;
    if let Some(heartbeat) = heartbeat {
        heartbeat.stop().await;
    }
    ended?;
    Ok(())
}

/// Unit conversion through one base unit per quantity.
mod units {
    /// A unit: its quantity and how to turn it into the quantity's base unit (m, kg, l, K).
    struct Unit {
        names: &'static [&'static str],
        quantity: &'static str,
        /// `base = value * scale + offset`.
        scale: f64,
        offset: f64,
    }

    const fn unit(names: &'static [&'static str], quantity: &'static str, scale: f64) -> Unit {
        Unit {
            names,
            quantity,
            scale,
            offset: 0.0,
        }
    }

    const UNITS: &[Unit] = &[
        unit(&["mm", "millimeter", "millimetre"], "length", 0.001),
        unit(&["cm", "centimeter", "centimetre"], "length", 0.01),
        unit(&["m", "meter", "metre"], "length", 1.0),
        unit(&["km", "kilometer", "kilometre"], "length", 1000.0),
        unit(&["in", "inch", "inches"], "length", 0.0254),
        unit(&["ft", "foot", "feet"], "length", 0.3048),
        unit(&["yd", "yard"], "length", 0.9144),
        unit(&["mi", "mile"], "length", 1609.344),
        unit(&["mg", "milligram"], "mass", 0.000_001),
        unit(&["g", "gram"], "mass", 0.001),
        unit(&["kg", "kilogram"], "mass", 1.0),
        unit(&["oz", "ounce"], "mass", 0.028_349_523_125),
        unit(&["lb", "lbs", "pound"], "mass", 0.453_592_37),
        unit(&["ml", "milliliter", "millilitre"], "volume", 0.001),
        unit(&["l", "liter", "litre"], "volume", 1.0),
        unit(&["tsp", "teaspoon"], "volume", 0.004_928_921_593_75),
        unit(&["tbsp", "tablespoon"], "volume", 0.014_786_764_781_25),
        unit(&["cup"], "volume", 0.236_588_236_5),
        unit(
            &["floz", "fl oz", "fluid ounce"],
            "volume",
            0.029_573_529_562_5,
        ),
        unit(&["gal", "gallon"], "volume", 3.785_411_784),
        Unit {
            names: &["degc", "c", "celsius"],
            quantity: "temperature",
            scale: 1.0,
            offset: 273.15,
        },
        Unit {
            names: &["degf", "f", "fahrenheit"],
            quantity: "temperature",
            scale: 5.0 / 9.0,
            offset: 273.15 - 32.0 * 5.0 / 9.0,
        },
        unit(&["k", "kelvin"], "temperature", 1.0),
    ];

    fn find(name: &str) -> Result<&'static Unit, String> {
        let wanted = name.trim().trim_start_matches('°').to_ascii_lowercase();
        let singular = wanted.strip_suffix('s').unwrap_or(&wanted);
        UNITS
            .iter()
            .find(|unit| unit.names.iter().any(|n| *n == wanted || *n == singular))
            .ok_or_else(|| format!("unknown unit `{name}`; known units: {}", known()))
    }

    fn known() -> String {
        UNITS
            .iter()
            .map(|u| u.names[0])
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn convert(value: f64, from: &str, to: &str) -> Result<f64, String> {
        let (from_unit, to_unit) = (find(from)?, find(to)?);
        if from_unit.quantity != to_unit.quantity {
            return Err(format!(
                "cannot convert {} (`{from}`) to {} (`{to}`)",
                from_unit.quantity, to_unit.quantity
            ));
        }
        let base = value * from_unit.scale + from_unit.offset;
        Ok((base - to_unit.offset) / to_unit.scale)
    }

    /// At most 6 decimals, without trailing zeros.
    pub fn round(value: f64) -> String {
        let text = format!("{value:.6}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Proleptic Gregorian dates without a date library.
mod dates {
    pub struct Date {
        year: i64,
        month: i64,
        day: i64,
    }

    impl Date {
        pub fn parse(text: &str) -> Result<Self, String> {
            let bad = || format!("`{text}` is not a date in the form YYYY-MM-DD");
            let mut parts = text.trim().splitn(3, '-');
            let mut next = || {
                parts
                    .next()
                    .and_then(|p| p.parse::<i64>().ok())
                    .ok_or_else(bad)
            };
            let (year, month, day) = (next()?, next()?, next()?);
            if !(1..=9999).contains(&year)
                || !(1..=12).contains(&month)
                || day < 1
                || day > days_in_month(year, month)
            {
                return Err(format!(
                    "`{text}` is not a calendar date between 0001-01-01 and 9999-12-31"
                ));
            }
            Ok(Self { year, month, day })
        }

        /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
        pub fn days_since_epoch(&self) -> i64 {
            let year = if self.month <= 2 {
                self.year - 1
            } else {
                self.year
            };
            let era = year.div_euclid(400);
            let year_of_era = year - era * 400;
            let month_index = (self.month + 9) % 12;
            let day_of_year = (153 * month_index + 2) / 5 + self.day - 1;
            let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
            era * 146_097 + day_of_era - 719_468
        }

        pub fn weekday(&self) -> &'static str {
            // 1970-01-01 was a Thursday.
            const NAMES: [&str; 7] = [
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
                "Monday",
                "Tuesday",
                "Wednesday",
            ];
            NAMES[self.days_since_epoch().rem_euclid(7) as usize]
        }
    }

    fn days_in_month(year: i64, month: i64) -> i64 {
        match month {
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
}

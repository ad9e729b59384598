//! The whole loop in one command, with no account and no network:
//!
//! ```text
//! cargo run -p patchwork-runtime --example quickstart --all-features
//! ```
//!
//! It starts a local PatchworkMCP collector (a real HTTP server on loopback), an rmcp server whose feedback tool
//! comes from `#[patchwork_feedback]`, and a real rmcp client playing the agent over an in-memory pipe. It prints
//! what the agent sees (the tool list, the feedback tool's schema, the server's instructions), the feedback call
//! and its reply, and the request exactly as the collector received it.
//!
//! With `PATCHWORKMCP_API_KEY` and `PATCHWORKMCP_SERVER_SLUG` set, it delivers to the real service instead
//! (`PATCHWORKMCP_URL`, default `https://patchworkmcp.com`) and says so.

use std::time::Duration;

use patchwork_runtime::patchwork_feedback;
use patchwork_runtime::testing::{Collector, RecordedRequest};
use patchwork_runtime::{Guard, Patchwork};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ServerCapabilities, ServerConfig,
};
use rmcp::{ServerHandler, ServiceExt, object, schemars, tool, tool_handler, tool_router};
use serde::Deserialize;

/// The example server: one tool of its own, plus the feedback tool.
#[derive(Debug, Clone, Default)]
struct TextTools;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct WordCountArgs {
    /// The text whose words to count.
    text: String,
}

// The one line that adds the feedback tool: written above `#[tool_router]`, it adds a routed `#[tool]` method,
// the schema, the description and the instructions to this block.
#[patchwork_feedback(instructions = "Tools for working with text.")]
#[tool_router]
impl TextTools {
    /// Count the words in a text.
    #[tool]
    async fn word_count(&self, Parameters(args): Parameters<WordCountArgs>) -> String {
        args.text.split_whitespace().count().to_string()
    }
}

#[tool_handler]
impl ServerHandler for TextTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("text-tools", "0.1.0"))
            // The other line: the instructions tell agents when to call the feedback tool.
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

/// Where the feedback goes.
enum Target {
    /// The local collector; the outbox lives in a temporary directory, so the demo leaves nothing behind.
    Local {
        collector: Collector,
        guard: Guard,
        _outbox: tempfile::TempDir,
    },
    Service {
        url: String,
        slug: String,
        guard: Guard,
    },
}

impl Target {
    fn patchwork(&self) -> &Patchwork {
        match self {
            Self::Local { guard, .. } | Self::Service { guard, .. } => guard.patchwork(),
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = choose_target()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(target))
}

fn choose_target() -> Result<Target, Box<dyn std::error::Error>> {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    if set("PATCHWORKMCP_API_KEY") && set("PATCHWORKMCP_SERVER_SLUG") {
        // The real service: every setting from the environment.
        return Ok(Target::Service {
            url: std::env::var("PATCHWORKMCP_URL")
                .unwrap_or_else(|_| "https://patchworkmcp.com".to_owned()),
            slug: std::env::var("PATCHWORKMCP_SERVER_SLUG")?,
            guard: Patchwork::builder().install(),
        });
    }
    let collector = Collector::start()?;
    let outbox = tempfile::tempdir()?;
    // The generated tool uses the installed client: pointed at the local collector, with the outbox in a
    // temporary directory.
    let guard = collector
        .patchwork("quickstart-demo")
        .outbox_dir(outbox.path())
        .install();
    Ok(Target::Local {
        collector,
        guard,
        _outbox: outbox,
    })
}

async fn run(target: Target) -> Result<(), Box<dyn std::error::Error>> {
    match &target {
        Target::Local { collector, .. } => section(
            "Local collector",
            &format!(
                "listening on {} (stands in for PatchworkMCP; set PATCHWORKMCP_API_KEY and \
                 PATCHWORKMCP_SERVER_SLUG to deliver to the real service)",
                collector.url()
            ),
        ),
        Target::Service { url, slug, .. } => section(
            "PatchworkMCP service",
            &format!("feedback goes to {url} as server `{slug}` (PATCHWORKMCP_API_KEY is set)"),
        ),
    }

    // The server and the agent, connected by an in-memory pipe (a real MCP session, as over stdio).
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(server) = TextTools.serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let agent = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("quickstart-agent", "1.0.0"),
    )
    .serve(client_io)
    .await?;

    let tools = agent.list_all_tools().await?;
    let listing: Vec<String> = tools
        .iter()
        .map(|tool| {
            format!(
                "- {}: {}",
                tool.name,
                tool.title
                    .as_deref()
                    .unwrap_or_else(|| first_sentence(tool))
            )
        })
        .collect();
    section("tools/list", &listing.join("\n"));
    if let Some(feedback) = tools
        .iter()
        .find(|t| t.name == TextTools::PATCHWORK_TOOL_NAME)
    {
        section(
            "The feedback tool's description",
            feedback.description.as_deref().unwrap_or_default(),
        );
        section(
            "The feedback tool's input schema",
            &serde_json::to_string_pretty(&feedback.input_schema)?,
        );
    }
    let instructions = agent
        .peer_info()
        .and_then(|info| info.instructions.clone())
        .unwrap_or_default();
    section("Server instructions (initialize)", &instructions);

    let arguments = object!({
        "what_i_needed": "count the sentences in a paragraph",
        "what_i_tried": "word_count, which only counts words",
        "gap_type": "missing_tool",
        "suggestion": "a sentence_count tool",
        "user_goal": "check that a summary stays under five sentences",
        "resolution": "worked_around",
    });
    section(
        "The agent calls `feedback`",
        &serde_json::to_string_pretty(&arguments)?,
    );
    let reply = agent
        .call_tool(
            CallToolRequestParams::new(TextTools::PATCHWORK_TOOL_NAME).with_arguments(arguments),
        )
        .await?;
    section("Reply to the agent", &describe(&reply));

    match &target {
        Target::Local { collector, .. } => {
            let received = collector
                .wait_for_requests(1, Duration::from_secs(30))
                .await
                .map_err(|e| format!("the collector received nothing: {e}"))?;
            section(
                "What the collector received (body pretty-printed)",
                &describe_request(&received[0]),
            );
        }
        Target::Service { url, .. } => {
            // The reply came as soon as the feedback was recorded; give the background delivery time to finish.
            let _ = target.patchwork().flush(Duration::from_secs(20)).await;
            if target.patchwork().stats().delivered > 0 {
                section(
                    "Delivered",
                    &format!("{url} recorded the feedback; see it in your PatchworkMCP dashboard"),
                );
            } else {
                section(
                    "Not delivered yet",
                    "the reply above says what happened: recorded feedback stays in the outbox \
                     (PATCHWORKMCP_OUTBOX) and is sent by the next run or by `patchwork-replay`; feedback that \
                     could not be recorded was written to stderr as a PATCHWORKMCP_UNSENT_FEEDBACK line",
                );
            }
        }
    }

    let bad = agent
        .call_tool(
            CallToolRequestParams::new(TextTools::PATCHWORK_TOOL_NAME)
                .with_arguments(object!({ "what_i_tried": "word_count" })),
        )
        .await?;
    section(
        "Bad arguments get an isError reply the agent can act on",
        &describe(&bad),
    );

    agent.cancel().await?;
    // On exit: wait (briefly) for deliveries in flight; the rest stays in the outbox.
    let _ = target.patchwork().flush(Duration::from_secs(2)).await;
    Ok(())
}

fn section(title: &str, body: &str) {
    println!("\n== {title} ==\n{body}");
}

fn first_sentence(tool: &rmcp::model::Tool) -> &str {
    let description = tool.description.as_deref().unwrap_or_default();
    description
        .split_terminator(['.', '\n'])
        .next()
        .unwrap_or(description)
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn describe(result: &CallToolResult) -> String {
    format!(
        "isError: {}\n{}",
        result.is_error.unwrap_or(false),
        text(result)
    )
}

fn describe_request(request: &RecordedRequest) -> String {
    let mut lines = vec![format!(
        "{} {} -> {}",
        request.method,
        request.path,
        status(request)
    )];
    for (name, value) in &request.headers {
        // The demo key is not a secret, but printing keys is a habit worth not teaching.
        let value = if name == "authorization" {
            "Bearer <key>"
        } else {
            value.as_str()
        };
        lines.push(format!("{name}: {value}"));
    }
    lines.push(String::new());
    lines.push(serde_json::to_string_pretty(&request.body).unwrap_or_default());
    lines.join("\n")
}

fn status(request: &RecordedRequest) -> String {
    request
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string())
}

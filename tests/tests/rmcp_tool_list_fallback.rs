//! `tools_available` when the server's own `tools/list` cannot answer: the feedback still goes out, with the tools
//! the attribute saw in the block. Covers a `list_tools` that fails and one that never finishes (bounded by the
//! runtime's 2 s limit), with a real rmcp client and the local collector.

mod rmcp_common;

use patchwork_runtime::patchwork_feedback;
use patchwork_runtime::testing::Collector;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{
    ErrorData, RoleServer, ServerHandler, object, schemars, tool, tool_handler, tool_router,
};
use rmcp_common::{STEP_TIMEOUT, bounded};

#[derive(Debug, Clone, Copy)]
enum Listing {
    Fails,
    NeverAnswers,
}

#[derive(Debug, Clone)]
struct Catalogue {
    listing: Listing,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct LookupArgs {
    /// What to look up.
    key: String,
}

#[patchwork_feedback(slug = "catalogue")]
#[tool_router]
impl Catalogue {
    /// Look up an entry.
    #[tool]
    async fn lookup(&self, Parameters(args): Parameters<LookupArgs>) -> String {
        format!("no entry for {}", args.key)
    }
}

#[tool_handler]
impl ServerHandler for Catalogue {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        match self.listing {
            Listing::Fails => Err(ErrorData::internal_error(
                "the catalogue index is rebuilding",
                None,
            )),
            Listing::NeverAnswers => std::future::pending().await,
        }
    }
}

#[test]
fn feedback_goes_out_with_the_blocks_tools_when_listing_fails_or_hangs() {
    let collector = Collector::start().expect("the local collector starts");
    // The only test of this binary: the process-wide client is installed once.
    let _delivery = rmcp_common::deliver_to(&collector);
    rmcp_common::runtime().block_on(async {
        for (index, listing) in [Listing::Fails, Listing::NeverAnswers]
            .into_iter()
            .enumerate()
        {
            let reply = bounded("tools/call", call_feedback(Catalogue { listing })).await;
            assert!(reply.starts_with("Thank you"), "{listing:?}: {reply}");
            collector
                .wait_for_requests(index + 1, STEP_TIMEOUT)
                .await
                .unwrap_or_else(|e| panic!("{listing:?}: not delivered: {e}"));
            let received = collector.feedback();
            let payload = received
                .get(index)
                .unwrap_or_else(|| panic!("{listing:?}: delivered: {received:?}"));
            assert_eq!(payload.what_i_needed, format!("{listing:?}"));
            assert_eq!(
                payload.tools_available,
                ["lookup"],
                "{listing:?}: the tools the attribute saw in the block"
            );
            assert_eq!(payload.client_type, "fallback-agent/2.0.0", "{listing:?}");
        }
    });
}

/// Connects a real rmcp client to `server` and calls the feedback tool once; returns the reply text.
async fn call_feedback(server: Catalogue) -> String {
    let listing = server.listing;
    let client = rmcp_common::connect_as(server, "fallback-agent", "2.0.0").await;
    let result = client
        .call_tool(
            CallToolRequestParams::new("feedback").with_arguments(object!({
                "what_i_needed": format!("{listing:?}"),
                "what_i_tried": "lookup",
                "gap_type": "incomplete_results",
            })),
        )
        .await
        .expect("tools/call gets a result");
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let _ = client.cancel().await;
    rmcp_common::text(&result)
}

// rmcp mode: above `#[tool_router]`, the attribute adds a routed `feedback` tool with the runtime's schema.
use patchwork_runtime::patchwork_feedback;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, schemars, tool, tool_handler, tool_router};

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct EchoArgs {
    text: String,
}

#[derive(Clone)]
struct Server;

#[patchwork_feedback(slug = "echo-server")]
#[tool_router]
impl Server {
    /// Echo a text.
    #[tool]
    async fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("echo", "1.0.0"))
            .with_instructions(Self::PATCHWORK_INSTRUCTIONS)
    }
}

fn main() {
    let router = Server::tool_router();
    let tools: Vec<String> = router.list_all().into_iter().map(|t| t.name.into_owned()).collect();
    assert_eq!(tools, ["echo", "feedback"]);
    let feedback = router.get("feedback").expect("the feedback tool is routed");
    assert_eq!(
        serde_json::Value::Object((*feedback.input_schema).clone()),
        patchwork_runtime::tool_input_schema()
    );
    assert_eq!(Server::PATCHWORK_SERVER_TOOLS, ["echo"]);
    assert!(Server.get_info().instructions.unwrap().contains("`feedback`"));
}

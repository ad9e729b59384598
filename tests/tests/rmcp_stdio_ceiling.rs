//! A stdio-like transport (rmcp over an in-memory pipe: no HTTP request, one client per process) has one session
//! per process, so the documented ceiling of 20 reports per session an hour holds there: of 25 different reports
//! from one agent, 20 are recorded and the rest get the short "nothing more is needed" reply, whatever session
//! ids the agent makes up.

mod rmcp_common;

use rmcp::model::CallToolRequestParams;
use rmcp_common::{bounded, text};
use serde_json::json;

use patchwork_runtime::testing::Collector;

#[test]
fn over_stdio_the_per_session_ceiling_holds_for_the_process() {
    let collector = Collector::start().expect("the local collector starts");
    let _delivery = rmcp_common::deliver_to(&collector);
    rmcp_common::runtime().block_on(async {
        let client = rmcp_common::connect(rmcp_common::TextServer).await;
        let call = |arguments: serde_json::Value| {
            let client = &client;
            async move {
                let params = CallToolRequestParams::new("feedback")
                    .with_arguments(arguments.as_object().cloned().unwrap_or_default());
                let result = bounded("feedback call", client.call_tool(params))
                    .await
                    .expect("the call is answered");
                assert_eq!(result.is_error, Some(false), "{}", text(&result));
                text(&result)
            }
        };
        let mut recorded = 0;
        let mut limited = 0;
        for n in 0..25 {
            let reply = call(json!({
                "what_i_needed": format!("gap number {n}"),
                "what_i_tried": "word_count",
                "gap_type": "missing_tool",
                // An agent in a loop that makes up a new session id each time.
                "session_id": format!("agent-session-{n}"),
            }))
            .await;
            if reply.contains("nothing more is needed") {
                limited += 1;
            } else {
                assert!(
                    reply.starts_with("Thank you. Your feedback has been saved"),
                    "{reply}"
                );
                recorded += 1;
            }
        }
        assert_eq!(
            (recorded, limited),
            (20, 5),
            "20 reports per session an hour"
        );
        bounded("client shutdown", client.cancel())
            .await
            .expect("the client shuts down cleanly");
    });
    assert!(
        rmcp_common::runtime()
            .block_on(patchwork_runtime::flush(std::time::Duration::from_secs(60)))
            .is_some_and(|report| report.settled())
    );
    assert_eq!(collector.feedback().len(), 20);
}

//! The contract the macro's generated code calls: definitions, dispatch, validation replies, and delivery in
//! both modes through a client pointed at the local collector.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::contract::fields::input_schema_json;
use crate::delivery::IDEMPOTENCY_KEY_HEADER;
use crate::testing::{Collector, capture_unsent};

/// The awaiting mode: the reply comes after delivery (the reference behaviour).
static CONFIG: FeedbackConfig = FeedbackConfig {
    tool_name: "report_gap",
    server_slug: Some("attr-slug"),
    base_url: Some("http://127.0.0.1:9"),
    api_key_env: Some("PATCHWORK_TEST_KEY_THAT_IS_NEVER_SET"),
    server_tools: &["search", "fetch"],
    delivery: Delivery::Await,
    instructions: Some("Search the web."),
    directive: "Report gaps with the `report_gap` tool.",
    redaction: None,
};

/// The default mode: recorded, replied to, delivered by the background worker.
static BACKGROUND: FeedbackConfig = FeedbackConfig {
    delivery: Delivery::Background,
    ..CONFIG
};

#[test]
fn tool_definition_is_mcp_tools_list_json() {
    let schema: &'static str = Box::leak(input_schema_json().into_boxed_str());
    let definition = tool_definition(&CONFIG, crate::TOOL_DESCRIPTION, schema);
    let value = definition.to_json();
    assert_eq!(value["name"], "report_gap");
    assert_eq!(value["title"], "Report a limitation");
    assert_eq!(value["inputSchema"]["required"][1], "what_i_tried");
    assert_eq!(value["annotations"]["openWorldHint"], true);
    assert_eq!(value["annotations"]["readOnlyHint"], false);
    let broken = tool_definition(&CONFIG, crate::TOOL_DESCRIPTION, "{not json");
    assert_eq!(broken.input_schema, crate::tool_input_schema());
}

#[tokio::test]
async fn bad_arguments_reply_is_error_telling_what_to_fix() {
    let reply = handle_call(
        &CONFIG,
        &json!({"what_i_needed": ""}),
        CallContext::default(),
    )
    .await;
    assert!(reply.is_error);
    assert!(
        reply.text.contains("`what_i_needed` is empty"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("`what_i_tried` is missing"),
        "{}",
        reply.text
    );
    assert_eq!(reply.to_json()["isError"], true);
}

#[tokio::test]
async fn dispatch_only_answers_its_own_tool_name() {
    assert!(dispatch(&CONFIG, "search", &json!({})).await.is_none());
    let reply = dispatch(&CONFIG, "report_gap", &json!(null))
        .await
        .expect("its own tool");
    assert!(reply.is_error);
}

#[tokio::test]
async fn server_facts_win_over_the_agents_guesses() {
    let collector = Collector::start().expect("collector");
    let patchwork = collector.patchwork("").no_outbox().build();
    let context = || CallContext {
        client_type: Some("claude-code/2.0.1".into()),
        tools_available: None,
        session_id: Some("transport-session-1".into()),
        one_session_per_process: false,
    };
    let args = json!({
        "what_i_needed": "await-mode", "what_i_tried": "search", "gap_type": "wrong_format",
        "client_type": "cursor", "tools_available": ["what the agent tried"],
    });
    let reply = handle_call_on(&patchwork, &CONFIG, &args, context()).await;
    assert!(!reply.is_error, "{}", reply.text);
    assert!(
        reply
            .text
            .starts_with("Thank you. Your feedback has been recorded"),
        "{}",
        reply.text
    );
    let sent = collector
        .feedback()
        .pop()
        .expect("delivered before the reply");
    assert_eq!(
        sent.server_slug, "attr-slug",
        "the attribute's slug wins over an empty run-time one"
    );
    assert_eq!(
        sent.client_type, "claude-code/2.0.1",
        "the client's declared name wins"
    );
    assert_eq!(
        sent.tools_available,
        ["search", "fetch"],
        "the server's tools win"
    );
    assert_eq!(
        sent.session_id, "transport-session-1",
        "the transport's session fills an empty one"
    );
    assert_eq!(sent.what_i_needed, "await-mode");

    // Where the server knows nothing, what the agent wrote is kept.
    static NO_TOOLS: FeedbackConfig = FeedbackConfig {
        server_tools: &[],
        ..CONFIG
    };
    let args = json!({
        "what_i_needed": "await-mode 2", "what_i_tried": "search", "gap_type": "other",
        "client_type": "cursor", "tools_available": ["search"], "session_id": "agent-session",
    });
    let reply = handle_call_on(&patchwork, &NO_TOOLS, &args, CallContext::default()).await;
    assert!(!reply.is_error, "{}", reply.text);
    let sent = collector.feedback().pop().expect("delivered");
    assert_eq!(
        (sent.client_type.as_str(), sent.session_id.as_str()),
        ("cursor", "agent-session")
    );
    assert_eq!(sent.tools_available, ["search"]);
}

#[tokio::test]
async fn background_mode_replies_once_recorded_and_the_worker_delivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let patchwork = collector.patchwork("").outbox_dir(dir.path()).build();
    let args =
        json!({"what_i_needed": "background-mode", "what_i_tried": "search", "gap_type": "other"});
    let reply = handle_call_on(&patchwork, &BACKGROUND, &args, CallContext::default()).await;
    assert!(!reply.is_error, "{}", reply.text);
    assert!(
        reply.text.contains("saved and is queued for delivery"),
        "the reply says it is recorded, not delivered: {}",
        reply.text
    );
    let requests = collector
        .wait_for_requests(1, Duration::from_secs(60))
        .await
        .expect("delivered");
    assert!(requests[0].header(IDEMPOTENCY_KEY_HEADER).is_some());
    let sent = requests[0].feedback().expect("a feedback body");
    assert_eq!(
        (sent.what_i_needed.as_str(), sent.server_slug.as_str()),
        ("background-mode", "attr-slug")
    );
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    let pending = std::fs::read_dir(dir.path().join("pending"))
        .expect("pending/")
        .count();
    assert_eq!(pending, 0, "delivered feedback leaves the outbox");
    assert_eq!(patchwork.stats().delivered, 1);
}

#[tokio::test]
async fn without_a_key_either_mode_says_so_and_keeps_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    // CONFIG's api_key_env names a variable that is never set: no key.
    let patchwork = Patchwork::builder().outbox_dir(dir.path()).build();
    for config in [&CONFIG, &BACKGROUND] {
        let capture = capture_unsent();
        let mark = format!("nokey-{:?}", config.delivery);
        let args = json!({"what_i_needed": mark, "what_i_tried": "x", "gap_type": "other"});
        let reply = handle_call_on(&patchwork, config, &args, CallContext::default()).await;
        assert!(!reply.is_error, "the agent must not retry: {}", reply.text);
        assert!(
            reply.text.contains("no PatchworkMCP API key"),
            "{}",
            reply.text
        );
        let reasons: Vec<_> = capture
            .records_for(&mark)
            .into_iter()
            .map(|r| r.reason)
            .collect();
        assert_eq!(reasons, ["missing_api_key"]);
    }
}

fn ticket_rules(rules: crate::Redaction) -> crate::Redaction {
    rules
        .with_rule("ticket", |text: &str| {
            text.match_indices("TCK-")
                .map(|(at, _)| at..at + 9)
                .collect()
        })
        .unwrap_or_else(|_| crate::Redaction::standard())
}

#[tokio::test]
async fn the_attribute_s_redaction_function_and_the_builder_s_rules_apply_in_that_order() {
    static WITH_RULES: FeedbackConfig = FeedbackConfig {
        redaction: Some(ticket_rules),
        ..BACKGROUND
    };
    let collector = Collector::start().expect("collector");
    let args = json!({
        "what_i_needed": "TCK-12345 for a@b.example",
        "what_i_tried": "search",
        "gap_type": "other"
    });
    let from_attribute = collector.patchwork("").no_outbox().build();
    handle_call_on(&from_attribute, &WITH_RULES, &args, CallContext::default()).await;
    assert!(
        from_attribute
            .flush(Duration::from_secs(60))
            .await
            .settled()
    );
    // The builder's rules win over the attribute's function.
    let from_builder = collector
        .patchwork("")
        .no_outbox()
        .redaction(crate::Redaction::none())
        .build();
    handle_call_on(&from_builder, &WITH_RULES, &args, CallContext::default()).await;
    assert!(from_builder.flush(Duration::from_secs(60)).await.settled());
    let sent: Vec<String> = collector
        .feedback()
        .into_iter()
        .map(|f| f.what_i_needed)
        .collect();
    assert_eq!(
        sent,
        [
            "[REDACTED:ticket] for [REDACTED:email]",
            "TCK-12345 for a@b.example"
        ]
    );
}

/// A report hook that strips the user's goal, tries to strip the server-filled identity fields, and withholds
/// reports about billing.
/// A client of `collector` whose rules are the standard ones with `hook`.
fn with_hook(
    collector: &Collector,
    hook: impl Fn(&mut crate::Report<'_>) -> crate::Verdict + Send + Sync + 'static,
) -> Patchwork {
    let rules = crate::Redaction::standard().with_report_hook(hook);
    collector.patchwork("").no_outbox().redaction(rules).build()
}

fn hooked(collector: &Collector) -> Patchwork {
    with_hook(collector, |report: &mut crate::Report<'_>| {
        assert!(report.strip(crate::Field::UserGoal));
        for field in [
            crate::Field::ClientType,
            crate::Field::ToolsAvailable,
            crate::Field::SessionId,
        ] {
            assert_eq!(
                report.strip(field),
                !report.filled_by_server(field),
                "{field:?}"
            );
        }
        if report.text(crate::Field::WhatINeeded).contains("billing") {
            crate::Verdict::Withhold
        } else {
            crate::Verdict::Keep
        }
    })
}

#[tokio::test]
async fn the_report_hook_strips_and_withholds_and_what_the_server_filled_is_neither_stripped_nor_redacted()
 {
    let collector = Collector::start().expect("collector");
    let patchwork = hooked(&collector);
    // Identity the server knows, shaped like personal data: the rules must leave it as the server filled it.
    let context = CallContext {
        client_type: Some("acme-desk amy@example.com".into()),
        tools_available: Some(vec!["notify_amy@example.com".into(), "search".into()]),
        session_id: Some("203.0.113.42".into()),
        one_session_per_process: false,
    };
    let args = json!({
        "what_i_needed": "a tool to export invoices for amy@example.com",
        "what_i_tried": "search",
        "gap_type": "missing_tool",
        "user_goal": "pay my rent",
        "client_type": "typed by the agent",
    });
    let reply = handle_call_on(&patchwork, &BACKGROUND, &args, context.clone()).await;
    assert!(!reply.is_error, "{}", reply.text);
    // Withheld: told so, nothing recorded.
    let billing =
        json!({"what_i_needed": "a billing tool", "what_i_tried": "search", "gap_type": "other"});
    let withheld = handle_call_on(&patchwork, &BACKGROUND, &billing, context).await;
    assert!(!withheld.is_error);
    assert!(withheld.text.contains("not recorded"), "{}", withheld.text);
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    let sent = collector.feedback();
    assert_eq!(sent.len(), 1, "the withheld report was not sent");
    let report = &sent[0];
    assert_eq!(
        report.what_i_needed,
        "a tool to export invoices for [REDACTED:email]"
    );
    assert_eq!(report.user_goal, "");
    assert_eq!(report.client_type, "acme-desk amy@example.com");
    assert_eq!(report.tools_available, ["notify_amy@example.com", "search"]);
    assert_eq!(report.session_id, "203.0.113.42");
}

#[tokio::test]
async fn what_the_agent_wrote_in_an_identity_field_is_strippable_and_redacted() {
    let collector = Collector::start().expect("collector");
    let patchwork = with_hook(&collector, |report: &mut crate::Report<'_>| {
        assert!(!report.filled_by_server(crate::Field::SessionId));
        report.strip(crate::Field::ClientType);
        crate::Verdict::Keep
    });
    let args = json!({
        "what_i_needed": "x",
        "what_i_tried": "y",
        "gap_type": "other",
        "client_type": "my-agent",
        "session_id": "from 203.0.113.42",
        "tools_available": ["mail amy@example.com"],
    });
    // A server that does not know its tools: the agent's list is kept, as agent text.
    static UNKNOWN_TOOLS: FeedbackConfig = FeedbackConfig {
        server_tools: &[],
        ..BACKGROUND
    };
    handle_call_on(&patchwork, &UNKNOWN_TOOLS, &args, CallContext::default()).await;
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    let report = &collector.feedback()[0];
    assert_eq!(report.client_type, "");
    assert_eq!(report.session_id, "from [REDACTED:ip_address]");
    assert_eq!(report.tools_available, ["mail [REDACTED:email]"]);
}

#[tokio::test]
async fn a_panicking_report_hook_withholds_the_report() {
    let collector = Collector::start().expect("collector");
    let patchwork = with_hook(&collector, |_: &mut crate::Report<'_>| {
        panic!("the hook's own bug")
    });
    let args = json!({"what_i_needed": "x", "what_i_tried": "y", "gap_type": "other"});
    let reply = handle_call_on(&patchwork, &BACKGROUND, &args, CallContext::default()).await;
    assert!(
        !reply.is_error && reply.text.contains("not recorded"),
        "{}",
        reply.text
    );
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    assert!(collector.feedback().is_empty());
    // The application's own API says so too.
    let payload = crate::FeedbackPayload {
        what_i_needed: "x".into(),
        what_i_tried: "y".into(),
        ..Default::default()
    };
    assert_eq!(patchwork.enqueue(&payload).await, crate::Outcome::Withheld);
    assert_eq!(patchwork.deliver(&payload).await, crate::Outcome::Withheld);
}

#[test]
fn the_builder_s_wording_wins_over_the_attribute_s_texts() {
    use super::wording::{instructions_on, tool_description_on};
    use crate::contract::texts::{TOOL_DESCRIPTION_DIRECTORY, directive_directory};
    let plain = Patchwork::builder().no_outbox().build();
    assert_eq!(tool_description_on(&plain, "compiled"), "compiled");
    assert_eq!(
        instructions_on(&plain, &CONFIG),
        "Search the web.\n\nReport gaps with the `report_gap` tool."
    );
    let directory = Patchwork::builder()
        .no_outbox()
        .wording(crate::Wording::Directory)
        .build();
    assert_eq!(
        tool_description_on(&directory, "compiled"),
        TOOL_DESCRIPTION_DIRECTORY
    );
    assert_eq!(
        instructions_on(&directory, &CONFIG),
        format!("Search the web.\n\n{}", directive_directory("report_gap"))
    );
    let own = Patchwork::builder()
        .no_outbox()
        .tool_description("Tell us what was missing.")
        .directive("Report gaps with `report_gap`, gently.")
        .build();
    assert_eq!(
        tool_description_on(&own, "compiled"),
        "Tell us what was missing."
    );
    assert!(instructions_on(&own, &CONFIG).ends_with("Report gaps with `report_gap`, gently."));
    // A directive that does not name the tool is not used.
    let unnamed = Patchwork::builder()
        .no_outbox()
        .directive("Please report gaps.")
        .build();
    assert!(
        instructions_on(&unnamed, &CONFIG).ends_with("Report gaps with the `report_gap` tool.")
    );
}

#[tokio::test]
async fn the_session_ceiling_counts_transport_sessions_whatever_session_id_the_agent_writes() {
    let collector = Collector::start().expect("collector");
    let patchwork = collector
        .patchwork("")
        .no_outbox()
        .report_limits(3, 1000)
        .build();
    let call = |transport: &str, agent_session: usize| {
        let context = CallContext {
            session_id: Some(transport.to_string()),
            ..CallContext::default()
        };
        let args = json!({
            "what_i_needed": format!("gap {agent_session}"),
            "what_i_tried": "search",
            "gap_type": "other",
            "session_id": format!("agent-{agent_session}"),
        });
        let patchwork = patchwork.clone();
        async move { handle_call_on(&patchwork, &BACKGROUND, &args, context).await }
    };
    for n in 0..3 {
        let reply = call("transport-1", n).await;
        assert!(
            reply
                .text
                .starts_with("Thank you. Your feedback has been received"),
            "{}",
            reply.text
        );
    }
    // A new session id from the agent does not reset the count of its transport session.
    let limited = call("transport-1", 99).await;
    assert!(!limited.is_error);
    assert!(
        limited.text.contains("nothing more is needed"),
        "{}",
        limited.text
    );
    let other = call("transport-2", 7).await;
    assert!(
        !other.text.contains("nothing more is needed"),
        "{}",
        other.text
    );
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    assert_eq!(collector.feedback().len(), 4);
}

#[tokio::test]
async fn one_busy_client_without_a_session_cannot_starve_the_others() {
    let collector = Collector::start().expect("collector");
    // A quarter of the process ceiling (8 a minute) is one caller's share: 2.
    let patchwork = collector
        .patchwork("")
        .no_outbox()
        .report_limits(20, 8)
        .build();
    let call = |client: &str, n: usize| {
        // Stateless HTTP: no session, only the client's declared name.
        let context = CallContext {
            client_type: Some(client.to_owned()),
            ..CallContext::default()
        };
        let args = json!({
            "what_i_needed": format!("gap {n}"), "what_i_tried": "search", "gap_type": "other",
        });
        let patchwork = patchwork.clone();
        async move { handle_call_on(&patchwork, &BACKGROUND, &args, context).await }
    };
    let mut busy = Vec::new();
    for n in 0..6 {
        busy.push(call("busy/1.0", n).await.text);
    }
    let limited = busy
        .iter()
        .filter(|text| text.contains("nothing more is needed"))
        .count();
    assert_eq!(limited, 4, "{busy:?}");
    for (n, client) in ["quiet/1.0", "other/2.0"].into_iter().enumerate() {
        let reply = call(client, 100 + n).await;
        assert!(
            !reply.text.contains("nothing more is needed"),
            "{client}: {}",
            reply.text
        );
    }
    assert!(patchwork.flush(Duration::from_secs(60)).await.settled());
    assert_eq!(collector.feedback().len(), 4);
}

#[tokio::test]
async fn with_feedback_off_a_call_is_told_so_whatever_its_arguments() {
    let patchwork = Patchwork::builder()
        .no_outbox()
        .mode(crate::config::Mode::Off)
        .build();
    for args in [
        json!({"what_i_needed": "x", "what_i_tried": "y", "gap_type": "other"}),
        json!({"gap_type": "not a gap type"}),
    ] {
        let reply = handle_call_on(&patchwork, &CONFIG, &args, CallContext::default()).await;
        assert!(!reply.is_error, "{args}: {}", reply.text);
        assert!(
            reply
                .text
                .starts_with("Feedback is turned off on this server"),
            "{args}: {}",
            reply.text
        );
    }
}

#[test]
fn the_caller_is_only_what_the_server_knows() {
    use crate::feedback::Caller;
    let context = |session: Option<&str>, stdio: bool, client: Option<&str>| CallContext {
        session_id: session.map(str::to_owned),
        one_session_per_process: stdio,
        client_type: client.map(str::to_owned),
        ..CallContext::default()
    };
    assert_eq!(
        context(Some("s-1"), false, None).caller(),
        Caller::Session("s-1".into())
    );
    assert_eq!(
        context(Some("  "), false, None).caller(),
        Caller::Unknown,
        "an empty session is none"
    );
    assert_eq!(
        context(None, true, Some("cursor/1")).caller(),
        Caller::Process
    );
    assert_eq!(
        context(None, false, Some("cursor/1")).caller(),
        Caller::Client("cursor/1".into())
    );
    assert_eq!(
        context(None, false, Some("rmcp/3.11.0")).caller(),
        Caller::Unknown,
        "rmcp's placeholder is no client"
    );
    assert_eq!(
        context(None, false, Some(" /1.0")).caller(),
        Caller::Unknown
    );
}

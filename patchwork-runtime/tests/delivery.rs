//! Delivery against a real collector over loopback HTTP: success, retries,
//! final failures, timeouts, URL handling, and the unsent line.
#![cfg(feature = "test-util")]

mod common;

use std::time::Duration;

use common::{fast_config, marker, payload, resolved, resolved_for, unsent_with};
use patchwork_runtime::collector::Collector;
use patchwork_runtime::{
    Deliverer, DeliveryConfig, Options, SendOutcome, USER_AGENT, capture_unsent, submit_feedback,
};

fn shared() -> &'static Deliverer {
    Deliverer::shared().expect("HTTP client builds")
}

#[tokio::test]
async fn delivers_on_first_attempt_with_contract_headers_and_body() {
    let collector = Collector::start().unwrap();
    let mark = marker("first");
    let outcome = submit_feedback(&payload(&mark), &resolved_for(&collector), shared()).await;
    let SendOutcome::Delivered { receipt, attempts } = outcome else {
        panic!("not delivered: {outcome:?}")
    };
    assert_eq!((attempts, receipt.http_status), (1, 201));
    assert_eq!(receipt.id.as_deref(), Some("fb_1"));
    assert_eq!(receipt.status.as_deref(), Some("received"));

    let requests = collector.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/api/v1/feedback/")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {}", Collector::DEFAULT_API_KEY).as_str())
    );
    assert_eq!(request.header("user-agent"), Some(USER_AGENT));
    assert!(USER_AGENT.starts_with("PatchworkMCP-Rust/0."));
    assert_eq!(request.feedback(), Some(payload(&mark)));
    assert_eq!(request.body["gap_type"], "missing_tool");
    assert_eq!(request.body["resolution"], "");
}

#[tokio::test]
async fn two_503s_then_201_is_delivered_on_the_third_attempt_after_backing_off() {
    let collector = Collector::start().unwrap();
    collector.fail_next(2, 503);
    let started = std::time::Instant::now();
    let outcome = submit_feedback(
        &payload(&marker("503x2")),
        &resolved_for(&collector),
        shared(),
    )
    .await;
    let elapsed = started.elapsed();
    assert!(
        matches!(outcome, SendOutcome::Delivered { attempts: 3, .. }),
        "{outcome:?}"
    );
    let statuses: Vec<_> = collector.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(201)]);
    // The reference backoff (500 ms, then 1000 ms) happened; no upper bound on a loaded machine.
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn three_503s_give_up_after_three_attempts_and_log_the_unsent_line() {
    let collector = Collector::start().unwrap();
    collector.fail_next(3, 503);
    let capture = capture_unsent();
    let mark = marker("503x3");
    let deliverer = Deliverer::new(fast_config()).unwrap();
    let outcome = submit_feedback(&payload(&mark), &resolved_for(&collector), &deliverer).await;
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "status_503".into()
        }
    );
    assert!(outcome.message().contains("kept"), "{}", outcome.message());
    assert_eq!(collector.requests().len(), 3);

    let lines: Vec<_> = capture
        .lines()
        .into_iter()
        .filter(|l| l.contains(&mark))
        .collect();
    assert_eq!(lines.len(), 1, "exactly one unsent line: {lines:?}");
    assert!(lines[0].starts_with("PATCHWORKMCP_UNSENT_FEEDBACK reason=status_503 payload={"));
    let records = unsent_with(capture.records(), &mark);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].payload, payload(&mark));
}

#[tokio::test]
async fn status_400_is_final_after_exactly_one_request() {
    let collector = Collector::start().unwrap();
    collector.fail_next(1, 400);
    let capture = capture_unsent();
    let mark = marker("400");
    let outcome = submit_feedback(&payload(&mark), &resolved_for(&collector), shared()).await;
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "status_400".into()
        }
    );
    assert_eq!(collector.requests().len(), 1);
    assert_eq!(unsent_with(capture.records(), &mark).len(), 1);
}

#[tokio::test]
async fn wrong_key_401_is_final_after_exactly_one_request() {
    let collector = Collector::start().unwrap();
    let opts = Options {
        api_key: Some("not-the-key".into()),
        ..collector.options("test-server")
    };
    let outcome = submit_feedback(&payload(&marker("401")), &resolved(&opts), shared()).await;
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "status_401".into()
        }
    );
    let requests = collector.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].status, Some(401));
}

#[tokio::test]
async fn rate_limit_429_is_retried_after_its_retry_after() {
    let collector = Collector::start().unwrap();
    collector.rate_limit_next(1, 2);
    let started = std::time::Instant::now();
    let outcome = submit_feedback(
        &payload(&marker("429")),
        &resolved_for(&collector),
        shared(),
    )
    .await;
    assert!(
        matches!(outcome, SendOutcome::Delivered { attempts: 2, .. }),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After: 2 was honoured"
    );
    assert_eq!(collector.requests()[0].status, Some(429));
}

#[tokio::test]
async fn connection_refused_is_retried_then_kept() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // dropped: nothing listens there now
    let opts = Options {
        patchwork_url: Some(format!("http://127.0.0.1:{port}")),
        api_key: Some("k".into()),
        server_slug: Some("s".into()),
    };
    let capture = capture_unsent();
    let mark = marker("refused");
    let deliverer = Deliverer::new(fast_config()).unwrap();
    let url = resolved(&opts)
        .endpoint(patchwork_runtime::FEEDBACK_PATH)
        .unwrap();
    let key = resolved(&opts).api_key.unwrap();
    let outcome = deliverer.deliver(&url, &key, "{}").await;
    assert_eq!(
        outcome,
        patchwork_runtime::DeliveryOutcome::Failed {
            reason: "unreachable:connect".into(),
            attempts: 3,
            retryable: true,
        }
    );
    let kept = submit_feedback(&payload(&mark), &resolved(&opts), &deliverer).await;
    assert_eq!(
        kept,
        SendOutcome::Kept {
            reason: "unreachable:connect".into()
        }
    );
    assert_eq!(unsent_with(capture.records(), &mark).len(), 1);
}

/// Paused clock: the request timeouts and backoffs run on virtual time, so
/// the test is instant but proves the whole delivery is bounded.
#[tokio::test(start_paused = true)]
async fn never_answering_server_is_bounded_by_the_timeouts() {
    let collector = Collector::start().unwrap();
    collector.never_answer_next(usize::MAX);
    let started = tokio::time::Instant::now();
    let outcome = submit_feedback(
        &payload(&marker("silent")),
        &resolved_for(&collector),
        shared(),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "unreachable:timeout".into()
        }
    );
    // 2 backoffs (0.5 s + 1 s) at least; at most 3 × 5 s requests plus the backoffs.
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert!(elapsed <= Duration::from_millis(16_600), "{elapsed:?}");
}

/// Real clock with short timeouts: the silent collector really received all
/// three attempts, and the client gave up on each.
#[tokio::test]
async fn never_answering_server_gets_three_attempts_then_gives_up() {
    let collector = Collector::start().unwrap();
    collector.never_answer_next(3);
    let deliverer = Deliverer::new(fast_config()).unwrap();
    let outcome = submit_feedback(
        &payload(&marker("silent3")),
        &resolved_for(&collector),
        &deliverer,
    )
    .await;
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "unreachable:timeout".into()
        }
    );
    let received = collector
        .wait_for_requests(3, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.status.is_none()));
}

#[tokio::test]
async fn slow_answers_within_the_timeout_are_delivered() {
    let collector = Collector::start().unwrap();
    collector.set_delay(Duration::from_millis(300));
    let outcome = submit_feedback(
        &payload(&marker("slow")),
        &resolved_for(&collector),
        shared(),
    )
    .await;
    assert!(
        matches!(outcome, SendOutcome::Delivered { attempts: 1, .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn trailing_slash_in_the_url_does_not_double_the_slash() {
    let collector = Collector::start().unwrap();
    let opts = Options {
        patchwork_url: Some(format!("{}/", collector.url())),
        ..collector.options("test-server")
    };
    let outcome = submit_feedback(&payload(&marker("slash")), &resolved(&opts), shared()).await;
    assert!(
        matches!(outcome, SendOutcome::Delivered { .. }),
        "{outcome:?}"
    );
    assert_eq!(collector.requests()[0].path, "/api/v1/feedback/");
}

#[tokio::test]
async fn missing_key_sends_nothing_and_logs_the_unsent_line() {
    let collector = Collector::start().unwrap();
    let opts = Options {
        api_key: None,
        ..collector.options("test-server")
    };
    let capture = capture_unsent();
    let mark = marker("nokey");
    let outcome = submit_feedback(&payload(&mark), &resolved(&opts), shared()).await;
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "missing_api_key".into()
        }
    );
    assert!(outcome.message().contains("no PatchworkMCP API key"));
    let records = unsent_with(capture.records(), &mark);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason, "missing_api_key");
    assert_eq!(records[0].payload, payload(&mark));
    // Give a stray request time to show up; none may.
    assert!(
        collector
            .wait_for_requests(1, Duration::from_millis(200))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn remote_plain_http_is_refused_before_any_connection() {
    let capture = capture_unsent();
    let mark = marker("insecure");
    let opts = Options {
        patchwork_url: Some("http://192.0.2.1:9".into()), // TEST-NET-1: never routed
        api_key: Some("k".into()),
        server_slug: Some("s".into()),
    };
    let started = std::time::Instant::now();
    let outcome = submit_feedback(&payload(&mark), &resolved(&opts), shared()).await;
    assert_eq!(
        outcome,
        SendOutcome::Kept {
            reason: "insecure_url".into()
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no connect attempt was made"
    );
    assert_eq!(
        unsent_with(capture.records(), &mark)[0].reason,
        "insecure_url"
    );
}

#[tokio::test]
async fn oversized_payloads_are_capped_before_sending() {
    let collector = Collector::start().unwrap();
    let mark = marker("huge");
    let mut big = payload(&mark);
    big.user_goal = "ü".repeat(100_000);
    big.tools_available = (0..200).map(|i| format!("tool_{i}")).collect();
    let outcome = submit_feedback(&big, &resolved_for(&collector), shared()).await;
    assert!(
        matches!(outcome, SendOutcome::Delivered { .. }),
        "{outcome:?}"
    );
    let sent = collector.feedback().pop().unwrap();
    assert_eq!(sent.what_i_needed, mark);
    assert!(sent.user_goal.len() <= patchwork_runtime::MAX_FIELD_BYTES);
    assert!(
        sent.user_goal
            .ends_with(patchwork_runtime::TRUNCATION_MARKER)
    );
    assert_eq!(
        sent.tools_available.len(),
        patchwork_runtime::MAX_TOOLS_AVAILABLE
    );
}

#[test]
fn default_delivery_config_is_the_reference_policy() {
    let config = DeliveryConfig::default();
    assert_eq!(config.connect_timeout(), Duration::from_secs(2));
    assert_eq!(config.request_timeout(), Duration::from_secs(5));
    assert_eq!(config.max_retries(), 2);
    assert_eq!(config.backoff(0), Duration::from_millis(500));
    assert_eq!(config.backoff(1), Duration::from_millis(1000));
    assert_eq!(shared().config(), &config);
}

//! Awaited delivery against a real collector over loopback HTTP: success, retries, final failures,
//! timeouts, URL handling, and the unsent line. Public API only.

mod common;

use std::time::Duration;

use common::{client_of, marker, payload};
use patchwork_runtime::testing::{Collector, capture_unsent, refusing_url};
use patchwork_runtime::{Outcome, Patchwork, Reason, RetryPolicy};

#[tokio::test]
async fn delivers_on_first_attempt_with_contract_headers_and_body() {
    let collector = Collector::start().unwrap();
    let mark = marker("first");
    let outcome = client_of(&collector).build().deliver(&payload(&mark)).await;
    assert_eq!(
        outcome,
        Outcome::Delivered {
            attempts: 1,
            id: Some("fb_1".into())
        }
    );

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
    let agent = request.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("PatchworkMCP-Rust/0."), "{agent}");
    assert!(request.header("idempotency-key").is_some());
    assert_eq!(request.feedback(), Some(payload(&mark)));
    assert_eq!(request.body["gap_type"], "missing_tool");
    assert_eq!(request.body["resolution"], "");
}

#[tokio::test]
async fn two_503s_then_201_is_delivered_on_the_third_attempt_after_the_reference_backoff() {
    let collector = Collector::start().unwrap();
    collector.fail_next(2, 503);
    let started = std::time::Instant::now();
    let patchwork = collector.patchwork("test-server").no_outbox().build(); // the reference schedule
    let outcome = patchwork.deliver(&payload(&marker("503x2"))).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(outcome, Outcome::Delivered { attempts: 3, .. }),
        "{outcome:?}"
    );
    let statuses: Vec<_> = collector.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(201)]);
    let keys: Vec<_> = collector
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert!(
        keys.windows(2).all(|pair| pair[0] == pair[1]),
        "one key for every attempt: {keys:?}"
    );
    // The reference backoff (500 ms, then 1000 ms) happened; no upper bound on a loaded machine.
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn three_503s_give_up_after_three_attempts_and_log_the_unsent_line() {
    let collector = Collector::start().unwrap();
    collector.fail_next(3, 503);
    let capture = capture_unsent();
    let mark = marker("503x3");
    let outcome = client_of(&collector).build().deliver(&payload(&mark)).await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::Status(503)
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
    let records = capture.records_for(&mark);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].payload, payload(&mark));
}

#[tokio::test]
async fn final_statuses_are_not_retried() {
    for status in [400, 403, 404, 413] {
        let collector = Collector::start().unwrap();
        collector.fail_next(1, status);
        let outcome = client_of(&collector)
            .build()
            .deliver(&payload(&marker("final")))
            .await;
        assert_eq!(
            outcome,
            Outcome::Kept {
                reason: Reason::Status(status)
            }
        );
        assert_eq!(
            collector.requests().len(),
            1,
            "{status} is final after exactly one request"
        );
    }
}

#[tokio::test]
async fn wrong_key_401_is_final_after_exactly_one_request() {
    let collector = Collector::builder()
        .api_key("the-right-key")
        .start()
        .unwrap();
    let patchwork = client_of(&collector).api_key("a-wrong-key").build();
    let outcome = patchwork.deliver(&payload(&marker("401"))).await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::Status(401)
        }
    );
    assert_eq!(collector.requests().len(), 1);
}

#[tokio::test]
async fn rate_limit_429_is_retried_after_its_retry_after() {
    let collector = Collector::start().unwrap();
    collector.rate_limit_next(1, 1);
    let started = std::time::Instant::now();
    let outcome = client_of(&collector)
        .build()
        .deliver(&payload(&marker("429")))
        .await;
    assert!(
        matches!(outcome, Outcome::Delivered { attempts: 2, .. }),
        "{outcome:?}"
    );
    // The backoff here is 10 ms: only the 1 s Retry-After explains the wait.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_kept() {
    let (_socket, url) = refusing_url().unwrap();
    let capture = capture_unsent();
    let mark = marker("refused");
    let patchwork = Patchwork::builder()
        .url(url)
        .api_key("k")
        .slug("s")
        .no_outbox()
        .await_retry(common::fast_reference())
        .build();
    let outcome = patchwork.deliver(&payload(&mark)).await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::Connect
        }
    );
    assert_eq!(capture.records_for(&mark).len(), 1);
}

/// Paused clock: the request timeouts and backoffs run on virtual time, so the test is instant but proves
/// the whole delivery is bounded.
#[tokio::test(start_paused = true)]
async fn never_answering_server_is_bounded_by_the_timeouts() {
    let collector = Collector::start().unwrap();
    collector.never_answer_next(usize::MAX);
    let started = tokio::time::Instant::now();
    let outcome = collector
        .patchwork("s")
        .no_outbox()
        .build()
        .deliver(&payload(&marker("silent")))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::Timeout
        }
    );
    // 2 backoffs (0.5 s + 1 s) at least; at most 3 × 5 s requests plus the backoffs.
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
    assert!(elapsed <= Duration::from_millis(16_600), "{elapsed:?}");
}

/// Real clock with short timeouts: the silent collector really received all three attempts, and the client
/// gave up on each.
#[tokio::test]
async fn never_answering_server_gets_three_attempts_then_gives_up() {
    let collector = Collector::start().unwrap();
    collector.never_answer_next(3);
    let outcome = client_of(&collector)
        .build()
        .deliver(&payload(&marker("silent3")))
        .await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::Timeout
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
    let outcome = collector
        .patchwork("s")
        .no_outbox()
        .build()
        .deliver(&payload(&marker("slow")))
        .await;
    assert!(
        matches!(outcome, Outcome::Delivered { attempts: 1, .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn trailing_slash_in_the_url_does_not_double_the_slash() {
    let collector = Collector::start().unwrap();
    let patchwork = client_of(&collector)
        .url(format!("{}/", collector.url()))
        .build();
    let outcome = patchwork.deliver(&payload(&marker("slash"))).await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    assert_eq!(collector.requests()[0].path, "/api/v1/feedback/");
}

#[tokio::test]
async fn missing_key_sends_nothing_and_logs_the_unsent_line() {
    let collector = Collector::start().unwrap();
    let capture = capture_unsent();
    let mark = marker("nokey");
    let patchwork = Patchwork::builder()
        .url(collector.url())
        .slug("test-server")
        .no_outbox()
        .build();
    let outcome = patchwork.deliver(&payload(&mark)).await;
    assert_eq!(
        outcome,
        Outcome::Kept {
            reason: Reason::MissingApiKey
        }
    );
    assert!(outcome.message().contains("no PatchworkMCP API key"));
    let records = capture.records_for(&mark);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].reason, "missing_api_key");
    assert_eq!(records[0].payload, payload(&mark));
    assert!(collector.requests().is_empty());
}

#[tokio::test]
async fn urls_the_policy_refuses_are_never_connected_to() {
    let collector = Collector::start().unwrap();
    for (url, token) in [
        ("http://192.0.2.1", "insecure_url"),
        ("https://x.example/api/v1/feedback/", "not_a_base_url"),
        ("https://me:pw@x.example", "url_with_credentials"),
    ] {
        let capture = capture_unsent();
        let mark = marker("refused-url");
        let outcome = client_of(&collector)
            .url(url)
            .build()
            .deliver(&payload(&mark))
            .await;
        assert_eq!(
            outcome,
            Outcome::Kept {
                reason: Reason::InvalidUrl { token }
            },
            "{url}"
        );
        assert_eq!(capture.records_for(&mark)[0].reason, token);
    }
    assert!(collector.requests().is_empty());
}

#[tokio::test]
async fn oversized_payloads_are_capped_before_sending() {
    let collector = Collector::start().unwrap();
    let mut big = payload(&marker("big"));
    big.what_i_tried = "🦀".repeat(100_000);
    big.tools_available = (0..500).map(|n| format!("tool_{n}")).collect();
    let outcome = client_of(&collector).build().deliver(&big).await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    let sent = &collector.feedback()[0];
    assert!(sent.what_i_tried.len() <= 8 * 1024);
    assert!(sent.what_i_tried.ends_with("…[truncated]"));
    assert!(sent.tools_available.len() <= 50);
    assert!(serde_json::to_string(sent).unwrap().len() <= 64 * 1024);
}

#[test]
fn the_reference_policy_is_three_attempts() {
    assert_eq!(RetryPolicy::reference().max_attempts(), Some(3));
    assert_eq!(RetryPolicy::background().max_attempts(), None);
}

//! The local collector speaks the wire contract and follows its script.

use std::time::Duration;

use patchwork_runtime::testing::Collector;

async fn post(url: String, key: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .bearer_auth(key)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn routes_and_key_check_follow_the_contract() {
    let collector = Collector::start().unwrap();
    let base = collector.url();
    let key = Collector::DEFAULT_API_KEY;
    let feedback = post(format!("{base}/api/v1/feedback/"), key, "{}").await;
    assert_eq!(feedback.status(), 201);
    let body: serde_json::Value = serde_json::from_slice(&feedback.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (body["id"].as_str(), body["status"].as_str()),
        (Some("fb_1"), Some("received"))
    );
    let heartbeat = r#"{"server_slug":"s","tool_count":1,"tool_names":["a"]}"#;
    assert_eq!(
        post(format!("{base}/api/v1/heartbeat/"), key, heartbeat)
            .await
            .status(),
        200
    );
    assert_eq!(
        post(format!("{base}/api/v1/feedback/"), "wrong", "{}")
            .await
            .status(),
        401
    );
    assert_eq!(
        post(format!("{base}/api/v1/other/"), key, "{}")
            .await
            .status(),
        404
    );
    let get = reqwest::get(format!("{base}/api/v1/feedback/"))
        .await
        .unwrap();
    assert_eq!(get.status(), 405);

    let requests = collector
        .wait_for_requests(5, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(requests[1].body["tool_names"][0], "a");
    assert_eq!(requests[1].path, "/api/v1/heartbeat/");
    let statuses: Vec<_> = requests.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Some(201), Some(200), Some(401), Some(404), Some(405)]
    );
}

#[tokio::test]
async fn scripted_failures_apply_in_order_then_stop() {
    let collector = Collector::start().unwrap();
    collector.fail_next(1, 502);
    collector.rate_limit_next(1, 7);
    let url = format!("{}/api/v1/feedback/", collector.url());
    let key = Collector::DEFAULT_API_KEY;
    assert_eq!(post(url.clone(), key, "{}").await.status(), 502);
    let limited = post(url.clone(), key, "{}").await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(post(url, key, "{}").await.status(), 201);
}

#[tokio::test]
async fn waiting_for_more_requests_than_arrive_times_out_with_what_came() {
    let collector = Collector::start().unwrap();
    post(format!("{}/api/v1/feedback/", collector.url()), "k", "{}").await;
    let error = collector
        .wait_for_requests(2, Duration::from_millis(100))
        .await
        .unwrap_err();
    assert_eq!((error.wanted, error.received.len()), (2, 1));
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let collector = Collector::start().unwrap();
    let addr = collector.addr();
    collector.shutdown();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

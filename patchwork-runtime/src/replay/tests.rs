//! Replay against the local collector: the outbox and log lines once, a refusal, a failure, noise.
use super::*;
use crate::delivery::IDEMPOTENCY_KEY_HEADER;
use crate::feedback::FeedbackPayload;
use crate::feedback::unsent::unsent_line;
use crate::testing::Collector;

fn settings_of(options: &Options) -> Settings {
    resolve(&[&Layer::from(options)], &|_| None)
}

fn payload(what: &str) -> FeedbackPayload {
    FeedbackPayload {
        server_slug: "replay".into(),
        what_i_needed: what.into(),
        what_i_tried: "x".into(),
        ..Default::default()
    }
}

fn input(text: String) -> Vec<Box<dyn BufRead>> {
    vec![Box::new(std::io::Cursor::new(text.into_bytes()))]
}

#[tokio::test]
async fn replays_outbox_and_log_lines_once_and_skips_them_the_second_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    for n in 0..2 {
        let body = payload(&format!("boxed {n}")).to_json_line();
        outbox
            .append(&OutboxItem::new(collector.url(), "", "replay", &body))
            .expect("append");
    }
    let foreign = OutboxItem::new("https://elsewhere.example", "", "other", "{}");
    outbox.append(&foreign).expect("append");
    let logged = unsent_line(
        "status_503",
        &payload("logged").to_json_line(),
        Origin::Report,
    );
    let torn = &logged[..logged.len() - 10];
    let log = format!("2026-01-01 server started\n2026-01-01 {logged}\n{logged}\nnoise\n{torn}");
    let resolved = settings_of(&collector.options("replay"));

    let first = replay(Some(&outbox), input(log.clone()), &resolved)
        .await
        .expect("replay");
    assert_eq!(
        first,
        ReplayReport {
            delivered: 3,
            already_delivered: 1,
            unreadable: 1,
            other_owner: 1,
            ..Default::default()
        },
        "{first}"
    );
    assert_eq!(collector.feedback().len(), 3);
    let keys: HashSet<_> = collector
        .requests()
        .iter()
        .filter_map(|r| r.header(IDEMPOTENCY_KEY_HEADER).map(str::to_string))
        .collect();
    assert_eq!(keys.len(), 3);

    let second = replay(Some(&outbox), input(log), &resolved)
        .await
        .expect("replay");
    assert_eq!(second.delivered, 0, "{second}");
    assert_eq!(second.already_delivered, 2);
    assert_eq!(collector.feedback().len(), 3);
}

#[tokio::test]
async fn a_refused_item_is_rejected_and_one_that_keeps_failing_counts_as_failed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    let body = payload("refused").to_json_line();
    outbox
        .append(&OutboxItem::new(collector.url(), "", "replay", &body))
        .expect("append");
    let resolved = settings_of(&collector.options("replay"));

    collector.fail_next(1, 400);
    let refused = replay(Some(&outbox), Vec::new(), &resolved)
        .await
        .expect("replay");
    assert_eq!(
        refused,
        ReplayReport {
            refused: 1,
            ..Default::default()
        },
        "{refused}"
    );
    assert!(
        outbox.pending().expect("pending").is_empty(),
        "moved to rejected/"
    );
    assert_eq!(collector.requests().len(), 1, "a refusal is not retried");

    collector.fail_next(3, 503);
    let logged = unsent_line(
        "status_503",
        &payload("still failing").to_json_line(),
        Origin::Report,
    );
    let failed = replay(None, input(logged), &resolved)
        .await
        .expect("replay");
    assert_eq!(
        failed,
        ReplayReport {
            failed: 1,
            ..Default::default()
        },
        "{failed}"
    );
    assert_eq!(collector.requests().len(), 4, "one attempt and two retries");
}

#[tokio::test]
async fn a_line_that_is_not_utf8_does_not_hide_the_lines_after_it() {
    let collector = Collector::start().expect("collector");
    let mut log = b"2026-01-01 binary noise \xff\xfe\n".to_vec();
    log.extend_from_slice(
        unsent_line(
            "status_503",
            &payload("after the noise").to_json_line(),
            Origin::Report,
        )
        .as_bytes(),
    );
    log.extend_from_slice(b"\r\n");
    let inputs: Vec<Box<dyn BufRead>> = vec![Box::new(std::io::Cursor::new(log))];
    let resolved = settings_of(&collector.options("replay"));
    let report = replay(None, inputs, &resolved).await.expect("replay");
    assert_eq!(report.delivered, 1, "{report}");
    assert_eq!(collector.feedback()[0].what_i_needed, "after the noise");
}

#[tokio::test]
async fn without_a_key_replay_refuses_to_start() {
    let mut settings = settings_of(&Options::default());
    settings.api_key = None;
    let error = replay(None, Vec::new(), &settings)
        .await
        .expect_err("no key");
    assert_eq!(error, Reason::MissingApiKey);
}

#[tokio::test]
async fn replay_sends_a_legacy_item_under_its_key_and_leaves_another_keys_item() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    let resolved = settings_of(&collector.options("replay"));
    let target = Target::feedback(&resolved).expect("target");
    let legacy = OutboxItem::new(
        &target.base,
        "",
        "replay",
        &payload("legacy").to_json_line(),
    );
    let theirs = OutboxItem::new(
        &target.base,
        "another key's fingerprint",
        "replay",
        &payload("theirs").to_json_line(),
    );
    outbox.append(&legacy).expect("append");
    outbox.append(&theirs).expect("append");
    let report = replay(Some(&outbox), Vec::new(), &resolved)
        .await
        .expect("replay");
    assert_eq!(
        report,
        ReplayReport {
            delivered: 1,
            other_owner: 1,
            ..Default::default()
        },
        "{report}"
    );
    assert_eq!(collector.feedback()[0].what_i_needed, "legacy");
    let pending = outbox.pending().expect("list");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].key, theirs.key);
}

#[tokio::test]
async fn a_logged_payload_is_prepared_as_a_tool_call_is_redacted_capped_and_closed() {
    let collector = Collector::start().expect("collector");
    let body = serde_json::json!({
        "server_slug": "replay",
        "what_i_needed": "key AKIA2E0A8F3B244C9986 in the config",
        "what_i_tried": "x".repeat(20_000),
        "gap_type": "not_a_gap_type",
    })
    .to_string();
    let item = OutboxItem::new(collector.url(), "", "replay", &body);
    let log = format!(
        "{}\n{}\n",
        unsent_line("status_503", &body, Origin::Report),
        serde_json::to_string(&item).expect("item line")
    );
    let resolved = settings_of(&collector.options("replay"));
    let report = replay(None, input(log), &resolved).await.expect("replay");
    assert_eq!(report.delivered, 2, "{report}");
    for request in collector.requests() {
        let sent: serde_json::Value = request.body.clone();
        let needed = sent["what_i_needed"].as_str().expect("text");
        assert_eq!(needed, "key [REDACTED:aws_access_key] in the config");
        let tried = sent["what_i_tried"].as_str().expect("text");
        assert!(
            tried.len() <= crate::contract::fields::MAX_FIELD_BYTES,
            "capped"
        );
        assert_eq!(sent["gap_type"], "other", "a closed enum");
    }
    let item_key = item.key.to_string();
    assert!(
        collector
            .requests()
            .iter()
            .any(|r| r.header(IDEMPOTENCY_KEY_HEADER) == Some(item_key.as_str())),
        "the item line keeps its key"
    );
}

#[tokio::test]
async fn patchworks_own_log_line_about_unsent_feedback_is_not_unreadable() {
    let collector = Collector::start().expect("collector");
    let logged = unsent_line(
        "status_503",
        &payload("real").to_json_line(),
        Origin::Report,
    );
    let log = format!(
        "2026-01-01T00:00:00Z  WARN patchwork_runtime::unsent: feedback kept as unsent; replay it from the \
         PATCHWORKMCP_UNSENT_FEEDBACK stderr line reason=status_503\n{logged}\n"
    );
    let resolved = settings_of(&collector.options("replay"));
    let report = replay(None, input(log), &resolved).await.expect("replay");
    assert_eq!(
        report,
        ReplayReport {
            delivered: 1,
            ..Default::default()
        },
        "{report}"
    );
}

#[tokio::test]
async fn an_endless_line_is_passed_over_and_the_lines_after_it_are_replayed() {
    let collector = Collector::start().expect("collector");
    // A whole, valid record, only far too long: read whole, it would be sent.
    let endless_feedback = unsent_line(
        "status_503",
        &payload(&"y".repeat(8 * 1024 * 1024)).to_json_line(),
        Origin::Report,
    );
    let endless_noise = "z".repeat(8 * 1024 * 1024);
    let logged = unsent_line(
        "status_503",
        &payload("after").to_json_line(),
        Origin::Report,
    );
    let log = format!("{endless_feedback}\n{endless_noise}\n{logged}\n");
    let resolved = settings_of(&collector.options("replay"));
    let report = replay(None, input(log), &resolved).await.expect("replay");
    assert_eq!(
        report,
        ReplayReport {
            delivered: 1,
            unreadable: 1,
            ..Default::default()
        },
        "{report}"
    );
    assert_eq!(collector.feedback()[0].what_i_needed, "after");
}

#[tokio::test]
async fn a_signal_replayed_from_the_outbox_or_its_line_is_still_marked_as_a_signal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let collector = Collector::start().expect("collector");
    let outbox = Outbox::open(dir.path(), OutboxLimits::default()).expect("outbox");
    let mut item = OutboxItem::new(
        collector.url(),
        "",
        "replay",
        &payload("boxed signal").to_json_line(),
    );
    item.origin = Origin::Signal;
    outbox.append(&item).expect("append");
    let report = payload("agent's report").to_json_line();
    let signal = payload("logged signal").to_json_line();
    let log = format!(
        "{}\n{}\n",
        unsent_line("status_503", &report, Origin::Report),
        unsent_line("status_503", &signal, Origin::Signal)
    );
    let resolved = settings_of(&collector.options("replay"));
    let done = replay(Some(&outbox), input(log), &resolved)
        .await
        .expect("replay");
    assert_eq!(done.delivered, 3, "{done}");
    let mut marked: Vec<(String, Option<String>)> = collector
        .requests()
        .iter()
        .map(|r| {
            let need = r.feedback().expect("a report").what_i_needed;
            (need, r.header("Patchwork-Origin").map(str::to_owned))
        })
        .collect();
    marked.sort();
    assert_eq!(
        marked,
        [
            ("agent's report".to_owned(), None),
            ("boxed signal".to_owned(), Some("signal".to_owned())),
            ("logged signal".to_owned(), Some("signal".to_owned())),
        ]
    );
}

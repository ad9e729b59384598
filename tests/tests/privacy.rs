//! What leaves the machine: a feedback call carrying every kind of secret and personal data, through the
//! `stdio_server` example as a child process, is stored in the outbox, logged as an unsent line and delivered
//! with none of the raw values; the report carries the count per kind in `Patchwork-Redactions`.

mod fault_common;

use std::path::Path;
use std::process::Stdio;

use fault_common::{collector_where, refusing_addr};
use patchwork_runtime::testing::Collector;
use patchwork_tests::stdio::StdioClient;
use patchwork_tests::watch::StderrWatch;
use patchwork_tests::{build_example, pending_files};
use serde_json::json;
use tokio::process::Command;

const LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// One raw value of each kind, as an agent would paste it, and the kind it must be reported as.
const SECRETS: &[(&str, &str)] = &[
    ("aws_access_key", "AKIA2E0A8F3B244C9986"),
    (
        "aws_secret_key",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYq7Zt3Mv9Lk",
    ),
    ("gcp_api_key", "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"),
    ("github_token", "ghp_1234567890abcdefghijABCDEFGHIJ123456"),
    (
        "github_token",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    ),
    (
        "slack_token",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKl",
    ),
    ("openai_key", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"),
    (
        "anthropic_key",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789",
    ),
    ("stripe_key", "sk_live_51H8abcdefghijklmnopqrstu"),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (
        "private_key",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    ),
    (
        "url_credentials",
        "postgres://admin:hunter2@db.internal/orders",
    ),
    ("bearer", "Authorization: Bearer abcdef0123456789ghijkl"),
    ("password", "password=Sup3r-S3cret!"),
    ("email", "jane.doe@example.com"),
    ("card_number", "4111 1111 1111 1111"),
    ("national_id", "123-45-6789"),
    ("gitlab_token", "glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn"),
    ("npm_token", "npm_Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8Vb7"),
    ("huggingface_token", "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"),
    (
        "ai_provider_key",
        "gsk_Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8Vb7Nm6Qw5Er4Ty3Ui2",
    ),
    ("stripe_key", "rk_test_Qw8Er7Ty6Ui5Op4As3Df2Gh1J"),
    (
        "sendgrid_key",
        "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",
    ),
    (
        "vault_token",
        "hvs.CAESIQw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8Vb",
    ),
    (
        "digitalocean_token",
        "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ),
    (
        "google_oauth_token",
        "ya29.a0Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc8Vb",
    ),
    (
        "webhook_url",
        "https://hooks.slack.com/services/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",
    ),
    (
        "basic_auth",
        "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l",
    ),
    ("generic_secret", "client_secret=Zx81Kq02LmPa9wQe"),
    ("phone", "+44 20 7946 0958"),
    ("ip_address", "203.0.113.42"),
    ("home_user", "/home/amyjones/app"),
    ("iban", "DE89 3704 0044 0532 0130 00"),
];

/// The parts of each raw value that must not survive (labels such as `password=` may).
fn raw_parts() -> Vec<&'static str> {
    vec![
        "AKIA2E0A8F3B244C9986",
        "wJalrXUtnFEMI",
        "AIzaSyDdI0hC",
        "ghp_1234567890",
        "github_pat_11ABC",
        "xoxb-1234",
        "sk-proj-abc",
        "sk-ant-api03",
        "sk_live_51H8",
        "eyJhbGciOiJIUzI1NiJ9",
        "MIIEvQIBADAN",
        "hunter2",
        "abcdef0123456789ghijkl",
        "Sup3r-S3cret",
        "jane.doe@example.com",
        "4111 1111 1111 1111",
        "123-45-6789",
        "glpat-Ab1",
        "npm_Qw8",
        "hf_QwEr",
        "gsk_Qw8",
        "rk_test_Qw8",
        "SG.Qw8",
        "hvs.CAES",
        "dop_v1_0123",
        "ya29.a0",
        "hooks.slack.com",
        "YWxhZGRpbjpvcGVuc2VzYW1l",
        "Zx81Kq02",
        "7946 0958",
        "203.0.113.42",
        "amyjones",
        "DE89 3704",
    ]
}

fn server(outbox: &Path, url: &str, key: Option<&str>) -> Command {
    let mut command = Command::new(build_example("stdio_server"));
    command
        .env("PATCHWORKMCP_OUTBOX", outbox)
        .env("PATCHWORKMCP_URL", url)
        .env("PATCHWORKMCP_SERVER_SLUG", "privacy")
        .env_remove("PATCHWORKMCP_MODE")
        // Everything patchwork logs, so a log line that carried agent text would show in the stderr checks.
        .env("RUST_LOG", "patchwork_runtime=trace")
        .stderr(Stdio::piped());
    match key {
        Some(key) => command.env("PATCHWORKMCP_API_KEY", key),
        None => command.env_remove("PATCHWORKMCP_API_KEY"),
    };
    command
}

fn everything_secret() -> serde_json::Value {
    let text: Vec<String> = SECRETS
        .iter()
        .map(|(kind, raw)| format!("{kind}: {raw}"))
        .collect();
    json!({
        "what_i_needed": text.join("\n"),
        "what_i_tried": format!("logged in as {} with {}", SECRETS[14].1, SECRETS[13].1),
        "gap_type": "missing_tool",
        "user_goal": format!("pay with {}", SECRETS[15].1),
    })
}

fn assert_no_raw_secret(what: &str, text: &str) {
    for raw in raw_parts() {
        assert!(!text.contains(raw), "{what} holds {raw:?}:\n{text}");
    }
}

#[tokio::test]
async fn no_raw_secret_is_stored_logged_or_sent() {
    let outbox = tempfile::tempdir().expect("an outbox");
    let (refusing, addr) = refusing_addr();
    let url = format!("http://{addr}");

    // The service is down: the feedback waits in the outbox.
    let (mut client, _) = StdioClient::start(
        server(outbox.path(), &url, Some(Collector::DEFAULT_API_KEY)),
        "privacy-test",
    )
    .await;
    let log = StderrWatch::of_tokio(client.take_stderr().expect("stderr"));
    let reply = client.call_tool("feedback", everything_secret()).await;
    assert_eq!(reply["isError"], false, "{reply}");
    client.finish().await;
    let stored = pending_files(outbox.path());
    assert_eq!(stored.len(), 1);
    let item = std::fs::read_to_string(&stored[0].0).expect("the outbox item");
    assert_no_raw_secret("the outbox item", &item);
    for (kind, _) in SECRETS {
        assert!(
            item.contains(&format!("[REDACTED:{kind}]")),
            "{kind} marker in {item}"
        );
    }
    assert_no_raw_secret("the server's stderr", &log.text());

    // The service is back: the next start delivers it, with the counts and without the values.
    let collector = collector_where(refusing, Collector::builder());
    let (client, _) = StdioClient::start(
        server(outbox.path(), &url, Some(Collector::DEFAULT_API_KEY)),
        "privacy-test",
    )
    .await;
    let delivered = collector
        .wait_for_feedback(1, LIMIT)
        .await
        .expect("delivered at start");
    client.finish().await;
    let request = &delivered[0];
    assert_no_raw_secret("the delivered body", &request.body.to_string());
    let counts = request
        .header("patchwork-redactions")
        .expect("the counts travel with the report");
    assert!(counts.contains("github_token=2"), "{counts}");
    assert!(counts.contains("email=2"), "{counts}");
    assert_no_raw_secret("the counts header", counts);

    // Without a key, the unsent line on stderr is redacted too.
    let outbox = tempfile::tempdir().expect("another outbox");
    let (mut client, _) = StdioClient::start(
        server(outbox.path(), &collector.url(), None),
        "privacy-test",
    )
    .await;
    let log = StderrWatch::of_tokio(client.take_stderr().expect("stderr"));
    client.call_tool("feedback", everything_secret()).await;
    let line = log.wait_for("PATCHWORKMCP_UNSENT_FEEDBACK reason=", LIMIT);
    client.finish().await;
    assert!(line.contains("[REDACTED:jwt]"), "{line}");
    assert_no_raw_secret("the unsent line", &line);
}

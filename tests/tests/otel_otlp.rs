//! MCP telemetry end to end, decoded by an implementation not ours: a watched rmcp server in process exports its
//! spans and its duration histogram with the OpenTelemetry SDK's OTLP/HTTP exporter (binary protobuf) to a receiver
//! written in Python (`tests/e2e/otlp_receiver.py`) that decodes them with the official `opentelemetry-proto`
//! bindings and prints what it decoded. Loopback only; every wait is bounded; the providers' shutdown is the flush.
//!
//! The attribute-by-attribute checks against the conventions are `patchwork-runtime/tests/otel_spans.rs` and
//! `otel_metrics.rs`; this test checks that what reaches a collector over the wire is the same.

mod rmcp_common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{
    MetricExporter, Protocol, SpanExporter, WithExportConfig, WithHttpConfig,
};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use patchwork_runtime::Patchwork;
use patchwork_runtime::rmcp::observe;
use patchwork_tests::python::python_with_sdk;
use patchwork_tests::repo_root;
use patchwork_tests::watch::StderrWatch;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolRequestParams, RequestParamsMeta, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, schemars, tool, tool_handler, tool_router};
use serde_json::{Value, json};
use tracing_subscriber::layer::SubscriberExt;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const SERVICE: &str = "patchwork-otlp-e2e";
/// Generous bounds for a loaded 2-core machine; only reached when something is broken.
const LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Default)]
struct Calc;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
struct Sum {
    a: i64,
    b: i64,
}

#[tool_router]
impl Calc {
    /// Adds.
    #[tool]
    async fn add(&self, Parameters(Sum { a, b }): Parameters<Sum>) -> String {
        (a + b).to_string()
    }

    /// Always fails with a JSON-RPC internal error.
    #[tool]
    async fn broken(&self) -> Result<String, ErrorData> {
        Err(ErrorData::internal_error("the database is down", None))
    }
}

#[tool_handler]
impl ServerHandler for Calc {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The Python receiver, stopped (by its own child's id) if the test fails before it ends it.
struct Receiver {
    child: Child,
    stdout: StderrWatch,
    port: u16,
}

impl Receiver {
    fn start() -> Self {
        let mut child = Command::new(python_with_sdk())
            .arg(repo_root().join("tests/e2e/otlp_receiver.py"))
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start otlp_receiver.py");
        let stdout = StderrWatch::new(child.stdout.take().expect("stdout"));
        let first: Value =
            serde_json::from_str(&stdout.wait_for("\"port\"", LIMIT)).expect("a JSON line");
        let port = first["port"].as_u64().expect("the port") as u16;
        Self {
            child,
            stdout,
            port,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Closes the receiver's stdin and returns every line it decoded, once it said it is done.
    fn finish(mut self) -> Vec<Value> {
        drop(self.child.stdin.take());
        self.stdout.wait_for("\"done\"", LIMIT);
        let status = self.child.wait().expect("the receiver exits");
        assert!(status.success(), "otlp_receiver.py: {status}");
        self.stdout
            .text()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .filter(|line: &Value| line.get("signal").is_some())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Still holding stdin: the test failed before `finish`.
        if self.child.stdin.take().is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The HTTP client the exporters use: blocking (the SDK's batch processor and periodic reader export from threads
/// of their own), bounded, and never through a proxy (loopback only).
fn http_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a blocking HTTP client")
}

/// The calls: list, a good call with a remote parent, a good one without, an internal error, an unknown tool.
async fn calls() {
    let server = observe(Calc).with_client(
        Patchwork::builder()
            .slug("otlp-e2e")
            .no_outbox()
            .signals(false)
            .build(),
    );
    let client = rmcp_common::connect_as(server, "otlp-e2e-client", "7.8.9").await;
    client.list_tools(None).await.expect("the tools");
    let call = |name: &'static str, arguments: Value, traceparent: Option<&str>| {
        let mut params = CallToolRequestParams::new(name);
        if let Value::Object(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        if let Some(traceparent) = traceparent {
            params.set_traceparent(traceparent);
        }
        client.call_tool(params)
    };
    call("add", json!({"a": 1, "b": 2}), Some(TRACEPARENT))
        .await
        .expect("a result");
    call("add", json!({"a": 3, "b": 4}), None)
        .await
        .expect("a result");
    call("broken", json!({}), None)
        .await
        .expect_err("an internal error");
    call("nope", json!({}), None)
        .await
        .expect_err("an unknown tool");
    client.cancel().await.expect("the client stops");
}

fn string_attribute<'a>(span: &'a Value, key: &str) -> Option<&'a str> {
    let attribute = span["attributes"].get(key)?;
    assert_eq!(
        attribute["type"], "string_value",
        "{key} travels as a string: {span}"
    );
    attribute["value"].as_str()
}

#[test]
fn spans_and_the_duration_histogram_reach_a_collector_over_otlp_http_as_the_official_bindings_decode_them()
 {
    let receiver = Receiver::start();
    let resource = Resource::builder().with_service_name(SERVICE).build();
    let spans = SpanExporter::builder()
        .with_http()
        .with_http_client(http_client())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(receiver.url("/v1/traces"))
        .with_timeout(Duration::from_secs(10))
        .build()
        .expect("the span exporter");
    let metrics = MetricExporter::builder()
        .with_http()
        .with_http_client(http_client())
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(receiver.url("/v1/metrics"))
        .with_timeout(Duration::from_secs(10))
        .build()
        .expect("the metric exporter");
    let tracer_provider = SdkTracerProvider::builder()
        .with_batch_exporter(spans)
        .with_resource(resource.clone())
        .build();
    let meter_provider = SdkMeterProvider::builder()
        .with_periodic_exporter(metrics)
        .with_resource(resource)
        .build();
    // This binary's only test: the global meter provider is set before the watcher's histogram is made.
    opentelemetry::global::set_meter_provider(meter_provider.clone());

    let subscriber = tracing_subscriber::registry().with(
        tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("patchwork-otlp-e2e")),
    );
    tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(async { tokio::time::timeout(LIMIT, calls()).await })
            .expect("the calls end in time");
    });
    // Shutting down exports what is buffered and returns once the receiver answered.
    tracer_provider.shutdown().expect("the spans are exported");
    meter_provider.shutdown().expect("the metrics are exported");
    let decoded = receiver.finish();
    assert!(
        decoded.iter().all(|line| line["signal"] != "error"),
        "{decoded:#?}"
    );

    // Spans: the watcher's, one per request, each SERVER, binary protobuf, with the service's resource.
    let mcp: Vec<&Value> = decoded
        .iter()
        .filter(|line| {
            line["signal"] == "span" && line["attributes"].get("mcp.method.name").is_some()
        })
        .collect();
    let mut names: Vec<&str> = mcp.iter().map(|s| s["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "initialize",
            "tools/call add",
            "tools/call add",
            "tools/call broken",
            "tools/call nope",
            "tools/list"
        ],
        "{mcp:#?}"
    );
    for span in &mcp {
        assert_eq!(span["kind"], "SPAN_KIND_SERVER", "{span}");
        assert_eq!(span["content_type"], "application/x-protobuf");
        assert_eq!(span["service"], SERVICE);
        assert!(
            string_attribute(span, "jsonrpc.request.id").is_some(),
            "{span}"
        );
        assert!(
            string_attribute(span, "mcp.protocol.version").is_some(),
            "{span}"
        );
        assert_eq!(
            string_attribute(span, "patchwork.client.name"),
            Some("otlp-e2e-client")
        );
        let tool = string_attribute(span, "gen_ai.tool.name");
        assert_eq!(
            tool.map(|tool| format!("tools/call {tool}")).as_deref(),
            span["name"]
                .as_str()
                .filter(|n| n.starts_with("tools/call")),
            "{span}"
        );
        assert_eq!(
            string_attribute(span, "gen_ai.operation.name"),
            tool.map(|_| "execute_tool")
        );
    }
    let named =
        |name: &str| -> Vec<&Value> { mcp.iter().copied().filter(|s| s["name"] == name).collect() };
    let broken = named("tools/call broken")[0];
    assert_eq!(string_attribute(broken, "error.type"), Some("-32603"));
    assert_eq!(
        string_attribute(broken, "rpc.response.status_code"),
        Some("-32603")
    );
    assert_eq!(broken["status"]["code"], "STATUS_CODE_ERROR");
    assert_eq!(broken["status"]["message"], "the database is down");
    let unknown = named("tools/call nope")[0];
    assert_eq!(
        string_attribute(unknown, "error.type"),
        None,
        "the caller's mistake"
    );
    assert_eq!(
        string_attribute(unknown, "rpc.response.status_code"),
        Some("-32602")
    );
    assert_eq!(unknown["status"]["code"], "STATUS_CODE_UNSET");

    // The remote parent: one of the two good calls is in the client's trace, under the client's span.
    let (trace, parent) = (&TRACEPARENT[3..35], &TRACEPARENT[36..52]);
    let children: Vec<&Value> = named("tools/call add")
        .into_iter()
        .filter(|s| s["trace_id"] == trace)
        .collect();
    assert_eq!(children.len(), 1, "{mcp:#?}");
    assert_eq!(children[0]["parent_span_id"], parent);
    for span in mcp.iter().filter(|s| s["trace_id"] != trace) {
        assert_eq!(span["parent_span_id"], "", "a root span: {span}");
    }

    // The ambient context (rmcp's session loop) is a link, not the parent: every request after the handshake links
    // to the same span, in a trace of its own.
    let links: Vec<&Value> = mcp
        .iter()
        .filter(|s| s["name"] != "initialize")
        .map(|s| {
            let links = s["links"].as_array().expect("links");
            assert_eq!(links.len(), 1, "one link to the ambient span: {s}");
            &links[0]
        })
        .collect();
    assert!(links.windows(2).all(|pair| pair[0] == pair[1]), "{links:?}");
    assert!(
        mcp.iter().all(|s| s["trace_id"] != links[0]["trace_id"]),
        "the session loop is no request's parent"
    );

    // The histogram: its name and unit, and one count per request.
    let histograms: Vec<&Value> = decoded
        .iter()
        .filter(|line| {
            line["signal"] == "metric" && line["name"] == "mcp.server.operation.duration"
        })
        .collect();
    assert_eq!(histograms.len(), 1, "{decoded:#?}");
    let histogram = histograms[0];
    assert_eq!(histogram["unit"], "s");
    assert_eq!(histogram["data"], "histogram");
    assert_eq!(histogram["scope"], "patchwork-runtime");
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for point in histogram["points"].as_array().expect("points") {
        let attributes = &point["attributes"];
        let key = [
            attributes["mcp.method.name"]["value"].as_str(),
            attributes["gen_ai.tool.name"]["value"].as_str(),
            attributes["error.type"]["value"].as_str(),
        ]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
        assert!(attributes.get("jsonrpc.request.id").is_none());
        assert!(attributes.get("mcp.session.id").is_none());
        *counts.entry(key).or_default() += point["count"].as_u64().expect("a count");
    }
    let expected: BTreeMap<String, u64> = [
        ("initialize", 1),
        ("tools/list", 1),
        ("tools/call add", 2),
        ("tools/call broken -32603", 1),
        // A tool the server does not have is counted as `_OTHER`: clients cannot make series at will.
        ("tools/call _OTHER", 1),
    ]
    .into_iter()
    .map(|(key, count)| (key.to_owned(), count))
    .collect();
    assert_eq!(counts, expected);
}

//! The `mcp.server.operation.duration` histogram of a watched rmcp server against the OpenTelemetry conventions for
//! MCP (our extract, `otel/mcp_conventions.json`). The watcher records it through the *global* meter provider,
//! made into a histogram once per process on first use: this binary holds this one test, which sets the global
//! provider (the SDK's, with the in-memory exporter) before any request.
#![cfg(feature = "otel")]

mod common;
mod otel;

use std::collections::BTreeMap;

use opentelemetry::Value;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use otel::{Conventions, Seen, Step};

/// What tells the histogram's data points apart in this scenario: method, tool or prompt, `error.type`,
/// `rpc.response.status_code`.
type Point = (String, Option<String>, Option<String>, Option<String>);

fn expected_point(conventions: &Conventions, step: &Step) -> Point {
    let code = match &step.seen {
        Seen::Error { code, .. } => Some(code.to_string()),
        Seen::Result { .. } => None,
    };
    let target = if step.unknown_target() {
        Some("_OTHER".to_owned())
    } else {
        step.target.clone()
    };
    (
        step.method.to_owned(),
        target,
        conventions.error_type(step),
        code,
    )
}

#[tokio::test]
async fn the_duration_histogram_has_one_point_per_method_tool_and_error_type_with_the_conventions_attributes()
 {
    let conventions = Conventions::load();
    let exporter = InMemoryMetricExporter::default();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    opentelemetry::global::set_meter_provider(provider.clone());

    let client = otel::connect().await;
    let steps = otel::scenario(&client).await;
    let version = otel::negotiated(&client);
    client.cancel().await.expect("the client stops");
    provider.force_flush().expect("the reader exports");

    let exported = exporter.get_finished_metrics().expect("the metrics");
    let metrics: Vec<_> = exported
        .iter()
        .flat_map(|resource| resource.scope_metrics())
        .flat_map(|scope| scope.metrics())
        .filter(|metric| metric.name() == conventions.metric.name)
        .collect();
    assert_eq!(
        metrics.len(),
        1,
        "one export of {}",
        conventions.metric.name
    );
    let metric = metrics[0];
    assert_eq!(metric.unit(), conventions.metric.unit);
    assert_eq!(conventions.metric.instrument, "histogram");
    let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = metric.data() else {
        panic!("not an f64 histogram: {:?}", metric.data());
    };

    let mut points: BTreeMap<Point, u64> = BTreeMap::new();
    for point in histogram.data_points() {
        let attributes: BTreeMap<&str, String> = point
            .attributes()
            .map(|kv| {
                let Value::String(value) = &kv.value else {
                    panic!("{} is not a string: {:?}", kv.key, kv.value);
                };
                (kv.key.as_str(), value.to_string())
            })
            .collect();
        for key in attributes.keys() {
            assert!(
                conventions.metric_allows(key),
                "{key} is not an attribute of the metric"
            );
        }
        for never in ["mcp.session.id", "jsonrpc.request.id", "mcp.resource.uri"] {
            assert!(
                !attributes.contains_key(never),
                "{never}: high cardinality, or opt-in"
            );
        }
        let method = attributes
            .get("mcp.method.name")
            .cloned()
            .expect("mcp.method.name is required");
        assert!(conventions.methods.contains(&method), "{method}");
        assert_eq!(
            attributes.get("gen_ai.operation.name").map(String::as_str),
            (method == "tools/call").then_some("execute_tool"),
            "{attributes:?}"
        );
        assert_eq!(
            attributes.get("mcp.protocol.version"),
            Some(&version),
            "the version used, as negotiated: {attributes:?}"
        );
        let target = attributes
            .get("gen_ai.tool.name")
            .or(attributes.get("gen_ai.prompt.name"))
            .cloned();
        let key = (
            method,
            target,
            attributes.get("error.type").cloned(),
            attributes.get("rpc.response.status_code").cloned(),
        );
        assert!(point.min().is_some_and(|min| min >= 0.0));
        let previous = points.insert(key.clone(), point.count());
        assert_eq!(previous, None, "two data points for {key:?}");
    }

    let mut expected: BTreeMap<Point, u64> = BTreeMap::new();
    for step in &steps {
        *expected
            .entry(expected_point(&conventions, step))
            .or_default() += 1;
    }
    assert_eq!(points, expected);
    provider.shutdown().expect("the provider stops");
}

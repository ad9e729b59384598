"""An OTLP/HTTP receiver for patchwork's end-to-end telemetry test (tests/tests/otel_otlp.rs).

Listens on 127.0.0.1 on a port the system picks, prints {"port": N} first, then accepts POST /v1/traces and
/v1/metrics (binary protobuf), decodes each body with the official OpenTelemetry protobuf bindings
(`opentelemetry-proto`, pinned in requirements.txt) and prints what it decoded, one JSON object a line: a span, or
a histogram's data points. It answers every export with an empty success response. It stops when its stdin
closes, printing {"done": true} last, so every line before that one has been written.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

PRINT = threading.Lock()


def emit(record):
    with PRINT:
        print(json.dumps(record, sort_keys=True), flush=True)


def value_of(any_value):
    """An AnyValue as JSON: its one set field, with its protobuf type name."""
    kind = any_value.WhichOneof("value")
    value = getattr(any_value, kind) if kind else None
    if kind in ("array_value", "kvlist_value", "bytes_value"):
        value = str(value)
    return {"type": kind, "value": value}


def attributes_of(key_values):
    return {kv.key: value_of(kv.value) for kv in key_values}


def traces(body, content_type):
    request = trace_service_pb2.ExportTraceServiceRequest()
    request.ParseFromString(body)
    for resource_spans in request.resource_spans:
        resource = attributes_of(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                emit(
                    {
                        "signal": "span",
                        "content_type": content_type,
                        "service": resource.get("service.name", {}).get("value"),
                        "scope": scope_spans.scope.name,
                        "name": span.name,
                        "kind": trace_pb2.Span.SpanKind.Name(span.kind),
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "trace_state": span.trace_state,
                        "links": [
                            {"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex()}
                            for link in span.links
                        ],
                        "attributes": attributes_of(span.attributes),
                        "status": {
                            "code": trace_pb2.Status.StatusCode.Name(span.status.code),
                            "message": span.status.message,
                        },
                    }
                )
    return trace_service_pb2.ExportTraceServiceResponse()


def metrics(body, content_type):
    request = metrics_service_pb2.ExportMetricsServiceRequest()
    request.ParseFromString(body)
    for resource_metrics in request.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                data = metric.WhichOneof("data")
                points = []
                if data == "histogram":
                    points = [
                        {
                            "attributes": attributes_of(point.attributes),
                            "count": point.count,
                            "sum": point.sum,
                            "bounds": list(point.explicit_bounds),
                        }
                        for point in metric.histogram.data_points
                    ]
                emit(
                    {
                        "signal": "metric",
                        "content_type": content_type,
                        "scope": scope_metrics.scope.name,
                        "name": metric.name,
                        "unit": metric.unit,
                        "data": data,
                        "points": points,
                    }
                )
    return metrics_service_pb2.ExportMetricsServiceResponse()


ROUTES = {"/v1/traces": traces, "/v1/metrics": metrics}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        route = ROUTES.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            response = route(body, self.headers.get("Content-Type")).SerializeToString()
        except Exception as error:  # a body the bindings cannot decode fails the test, loudly
            emit({"signal": "error", "path": self.path, "error": repr(error)})
            self.send_error(400)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(response)))
        self.end_headers()
        self.wfile.write(response)

    def log_message(self, format, *args):  # keep stderr for failures
        pass


def main():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    emit({"port": server.server_address[1]})
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    sys.stdin.read()
    server.shutdown()
    server.server_close()
    emit({"done": True})


if __name__ == "__main__":
    main()

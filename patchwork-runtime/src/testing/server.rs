//! The collector's HTTP side: its shared state, the scripted answers, and the hyper service that routes
//! requests the way the wire contract says.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::TcpListener as StdTcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

use super::collector::RecordedRequest;
use crate::contract::texts::{FEEDBACK_PATH, HEARTBEAT_PATH};

/// Largest request body the collector reads (larger bodies get `413`).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A scripted answer to the next request, before the normal routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scripted {
    Status(u16),
    RateLimited(u64),
    NeverAnswer,
}

#[derive(Debug, Default)]
pub(super) struct Script {
    /// Runs of scripted answers: (answer, how many more requests get it).
    pub(super) next: VecDeque<(Scripted, usize)>,
    pub(super) delay: Duration,
}

impl Script {
    pub(super) fn take_next(&mut self) -> Option<Scripted> {
        let (answer, remaining) = self.next.front_mut()?;
        let answer = *answer;
        *remaining -= 1;
        if *remaining == 0 {
            self.next.pop_front();
        }
        Some(answer)
    }
}

#[derive(Debug)]
pub(super) struct State {
    pub(super) api_key: Option<String>,
    pub(super) script: Mutex<Script>,
    pub(super) requests: Mutex<Vec<RecordedRequest>>,
    pub(super) received: watch::Sender<usize>,
    pub(super) accepted: AtomicUsize,
}

pub(super) use crate::sync::lock;

pub(super) async fn serve(
    listener: StdTcpListener,
    state: Arc<State>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopped: oneshot::Receiver<()>,
) -> Option<StdTcpListener> {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "collector could not start");
            return None;
        }
    };
    // Dropping the set at shutdown aborts every connection, answered or not.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                let tls = tls.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| answer(Arc::clone(&state), request));
                    let http = http1::Builder::new();
                    match tls {
                        // A client that does not trust the certificate fails the handshake: nothing is recorded.
                        Some(tls) => {
                            if let Ok(stream) = tls.accept(stream).await {
                                let _ = http.serve_connection(TokioIo::new(stream), service).await;
                            }
                        }
                        None => {
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Every connection ends with the set; the listener goes back to the caller (a restart serves on it again).
    drop(connections);
    listener.into_std().ok()
}

type Reply = Response<Full<Bytes>>;

async fn answer(state: Arc<State>, request: Request<Incoming>) -> Result<Reply, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = Limited::new(request.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
        .map(|collected| collected.to_bytes());
    let (scripted, delay) = {
        let mut script = lock(&state.script);
        (script.take_next(), script.delay)
    };
    let reply = match (&body, scripted) {
        (_, Some(Scripted::NeverAnswer)) => None,
        (_, Some(Scripted::Status(status))) => {
            Some(json_reply(status, json!({"error": "scripted failure"})))
        }
        (_, Some(Scripted::RateLimited(secs))) => {
            let mut reply = json_reply(429, json!({"error": "rate limited"}));
            if let Ok(value) = secs.to_string().parse() {
                reply.headers_mut().insert(RETRY_AFTER, value);
            }
            Some(reply)
        }
        (Err(_), None) => Some(json_reply(413, json!({"error": "body too large"}))),
        (Ok(_), None) => Some(route(&state, &method, &path, authorization.as_deref())),
    };
    let body = match body {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        Err(_) => Value::Null,
    };
    lock(&state.requests).push(RecordedRequest {
        method: method.to_string(),
        path: path.clone(),
        headers,
        body,
        status: reply.as_ref().map(|r| r.status().as_u16()),
    });
    state.received.send_modify(|n| *n += 1);
    tracing::info!(target: "patchwork_runtime::collector", %method, %path, status = ?reply.as_ref().map(|r| r.status().as_u16()), "collector request");
    let Some(reply) = reply else {
        // Scripted silence: hold the connection until the client or shutdown ends it.
        return std::future::pending().await;
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(reply)
}

fn route(state: &State, method: &Method, path: &str, authorization: Option<&str>) -> Reply {
    if path != FEEDBACK_PATH && path != HEARTBEAT_PATH {
        return json_reply(404, json!({"error": "not found"}));
    }
    if method != Method::POST {
        return json_reply(405, json!({"error": "method not allowed"}));
    }
    if let Some(key) = &state.api_key {
        let expected = format!("Bearer {key}");
        if authorization != Some(expected.as_str()) {
            return json_reply(401, json!({"error": "invalid API key"}));
        }
    }
    if path == HEARTBEAT_PATH {
        return json_reply(200, json!({"status": "ok"}));
    }
    let id = state.accepted.fetch_add(1, Ordering::Relaxed) + 1;
    json_reply(201, json!({"id": format!("fb_{id}"), "status": "received"}))
}

fn json_reply(status: u16, body: Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    reply.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    reply
}

//! The routes: each handler asks an actor, with a deadline, and turns the
//! answer, or the actor's error, into a response.

use std::time::{Duration, Instant};

use std::sync::Arc;

use actor_core::Request;
use actor_core::metrics::Exporter;
use actor_core::prelude::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request as HttpRequest, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusRecorder;
use tokio::sync::watch;

use super::counter::CounterHandle;
use super::error::ApiError;
use super::store::{Put, StoreHandle};
use super::{Config, Log, Tally};

/// What every handler reaches: the actors' handles (cheap to clone) and the settings.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) system: System,
    pub(crate) counter: CounterHandle,
    pub(crate) store: StoreHandle,
    pub(crate) config: Config,
    pub(crate) log: Log,
    pub(crate) tally: Tally,
    /// Ends the store's stalls (see [`Store::stall`](super::Store::stall)).
    pub(crate) release_stalls: watch::Sender<()>,
    /// Reports the actors' metrics to `prometheus`.
    pub(crate) exporter: Exporter,
    /// Renders what it was told in the Prometheus text format.
    pub(crate) prometheus: Arc<PrometheusRecorder>,
}

impl AppState {
    /// Load shedding: refuses a request when the actor already has
    /// `max_queue` requests waiting, rather than queueing one more that would
    /// probably time out anyway.
    fn admit<H: ActorHandle>(&self, handle: &H) -> Result<(), ApiError> {
        let queued = handle.actor_ref().mailbox_len();
        if queued >= self.config.max_queue {
            return Err(ApiError::Busy {
                actor: <H::Actor as Actor>::NAME,
                queued,
            });
        }
        Ok(())
    }

    /// Asks with the service's deadline.
    async fn ask<A, R, F>(&self, request: Request<'_, A, R, F>) -> Result<R, ApiError>
    where
        A: Actor,
        F: FnOnce(Reply<R>) -> A::Message,
    {
        request
            .timeout(self.config.ask_timeout)
            .await
            .map_err(|e| ApiError::ask(A::NAME, e))
    }
}

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/counter", get(get_counter))
        .route("/counter/incr", post(incr_counter))
        .route("/kv", get(list_keys))
        .route(
            "/kv/{key}",
            get(get_value).put(put_value).delete(delete_value),
        )
        .route("/stats", get(stats))
        .route("/metrics", get(prometheus_metrics))
        .route("/chaos/crash-counter", post(crash_counter))
        .route("/chaos/stall-store", post(stall_store))
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .with_state(state)
}

/// `GET /counter`: the count.
async fn get_counter(State(s): State<AppState>) -> Result<String, ApiError> {
    s.admit(&s.counter)?;
    let count = s.ask(s.counter.get()).await?;
    Ok(format!("{count}\n"))
}

/// `POST /counter/incr?by=N` (N defaults to 1): adds N, answers the new count.
async fn incr_counter(
    State(s): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<String, ApiError> {
    let by = match query_param(query.as_deref(), "by") {
        None => 1,
        Some(by) => by.parse().map_err(|_| {
            ApiError::BadRequest(format!("`by` must be a whole number, not {by:?}"))
        })?,
    };
    s.admit(&s.counter)?;
    let count = s.ask(s.counter.incr(by)).await??;
    Ok(format!("{count}\n"))
}

/// `GET /kv`: every key, one per line.
async fn list_keys(State(s): State<AppState>) -> Result<String, ApiError> {
    s.admit(&s.store)?;
    let keys = s.ask(s.store.keys()).await?;
    Ok(keys.iter().map(|k| format!("{k}\n")).collect())
}

/// `GET /kv/{key}`: the value, as stored.
async fn get_value(State(s): State<AppState>, Path(key): Path<String>) -> Result<Bytes, ApiError> {
    s.admit(&s.store)?;
    Ok(s.ask(s.store.get(key)).await??)
}

/// `PUT /kv/{key}` with the value as the body: 201 if the key is new, else 200.
async fn put_value(
    State(s): State<AppState>,
    Path(key): Path<String>,
    value: Bytes,
) -> Result<(StatusCode, &'static str), ApiError> {
    s.admit(&s.store)?;
    Ok(match s.ask(s.store.put(key, value)).await?? {
        Put::Created => (StatusCode::CREATED, "created\n"),
        Put::Replaced => (StatusCode::OK, "replaced\n"),
    })
}

/// `DELETE /kv/{key}`: 204, or 404 if there was no such key.
async fn delete_value(
    State(s): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.admit(&s.store)?;
    s.ask(s.store.delete(key)).await??;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /stats`: per actor type, from the system's metrics.
async fn stats(State(s): State<AppState>) -> String {
    let metrics = s.system.metrics();
    let mut text = String::new();
    for name in ["Counter", "Store"] {
        if let Some(m) = metrics.actor_type(name) {
            text += &format!(
                "{name}: alive {}, handled {}, queued {}, panics {}, restarts {}\n",
                m.alive, m.handled, m.mailbox_depth, m.panics, m.restarts
            );
        }
    }
    text
}

/// `GET /metrics`: the actors' metrics in the Prometheus text format, for a
/// Prometheus server to scrape.
///
/// Exported at each scrape, so the figures are those of the moment. The
/// recorder is this service's own, used as the thread's recorder for the
/// export (several services, as in the tests, each keep theirs); a program
/// with metrics of its own would install it as the global recorder instead
/// (`PrometheusBuilder::install_recorder`) and call `exporter.export()` the
/// same way.
async fn prometheus_metrics(State(s): State<AppState>) -> impl IntoResponse {
    metrics::with_local_recorder(&*s.prometheus, || s.exporter.export());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.prometheus.handle().render(),
    )
}

/// `POST /chaos/crash-counter`: makes the counter panic. The request gets
/// 500; the supervisor restarts the counter, from zero.
async fn crash_counter(State(s): State<AppState>) -> Result<String, ApiError> {
    s.admit(&s.counter)?;
    s.ask(s.counter.crash()).await?;
    Ok("the counter did not crash\n".to_owned())
}

/// `POST /chaos/stall-store?ms=N`: the store sleeps N ms (at most 60 000)
/// without taking requests, or until the service shuts down. Answers 202 as
/// soon as the store has begun to stall.
async fn stall_store(
    State(s): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<(StatusCode, String), ApiError> {
    let ms: u64 =
        match query_param(query.as_deref(), "ms") {
            None => 5_000,
            Some(ms) => ms.parse().ok().filter(|ms| *ms <= 60_000).ok_or_else(|| {
                ApiError::BadRequest(format!("`ms` must be 0 to 60000, not {ms:?}"))
            })?,
        };
    s.admit(&s.store)?;
    let released = s.release_stalls.subscribe();
    s.ask(s.store.stall(Duration::from_millis(ms), released))
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        format!("the store stalls for {ms} ms\n"),
    ))
}

/// The value of `name` in a query string, as given (no percent-decoding:
/// the parameters here are numbers).
fn query_param<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Logs one line per request with its status and time, and counts statuses.
async fn log_request(State(s): State<AppState>, request: HttpRequest, next: Next) -> Response {
    let started = Instant::now();
    let line = format!("{} {}", request.method(), request.uri());
    let response = next.run(request).await;
    let status = response.status();
    s.tally.record(status);
    s.log.line(format_args!(
        "{line} -> {status} ({:.1} ms)",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    response
}

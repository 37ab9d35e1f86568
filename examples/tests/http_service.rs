//! `http_service` on 127.0.0.1 (a free port), driven by a real HTTP client
//! over loopback: each route's success, each mapped error's status code and
//! body, the actors' metrics in the Prometheus text format, and a graceful
//! shutdown that answers the requests in flight.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core_examples::http_service::{self, Config, Limits, Summary};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Bounds a wait that only a broken server makes long: a failure, not a sleep.
const HANG: Duration = Duration::from_secs(20);

/// Small limits, so that every limit is quick to reach. The ask deadline is
/// only a bound on a broken actor: no answer here may depend on how fast the
/// machine is (a panic reported with `RUST_BACKTRACE=1` on a loaded machine
/// takes a while). The timeout test sets its own.
fn config() -> Config {
    Config {
        ask_timeout: HANG,
        max_queue: 2,
        max_step: u64::MAX,
        limits: Limits {
            max_keys: 3,
            max_key: 16,
            max_value: 16,
        },
        max_restarts: 3,
        restart_window: Duration::from_secs(60),
    }
}

/// What the server printed, shared with the test.
#[derive(Clone, Default)]
struct Printed(Arc<Mutex<Vec<u8>>>);

impl Write for Printed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Printed {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A response, read whole.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// The service running in the test's runtime, and a client for it.
struct Server {
    url: String,
    client: Client<HttpConnector, Full<Bytes>>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<Summary>>,
    printed: Printed,
}

impl Server {
    async fn start(config: Config) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let printed = Printed::default();
        let task = tokio::spawn(http_service::serve(
            listener,
            config,
            async move {
                let _ = stopped.await;
            },
            printed.clone(),
        ));
        Server {
            url,
            client: Client::builder(TokioExecutor::new()).build_http(),
            stop,
            task,
            printed,
        }
    }

    async fn call(&self, method: Method, path: &str, body: &str) -> Answer {
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url))
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = tokio::time::timeout(HANG, self.client.request(request))
            .await
            .expect("the server answers")
            .expect("a response");
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &hyper::header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let retry_after = header("retry-after");
        let content_type = header("content-type");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            retry_after,
            content_type,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, "").await
    }

    async fn post(&self, path: &str) -> Answer {
        self.call(Method::POST, path, "").await
    }

    async fn put(&self, path: &str, body: &str) -> Answer {
        self.call(Method::PUT, path, body).await
    }

    async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, "").await
    }

    /// Waits until `GET /stats` shows what `shows` looks for (a line of it,
    /// such as the store's queue length): the way to await an actor's state
    /// from outside. Bounded only against a broken server.
    async fn wait_for_stats(&self, shows: impl Fn(&str) -> bool) {
        tokio::time::timeout(HANG, async {
            loop {
                let stats = self.get("/stats").await.body;
                if stats.lines().any(&shows) {
                    return;
                }
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("/stats showed the state awaited");
    }

    /// Shuts the server down and returns its summary and what it printed.
    async fn stop(self) -> (Summary, String) {
        self.stop.send(()).unwrap();
        let summary = tokio::time::timeout(HANG, self.task)
            .await
            .expect("the server stops")
            .expect("the server task did not panic")
            .expect("the server ran without error");
        (summary, self.printed.text())
    }
}

#[track_caller]
fn assert_answer(answer: &Answer, status: u16, body: &str) {
    assert_eq!(
        (answer.status.as_u16(), answer.body.as_str()),
        (status, body),
        "{answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_counts_and_its_errors_have_their_status_codes() {
    let server = Server::start(config()).await;

    assert_answer(&server.get("/counter").await, 200, "0\n");
    assert_answer(&server.post("/counter/incr?by=5").await, 200, "5\n");
    assert_answer(&server.post("/counter/incr").await, 200, "6\n");
    assert_answer(
        &server.post("/counter/incr?by=abc").await,
        400,
        "`by` must be a whole number, not \"abc\"\n",
    );
    assert_answer(
        &server.post("/counter/incr?by=0").await,
        422,
        "the step must be between 1 and 18446744073709551615, not 0\n",
    );
    assert_answer(
        &server.post(&format!("/counter/incr?by={}", u64::MAX)).await,
        409,
        "adding 18446744073709551615 to 6 would overflow the counter\n",
    );
    assert_answer(&server.get("/counter").await, 200, "6\n");
    assert_eq!(server.delete("/counter").await.status, 405);

    let url = server.url.clone();
    let (summary, printed) = server.stop().await;
    assert_eq!(summary.requests, 8);
    assert_eq!(
        summary.statuses.into_iter().collect::<Vec<_>>(),
        [(200, 4), (400, 1), (405, 1), (409, 1), (422, 1)]
    );
    assert!(
        printed.starts_with(&format!("http_service listening on {url}")),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("curl -X POST '{url}/counter/incr?by=5'")),
        "{printed}"
    );
    assert!(
        printed.contains("POST /counter/incr?by=0 -> 422 Unprocessable Entity"),
        "{printed}"
    );
    assert!(
        printed.contains("shutting down: answering the requests in flight"),
        "{printed}"
    );
    assert!(
        printed
            .trim_end()
            .ends_with("stopped after 8 requests: 200 x4, 400 x1, 405 x1, 409 x1, 422 x1"),
        "{printed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_stores_and_its_errors_have_their_status_codes() {
    let server = Server::start(config()).await;

    assert_answer(&server.put("/kv/a", "1").await, 201, "created\n");
    assert_answer(&server.put("/kv/a", "one").await, 200, "replaced\n");
    assert_answer(&server.get("/kv/a").await, 200, "one");
    assert_answer(&server.get("/kv").await, 200, "a\n");
    assert_answer(&server.delete("/kv/a").await, 204, "");
    assert_answer(&server.get("/kv/a").await, 404, "no key \"a\"\n");
    assert_answer(&server.delete("/kv/a").await, 404, "no key \"a\"\n");

    assert_answer(
        &server.put("/kv/big", "seventeen bytes!!").await,
        413,
        "the value is 17 bytes long; the limit is 16\n",
    );
    assert_answer(
        &server.put("/kv/a-key-that-is-too-long", "x").await,
        400,
        "the key is 22 bytes long; the limit is 16\n",
    );
    for key in ["b", "c", "d"] {
        assert_eq!(server.put(&format!("/kv/{key}"), key).await.status, 201);
    }
    assert_answer(
        &server.put("/kv/e", "e").await,
        507,
        "the store is full (3 keys); delete some first\n",
    );
    assert_answer(&server.put("/kv/b", "B").await, 200, "replaced\n");
    assert_answer(&server.get("/kv").await, 200, "b\nc\nd\n");
    assert_eq!(server.get("/no-such-route").await.status, 404);

    let (summary, _) = server.stop().await;
    assert_eq!(summary.requests, 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_counter_answers_500_restarts_from_zero_and_is_given_up_after_too_many_crashes()
{
    let server = Server::start(config()).await;

    assert_answer(&server.post("/counter/incr?by=5").await, 200, "5\n");
    let crash = "the Counter actor failed while handling the request\n";
    assert_answer(&server.post("/chaos/crash-counter").await, 500, crash);
    // Restarted by its supervisor: same handle, fresh state.
    assert_answer(&server.get("/counter").await, 200, "0\n");
    // (Only the counts that cannot lag: an actor counts a message handled
    // just after its reply is sent.)
    let stats = server.get("/stats").await.body;
    assert!(stats.contains("Counter: alive 1,"), "{stats}");
    assert!(stats.contains("panics 1, restarts 1\n"), "{stats}");

    // Three restarts are allowed within the window; the fourth crash is one too many.
    for _ in 0..3 {
        assert_answer(&server.post("/chaos/crash-counter").await, 500, crash);
    }
    // The supervisor gave up: the counter is stopped for good (a request
    // queued while it was deciding is dropped instead: 503 either way).
    assert_eq!(server.get("/counter").await.status, 503);
    let stopped = server.get("/counter").await;
    assert_answer(&stopped, 503, "the Counter actor is stopped\n");
    assert_eq!(
        stopped.retry_after, None,
        "stopped for good: no point retrying soon"
    );
    // The store has its own supervisor and is unaffected.
    assert_answer(&server.put("/kv/still", "here").await, 201, "created\n");

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_store_times_out_with_504_then_sheds_load_with_503() {
    let server = Server::start(Config {
        ask_timeout: Duration::from_millis(200),
        ..config()
    })
    .await;

    assert_answer(
        &server.post("/chaos/stall-store?ms=abc").await,
        400,
        "`ms` must be 0 to 60000, not \"abc\"\n",
    );
    // Answered once the store stalls; the stall lasts until the server
    // stops (a minute at most), so every request below queues behind it
    // however slow the machine.
    assert_answer(
        &server.post("/chaos/stall-store?ms=60000").await,
        202,
        "the store stalls for 60000 ms\n",
    );
    let timeout = "the Store actor did not answer within 200ms\n";
    assert_answer(&server.get("/kv/a").await, 504, timeout);
    // The timed-out request is still queued at the store; one more fills the queue.
    assert_answer(&server.get("/kv/b").await, 504, timeout);
    let busy = server.get("/kv/c").await;
    assert_answer(
        &busy,
        503,
        "the Store actor is busy (2 requests queued); retry later\n",
    );
    assert_eq!(busy.retry_after.as_deref(), Some("1"));
    // The counter is another actor: it answers at once.
    assert_answer(&server.get("/counter").await, 200, "0\n");

    let (summary, _) = server.stop().await;
    assert_eq!(summary.statuses.get(&504), Some(&2));
    assert_eq!(summary.statuses.get(&503), Some(&1));
}

/// The samples of a Prometheus text exposition: `series{labels}` → value.
fn samples(text: &str) -> BTreeMap<&str, &str> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.rsplit_once(' ').expect("a sample line: series value"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_actors_metrics_are_served_in_the_prometheus_text_format() {
    let server = Server::start(config()).await;
    for by in 1..=3 {
        assert_eq!(
            server.post(&format!("/counter/incr?by={by}")).await.status,
            200
        );
    }
    assert_eq!(server.post("/chaos/crash-counter").await.status, 500);
    // Answered by the restarted counter: the panic and the restart are counted.
    assert_answer(&server.get("/counter").await, 200, "0\n");
    assert_eq!(server.put("/kv/a", "1").await.status, 201);
    assert_eq!(server.get("/kv/a").await.status, 200);
    // The store stalls (it has counted every message before), and a request
    // waits in its mailbox.
    assert_eq!(server.post("/chaos/stall-store?ms=60000").await.status, 202);
    let queued = {
        let (client, url) = (server.client.clone(), server.url.clone());
        tokio::spawn(async move {
            let request = hyper::Request::get(format!("{url}/kv/a"))
                .body(Full::new(Bytes::new()))
                .unwrap();
            client.request(request).await.map(|r| r.status())
        })
    };
    server
        .wait_for_stats(|l| l.starts_with("Store:") && l.contains("queued 1,"))
        .await;

    let scrape = server.get("/metrics").await;
    assert_eq!(scrape.status, 200);
    assert_eq!(
        scrape.content_type.as_deref(),
        Some("text/plain; version=0.0.4")
    );
    let text = &scrape.body;
    for line in [
        "# TYPE actor_core_actors_alive gauge",
        "# TYPE actor_core_messages_handled_total counter",
        "# HELP actor_core_panics_total Panics in handlers and hooks, per actor type.",
        "# TYPE actor_core_mailbox_depth gauge",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "{line:?} missing in:\n{text}"
        );
    }
    let samples = samples(text);
    let sample = |series: &str| {
        samples
            .get(series)
            .unwrap_or_else(|| panic!("{series} missing in:\n{text}"))
            .parse::<f64>()
            .unwrap()
    };
    assert_eq!(sample(r#"actor_core_actors_alive{actor="Counter"}"#), 1.0);
    assert_eq!(
        sample(r#"actor_core_actors_spawned_total{actor="Counter"}"#),
        1.0
    );
    assert_eq!(sample(r#"actor_core_panics_total{actor="Counter"}"#), 1.0);
    assert_eq!(sample(r#"actor_core_restarts_total{actor="Counter"}"#), 1.0);
    // The three increments; the last `get` may not be counted yet (a
    // message is counted just after its reply is sent).
    let counter_handled = sample(r#"actor_core_messages_handled_total{actor="Counter"}"#);
    assert!(matches!(counter_handled, 3.0 | 4.0), "{text}");
    assert_eq!(sample(r#"actor_core_actors_alive{actor="Store"}"#), 1.0);
    assert_eq!(sample(r#"actor_core_panics_total{actor="Store"}"#), 0.0);
    // The put and the get, counted before the stall began.
    assert_eq!(
        sample(r#"actor_core_messages_handled_total{actor="Store"}"#),
        2.0
    );
    assert_eq!(sample(r#"actor_core_mailbox_depth{actor="Store"}"#), 1.0);
    assert_eq!(
        sample(r#"actor_core_mailbox_depth_max{actor="Store"}"#),
        1.0
    );
    // One supervisor each.
    assert_eq!(
        sample(r#"actor_core_actors_alive{actor="Supervisor"}"#),
        2.0
    );

    server.stop().await;
    assert_eq!(queued.await.unwrap().unwrap(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_answers_the_requests_in_flight() {
    let server = Server::start(Config {
        ask_timeout: Duration::from_secs(10),
        ..config()
    })
    .await;
    // Answered once the store stalls: the stall ends when the server starts
    // shutting down, so the request below waits for the shutdown.
    assert_eq!(server.post("/chaos/stall-store?ms=60000").await.status, 202);

    let in_flight = {
        let (client, url) = (server.client.clone(), server.url.clone());
        tokio::spawn(async move {
            let request = hyper::Request::get(format!("{url}/kv/x"))
                .body(Full::new(Bytes::new()))
                .unwrap();
            client.request(request).await.map(|r| r.status())
        })
    };
    // Wait until the request has reached the store (queued behind the stall):
    // the server has it in hand.
    server
        .wait_for_stats(|l| l.starts_with("Store:") && l.contains("queued 1,"))
        .await;

    let (summary, printed) = server.stop().await;
    // Answered, not cut off: a dropped connection would be an error here.
    assert_eq!(in_flight.await.unwrap().unwrap(), StatusCode::NOT_FOUND);
    assert_eq!(summary.statuses.get(&404), Some(&1));
    let shutting_down = printed.find("shutting down").unwrap();
    let answered = printed.find("GET /kv/x -> 404 Not Found").unwrap();
    assert!(shutting_down < answered, "{printed}");
}

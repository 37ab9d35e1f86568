//! The harness against real nats-server processes and a real client.

use std::time::{Duration, Instant};

use async_nats::{Client, ConnectErrorKind, ConnectOptions, Event};
use futures::StreamExt;
use nats_harness::{HarnessError, NatsCluster, NatsServer};
use tokio::sync::mpsc;

/// Generous bound on anything that takes milliseconds on an idle machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// Answers every request on `subject` with "pong: <payload>", until the
/// client closes.
async fn serve(client: &Client, subject: &str) {
    let mut requests = client.subscribe(subject.to_owned()).await.unwrap();
    client.flush().await.unwrap();
    let client = client.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            if let Some(reply) = request.reply {
                let answer = [b"pong: ".as_slice(), &request.payload].concat();
                let _ = client.publish(reply, answer.into()).await;
            }
        }
    });
}

/// A request that answers, retried while no responder is known yet (the
/// interest of a subscriber on another server travels over a route).
async fn request_until_answered(client: &Client, subject: &str, payload: &str) -> String {
    let started = Instant::now();
    loop {
        let attempt = tokio::time::timeout(
            Duration::from_secs(2),
            client.request(subject.to_owned(), payload.to_owned().into()),
        )
        .await;
        match attempt {
            Ok(Ok(reply)) => return String::from_utf8(reply.payload.to_vec()).unwrap(),
            failed => assert!(
                started.elapsed() < PATIENCE,
                "no answer on {subject} within {PATIENCE:?}: last {failed:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Whether a process with this id exists.
fn process_exists(pid: u32) -> bool {
    let pid = rustix::process::Pid::from_raw(pid as i32).unwrap();
    rustix::process::test_kill_process(pid).is_ok()
}

#[tokio::test]
async fn one_server_answers_requests_and_delivers_publishes() {
    let server = NatsServer::start().unwrap();
    assert_eq!(server.url(), format!("nats://127.0.0.1:{}", server.port()));
    let responder = async_nats::connect(server.url()).await.unwrap();
    serve(&responder, "svc.echo").await;
    let client = async_nats::connect(server.url()).await.unwrap();

    let reply = client.request("svc.echo", "ping".into()).await.unwrap();
    assert_eq!(&reply.payload[..], b"pong: ping");

    let mut events = client.subscribe("events").await.unwrap();
    client.flush().await.unwrap();
    for i in 0..100u32 {
        client
            .publish("events", i.to_string().into())
            .await
            .unwrap();
    }
    for i in 0..100u32 {
        let message = events.next().await.unwrap();
        assert_eq!(&message.payload[..], i.to_string().as_bytes());
    }
}

#[tokio::test]
async fn jetstream_is_on_and_its_store_survives_a_restart_on_the_same_port() {
    let mut server = NatsServer::start().unwrap();
    let port = server.port();
    let first_pid = server.pid();
    let client = async_nats::connect(server.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let kv = js
        .create_key_value(async_nats::jetstream::kv::Config {
            bucket: "registry".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    kv.put("scheduler", "node-a".into()).await.unwrap();

    server.kill();
    assert!(!process_exists(first_pid), "kill left the process running");
    server.restart().unwrap();
    assert_eq!(server.port(), port);
    assert_ne!(server.pid(), first_pid);

    let client = async_nats::connect(server.url()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let kv = js.get_key_value("registry").await.unwrap();
    let entry = kv.get("scheduler").await.unwrap();
    assert_eq!(entry.as_deref(), Some(b"node-a".as_slice()));
}

#[tokio::test]
async fn a_client_of_a_three_server_cluster_survives_killing_its_server() {
    let mut cluster = NatsCluster::start(3).unwrap();
    assert_eq!(cluster.len(), 3);
    assert_eq!(cluster.urls().split(',').count(), 3);

    let (events_tx, mut events) = mpsc::unbounded_channel();
    let client = ConnectOptions::new()
        .event_callback(move |event| {
            let events_tx = events_tx.clone();
            async move {
                let _ = events_tx.send(event);
            }
        })
        .connect(cluster.url_list())
        .await
        .unwrap();
    let client_port = client.server_info().port;
    let victim = (0..3)
        .find(|&i| cluster.server(i).port() == client_port)
        .expect("the client is connected to a member");
    let other = (victim + 1) % 3;
    let responder = async_nats::connect(cluster.server(other).url())
        .await
        .unwrap();
    serve(&responder, "svc.echo").await;
    assert_eq!(
        request_until_answered(&client, "svc.echo", "before").await,
        "pong: before"
    );

    let killed_at = Instant::now();
    cluster.server(victim).kill();
    let reconnected = tokio::time::timeout(PATIENCE, async {
        let mut disconnected = false;
        while let Some(event) = events.recv().await {
            match event {
                Event::Disconnected => disconnected = true,
                Event::Connected if disconnected => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(reconnected.is_ok(), "no reconnection within {PATIENCE:?}");
    eprintln!("reconnected {:?} after the kill", killed_at.elapsed());
    assert_ne!(client.server_info().port, client_port);
    assert_eq!(
        request_until_answered(&client, "svc.echo", "after").await,
        "pong: after"
    );

    // The member comes back into the cluster on its old ports.
    cluster.server(victim).restart().unwrap();
    cluster.wait_formed().unwrap();
}

#[tokio::test]
async fn a_frozen_server_answers_nothing_until_thawed() {
    let mut server = NatsServer::start().unwrap();
    let responder = async_nats::connect(server.url()).await.unwrap();
    serve(&responder, "svc.echo").await;
    let client = async_nats::connect(server.url()).await.unwrap();
    assert_eq!(
        request_until_answered(&client, "svc.echo", "1").await,
        "pong: 1"
    );

    server.freeze();
    let frozen = tokio::time::timeout(
        Duration::from_millis(500),
        client.request("svc.echo", "2".into()),
    )
    .await;
    assert!(frozen.is_err(), "a frozen server answered: {frozen:?}");
    assert!(server.is_running(), "freeze killed the process");

    server.thaw();
    assert_eq!(
        request_until_answered(&client, "svc.echo", "3").await,
        "pong: 3"
    );
}

#[tokio::test]
async fn a_wrong_password_is_rejected_and_the_right_one_accepted() {
    let server = NatsServer::builder()
        .user_password("node", "s3cret")
        .jetstream(false)
        .start()
        .unwrap();

    let wrong = ConnectOptions::with_user_and_password("node".into(), "guess".into())
        .connect(server.url())
        .await;
    assert_eq!(
        wrong.err().map(|e| e.kind()),
        Some(ConnectErrorKind::AuthorizationViolation)
    );
    let none = async_nats::connect(server.url()).await;
    assert_eq!(
        none.err().map(|e| e.kind()),
        Some(ConnectErrorKind::AuthorizationViolation)
    );

    let right = ConnectOptions::with_user_and_password("node".into(), "s3cret".into())
        .connect(server.url())
        .await
        .unwrap();
    serve(&right, "svc.echo").await;
    assert_eq!(
        request_until_answered(&right, "svc.echo", "hi").await,
        "pong: hi"
    );
}

#[test]
fn dropping_a_server_or_a_cluster_leaves_no_process_and_no_files() {
    let server = NatsServer::start().unwrap();
    let (pid, dir) = (server.pid(), server.dir().to_owned());
    assert!(process_exists(pid));
    assert!(dir.join("nats.conf").is_file());
    drop(server);
    assert!(!process_exists(pid), "process {pid} outlived its server");
    assert!(!dir.exists(), "{} outlived its server", dir.display());

    let mut cluster = NatsCluster::start(2).unwrap();
    let pids: Vec<u32> = (0..2).map(|i| cluster.server(i).pid()).collect();
    cluster.server(0).freeze(); // a stopped process dies of SIGKILL too
    drop(cluster);
    for pid in pids {
        assert!(!process_exists(pid), "process {pid} outlived its cluster");
    }
}

#[test]
fn a_test_that_panics_still_stops_its_server() {
    let (pid_tx, pid_rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let server = NatsServer::start().unwrap();
        pid_tx.send(server.pid()).unwrap();
        panic!("the test failed");
    })
    .join();
    assert!(outcome.is_err());
    let pid = pid_rx.recv().unwrap();
    assert!(!process_exists(pid), "process {pid} outlived a panic");
}

#[test]
fn a_server_that_cannot_start_says_why() {
    let error = NatsServer::builder()
        .config_line("this is { not a configuration")
        .start()
        .unwrap_err();
    let HarnessError::Exited { tail, .. } = &error else {
        panic!("expected Exited, got {error:?}");
    };
    assert!(tail.contains("Parse error"), "no server output in: {error}");
}

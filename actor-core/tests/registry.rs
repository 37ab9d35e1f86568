//! Named actors: one actor per name, typed lookups with clear errors, and
//! names freed when (and only when) their own actor stops.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use actor_core::prelude::*;

#[actor]
struct Db {
    url: &'static str,
}

#[actor]
impl Db {
    #[message]
    fn url(&self) -> &'static str {
        self.url
    }
}

#[actor]
struct Cache;

#[actor]
impl Cache {}

/// Panics on `crash`; counts its instances through `generation`.
#[actor]
struct Flaky {
    generation: u32,
}

#[actor]
impl Flaky {
    #[message]
    fn crash(&mut self) {
        panic!("crash on purpose")
    }

    #[message]
    fn generation(&self) -> u32 {
        self.generation
    }
}

#[tokio::test]
async fn a_registered_handle_is_found_by_name_with_its_type() {
    let system = System::new();
    let db = system.spawn(Db { url: "pg://main" });
    system.register("db", &db).unwrap();
    let found: DbHandle = system.lookup("db").unwrap();
    assert_eq!(found.id(), db.id());
    assert_eq!(found.url().await, Ok("pg://main"));
    assert_eq!(system.registered_names(), ["db"]);
}

#[tokio::test]
async fn looking_up_an_unknown_name_fails_with_not_found() {
    let system = System::new();
    let err = system.lookup::<DbHandle>("nobody").unwrap_err();
    assert_eq!(
        err,
        RegistryError::NotFound {
            name: "nobody".into()
        }
    );
    assert_eq!(err.to_string(), "no actor is registered under `nobody`");
}

#[tokio::test]
async fn registering_a_taken_name_fails_with_name_taken_and_the_first_holder_keeps_it() {
    let system = System::new();
    let first = system.spawn(Db { url: "first" });
    let second = system.spawn(Db { url: "second" });
    system.register("db", &first).unwrap();
    assert_eq!(
        system.register("db", &second),
        Err(RegistryError::NameTaken { name: "db".into() })
    );
    assert_eq!(
        system.register("db", &first),
        Err(RegistryError::NameTaken { name: "db".into() }),
        "even for the holder itself"
    );
    let found: DbHandle = system.lookup("db").unwrap();
    assert_eq!(found.id(), first.id());
}

#[tokio::test]
async fn looking_up_with_the_wrong_handle_type_fails_naming_both_types() {
    let system = System::new();
    system
        .register("db", &system.spawn(Db { url: "" }))
        .unwrap();
    let err = system.lookup::<CacheHandle>("db").unwrap_err();
    let RegistryError::WrongType {
        name,
        expected,
        found,
    } = &err
    else {
        panic!("expected WrongType, got {err:?}");
    };
    assert_eq!(name, "db");
    assert!(expected.ends_with("CacheHandle"), "{expected}");
    assert!(found.ends_with("DbHandle"), "{found}");
    let text = err.to_string();
    assert!(
        text.contains("CacheHandle") && text.contains("DbHandle"),
        "{text}"
    );
}

#[tokio::test]
async fn the_name_is_freed_when_the_actor_stops() {
    let system = System::new();
    let db = system.spawn(Db { url: "" });
    system.register("db", &db).unwrap();
    db.stop();
    db.wait_stopped().await;
    assert!(matches!(
        system.lookup::<DbHandle>("db"),
        Err(RegistryError::NotFound { .. })
    ));
    assert!(system.registered_names().is_empty());
    let next = system.spawn(Db { url: "next" });
    system.register("db", &next).unwrap();
    assert_eq!(system.lookup::<DbHandle>("db").unwrap().id(), next.id());
}

#[tokio::test]
async fn a_panicked_actor_frees_its_name() {
    common::quiet_panics();
    let system = System::new();
    let flaky = system.spawn(Flaky { generation: 1 });
    system.register("flaky", &flaky).unwrap();
    flaky.crash().await.unwrap_err();
    flaky.wait_stopped().await;
    assert!(system.lookup::<FlakyHandle>("flaky").is_err());
}

#[tokio::test]
async fn a_name_taken_by_a_new_actor_survives_the_old_actors_stop() {
    let system = System::new();
    let old = system.spawn(Db { url: "old" });
    let new = system.spawn(Db { url: "new" });
    system.register("db", &old).unwrap();
    system.unregister("db").unwrap();
    system.register("db", &new).unwrap();
    old.stop();
    old.wait_stopped().await;
    // The old actor's stop hook ran; the name is still the new actor's.
    assert!(old.stop_reason().is_some());
    let found: DbHandle = system.lookup("db").unwrap();
    assert_eq!(found.id(), new.id());
    assert_eq!(found.url().await, Ok("new"));
}

#[tokio::test]
async fn unregister_frees_the_name_and_the_actor_keeps_running() {
    let system = System::new();
    let db = system.spawn(Db { url: "u" });
    system.register("db", &db).unwrap();
    assert_eq!(system.unregister("db"), Ok(()));
    assert!(system.lookup::<DbHandle>("db").is_err());
    assert_eq!(
        system.unregister("db"),
        Err(RegistryError::NotFound { name: "db".into() })
    );
    assert_eq!(db.url().await, Ok("u"));
}

#[tokio::test]
async fn one_actor_may_hold_several_names_and_loses_them_all_when_it_stops() {
    let system = System::new();
    let db = system.spawn(Db { url: "" });
    system.register("db", &db).unwrap();
    system.register("primary", &db).unwrap();
    assert_eq!(system.registered_names(), ["db", "primary"]);
    db.stop();
    db.wait_stopped().await;
    assert!(system.registered_names().is_empty());
    assert!(system.lookup::<DbHandle>("primary").is_err());
}

#[tokio::test]
async fn registering_a_stopped_actor_fails_with_stopped() {
    let system = System::new();
    let db = system.spawn(Db { url: "" });
    db.stop();
    db.wait_stopped().await;
    assert_eq!(
        system.register("db", &db),
        Err(RegistryError::Stopped { name: "db".into() })
    );
    assert!(system.lookup::<DbHandle>("db").is_err());
}

#[tokio::test]
async fn a_supervised_actor_keeps_its_name_across_restarts() {
    common::quiet_panics();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(5, Duration::from_secs(60));
    let made = Arc::new(AtomicU32::new(0));
    let flaky = tree
        .child(move || Flaky {
            generation: made.fetch_add(1, Ordering::SeqCst) + 1,
        })
        .spawn()
        .unwrap();
    let _tree = system.spawn_supervisor(tree);
    system.register("flaky", &flaky).unwrap();
    flaky.crash().await.unwrap_err();
    let found: FlakyHandle = system.lookup("flaky").unwrap();
    // Queued behind the crash: answered by the restarted instance.
    assert_eq!(found.generation().await, Ok(2));
    assert_eq!(found.id(), flaky.id());
    system.shutdown().await;
    assert!(system.lookup::<FlakyHandle>("flaky").is_err());
}

#[tokio::test]
async fn names_are_freed_at_shutdown() {
    let system = System::new();
    for (name, url) in [("a", "1"), ("b", "2")] {
        system.register(name, &system.spawn(Db { url })).unwrap();
    }
    assert_eq!(system.registered_names(), ["a", "b"]);
    system.shutdown().await;
    assert!(system.registered_names().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_registrations_of_one_name_admit_exactly_one() {
    let system = System::new();
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let system = system.clone();
            let db = system.spawn(Db { url: "" });
            tokio::spawn(async move { system.register("leader", &db).map(|()| db.id()) })
        })
        .collect();
    let mut winners = Vec::new();
    for r in racers {
        match r.await.unwrap() {
            Ok(id) => winners.push(id),
            Err(e) => assert_eq!(
                e,
                RegistryError::NameTaken {
                    name: "leader".into()
                }
            ),
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(
        system.lookup::<DbHandle>("leader").unwrap().id(),
        winners[0]
    );
}

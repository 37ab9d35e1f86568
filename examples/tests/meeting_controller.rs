//! The meeting controller, run in a short mode under load: the capacity of
//! every meeting and every user's rate limit held, tokens were checked
//! while the key cache refreshed, the key rotated, and the output says so.
//! And the key cache alone, on a paused clock (`actor_core::testing`).

use std::process::Command;
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::testing;
use actor_core_examples::meeting_controller::idp::{IdentityProvider, UserId};
use actor_core_examples::meeting_controller::jwks::{Claims, JwksCache, Refreshed};
use actor_core_examples::meeting_controller::{self, Options, Output};

async fn run(opts: Options) -> (meeting_controller::Summary, String) {
    let mut out = Vec::new();
    let summary = meeting_controller::run(opts, &mut out)
        .await
        .expect("the run finishes");
    (
        summary,
        String::from_utf8(out).expect("the output is UTF-8"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_load_meetings_never_exceed_capacity_and_users_never_exceed_their_rate() {
    let opts = Options::small();
    let (summary, text) = run(opts).await;

    // Meetings: popular ones filled up and refused joins, none went over.
    assert_eq!(summary.meetings.len(), opts.meetings);
    for m in &summary.meetings {
        assert!(
            m.peak <= m.capacity,
            "{} peaked at {}/{}",
            m.name,
            m.peak,
            m.capacity
        );
        assert_eq!(
            m.joined - m.left,
            m.participants as u64,
            "{}: every admitted participant either left or is still seated",
            m.name
        );
    }
    assert_eq!(summary.over_capacity().count(), 0);
    let (joined, refused_full, _) = summary.joins();
    assert!(joined > 0, "people got in");
    assert!(
        refused_full > 0,
        "the popular meeting filled up and refused joins"
    );
    assert!(summary.meetings.iter().any(|m| m.peak == m.capacity));

    // Rate limits: many devices per user contended; the limiters refused
    // some, and no user got more in any second than the bucket allows.
    assert_eq!(summary.devices, opts.users * opts.devices);
    assert_eq!(summary.audits.len(), opts.users);
    assert!(summary.limited > 0, "the limiters refused some requests");
    assert_eq!(
        summary.audits.iter().map(|a| a.limited).sum::<u64>(),
        summary.limited,
        "the devices and the limiters agree on what was limited"
    );
    assert_eq!(summary.requests, summary.allowed() + summary.limited);
    assert_eq!(summary.over_limit().count(), 0, "{:?}", summary.audits);
    for a in &summary.audits {
        assert_eq!(a.limit, 30, "burst 10 + 20/s over 1 s");
        assert!(a.busiest_window <= a.limit);
    }

    // JWKS: reads were answered while a refresh was in flight, the key
    // rotated and tokens signed with the new key waited for it instead of
    // failing; only forged tokens were refused.
    let j = &summary.jwks;
    assert!(j.refreshes >= 3, "the timer refreshed the keys: {j:?}");
    assert!(
        j.served_during_refresh > 0,
        "reads went on during refreshes: {j:?}"
    );
    assert!(j.version > j.first_version, "the key set rotated: {j:?}");
    assert!(
        j.waited_for_keys > 0,
        "new-key tokens waited for a fetch: {j:?}"
    );
    assert_eq!(
        j.checks,
        summary.allowed(),
        "every allowed request was checked"
    );
    assert!(summary.forged > 0);
    assert_eq!(
        summary.rejected, summary.forged,
        "exactly the forged tokens were refused"
    );
    assert_eq!(j.rejected, summary.rejected);

    // What a person reads.
    assert!(
        text.starts_with("meeting_controller: 120 devices of 40 users"),
        "{text}"
    );
    assert!(text.contains("JWKS: first keys fetched (v"), "{text}");
    assert!(text.contains("JWKS: key rotated v"), "{text}");
    for line in [
        "\nSummary\n",
        "  meetings     4 rooms × 5 seats, never above capacity (fullest: ",
        "  rate limits  ",
        "(burst 10 + 20/s): held for all 40 users\n",
        &format!("forged on purpose, {} refused\n", summary.rejected),
        "  JWKS cache   ",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.ends_with(&format!("{summary}\n")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_output_is_the_header_and_the_summary() {
    let opts = Options {
        users: 5,
        duration: Duration::from_millis(200),
        output: Output::Quiet,
        ..Options::small()
    };
    let (summary, text) = run(opts).await;
    assert!(!text.contains("JWKS: "), "{text}");
    assert!(!text.contains("seats taken"), "{text}");
    assert!(text.contains(&summary.to_string()));
}

/// The JWKS cache alone, on a paused clock: its refresh timer (a minute)
/// and its fetches (two seconds each) take no real time, and the test sees
/// exactly when each refresh lands.
#[tokio::test(start_paused = true)]
async fn the_jwks_cache_refreshes_every_minute_and_answers_from_the_old_keys_meanwhile() {
    let system = System::new();
    let idp = IdentityProvider::new(Duration::from_secs(3600), 7);
    let mut refreshed = testing::probe_events::<Refreshed>(&system);
    let start = tokio::time::Instant::now();
    let jwks = system.spawn(JwksCache::new(
        idp.clone(),
        Duration::from_secs(60),
        Duration::from_secs(2),
        system.events(),
    ));

    // The first fetch starts at once and takes two seconds.
    let first = refreshed.expect_message(Duration::from_secs(3)).await;
    assert_eq!(
        (first.previous, start.elapsed()),
        (None, Duration::from_secs(2))
    );
    let token = idp.issue(UserId(1));
    let claims = Claims { user: UserId(1) };
    assert_eq!(jwks.verify(token).await, Ok(Ok(claims)));

    // The timer fetches again a minute after the start; while that fetch
    // runs (from 60 s to 62 s), checks are answered from the keys in hand.
    refreshed.expect_no_message(Duration::from_secs(59)).await;
    assert_eq!(jwks.verify(token).await, Ok(Ok(claims)));
    let second = refreshed.expect_message(Duration::from_secs(2)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(62));
    assert_eq!(second.previous, Some(first.version));
    assert_eq!(second.served_meanwhile, 1);
    let stats = jwks.stats().await.unwrap();
    assert_eq!((stats.refreshes, stats.served_during_refresh), (2, 1));
}

/// The README's command, run for real (briefly).
#[test]
fn the_example_binary_runs_from_the_readme_command() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the examples live in the workspace");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(root)
        .args(["run", "--quiet", "--example", "meeting_controller"]);
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    let out = cargo
        .args([
            "--",
            "--users",
            "10",
            "--seconds",
            "0.3",
            "--refresh-ms",
            "50",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("never above capacity"), "{stdout}");
    assert!(stdout.contains("held for all 10 users"), "{stdout}");
}

//! The demo, run as the README says (with small counts), and `--help`, which
//! the README promises of every example.

use std::process::{Command, Output};

/// `cargo run --example <example> -- <args>` from the workspace root.
fn cargo_run(example: &str, args: &[&str]) -> Output {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the examples live in the workspace");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(root)
        .args(["run", "--quiet", "--example", example]);
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    cargo.arg("--").args(args).output().expect("cargo runs")
}

/// The program's standard output, after checking it exited successfully.
#[track_caller]
fn stdout_of_success(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_demo_tells_asks_waits_for_its_timer_survives_a_panic_and_is_restarted() {
    let out = cargo_run(
        "demo",
        &["--tells", "250", "--ticks", "2", "--tick-ms", "5"],
    );
    let stdout = stdout_of_success(&out);
    // The program's own steps, in order: each prints only once the one
    // before it finished. (The actor's lines, its ticks and its stops, come
    // in between, at times that vary.)
    let steps = [
        "tell: 250 increments\n",
        "ask: count = 250\n",
        "waiting for 2 timer ticks...\n",
        "ask: 2 ticks arrived\n",
        "ask: 250 / 10 = 25\n",
        "ask: divide by zero...\n",
        "  the ask failed: ",
        "the actor is stopped (",
        "  Err(Stopped)\n",
        "supervised: the same actor under a supervisor is restarted\n",
        "  ask: count = 7\n",
        "  ask: divide by zero... the ask failed: ",
        "  same handle, new instance: count = 0\n",
        "  the supervisor restarted it 1 time(s); alive: true\n",
        "system shut down\n",
    ];
    let mut rest = stdout.as_str();
    for step in steps {
        let at = rest
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} missing, or out of order, in:\n{stdout}"));
        rest = &rest[at + step.len()..];
    }
    // The ask for two ticks is answered by the second tick, after it printed.
    let tick = |n: u32| stdout.find(&format!("  tick {n} (count is "));
    let answered = stdout.find("ask: 2 ticks arrived");
    assert!(tick(1) < tick(2) && tick(2) < answered, "{stdout}");
    assert!(tick(1).is_some(), "{stdout}");
    // The panic stopped the unsupervised actor: its stop hook ran first.
    let stopped = stdout.find("counter stopped: ");
    assert!(
        stopped.is_some() && stopped < stdout.find("the actor is stopped ("),
        "{stdout}"
    );
}

#[test]
fn every_example_lists_its_flags_with_help() {
    for (example, flags) in [
        ("demo", &["--tells", "--ticks", "--tick-ms"][..]),
        ("ci_orchestrator", &["--jobs", "--runners", "--crash-rate"]),
        (
            "meeting_controller",
            &["--users", "--meetings", "--seconds"],
        ),
        ("file_pipeline", &["--in-flight"]),
        (
            "http_service",
            &["--port", "--ask-timeout-ms", "--max-queue"],
        ),
    ] {
        let help = stdout_of_success(&cargo_run(example, &["--help"]));
        assert!(
            help.contains(&format!("Usage: {example}")),
            "{example}: {help}"
        );
        for flag in flags {
            assert!(help.contains(flag), "{example} --help lacks {flag}: {help}");
        }
    }
}

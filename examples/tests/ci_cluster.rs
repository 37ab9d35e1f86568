//! `cargo run --example ci_cluster`, as the README says: three processes and
//! a nats-server; a worker node is killed mid-run and every job finishes on
//! the survivor, as the console says.

use std::process::Command;

#[test]
fn every_job_finishes_on_the_survivor_of_a_killed_worker_node() {
    let output = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--example",
            "ci_cluster",
            "--",
            "--jobs",
            "24",
            "--kill-after",
            "6",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{stderr}");
    assert!(output.status.success(), "the example failed");
    assert!(
        stdout.contains("killed worker-1 (SIGKILL) after 6 jobs"),
        "{stdout}"
    );
    let last = stdout
        .lines()
        .find(|l| l.contains("all 24 jobs finished"))
        .expect("the summary line");
    assert!(last.contains("worker-2 built"), "{last}");
    assert!(last.contains("after worker-1 died"), "{last}");
}

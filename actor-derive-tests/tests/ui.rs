//! Compile-time guarantees of the macros (trybuild).
//!
//! `tests/ui/fail/*.rs`: each case breaks one rule of DESIGN.md's
//! "Compile-time guarantees" and its `.stderr` is the error a user sees.
//! `tests/ui/pass/*.rs`: every option and feature compiles, and each case's
//! `main` runs.
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p actor-derive-tests --test ui`, then read them.

#[test]
fn ui() {
    // Two runs, one after the other (they share trybuild's project): alone,
    // the compile-fail cases are checked by one `cargo check` of them all,
    // in parallel; mixed with pass cases, each would be built by a cargo
    // invocation of its own. The pass cases are built and run one by one.
    {
        let fail = trybuild::TestCases::new();
        fail.compile_fail("tests/ui/fail/*.rs");
    }
    let pass = trybuild::TestCases::new();
    pass.pass("tests/ui/pass/*.rs");
}

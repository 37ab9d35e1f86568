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
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}

//! Tests of actor-core's macros; everything is in `tests/`.
//!
//! - `tests/ui.rs` (trybuild): `tests/ui/fail/*.rs` break one compile-time
//!   rule each and keep the error a user reads in a `.stderr` next to them;
//!   `tests/ui/pass/*.rs` use every option and feature, and their `main`
//!   runs. After a change to the macros or to `actor_core::__private`,
//!   regenerate with `TRYBUILD=overwrite cargo test -p actor-derive-tests
//!   --test ui` and read every changed `.stderr`: the first line should name
//!   the actor rule, and `-->` should point at the user's own tokens.
//! - `tests/expand.rs` (insta): the formatted expansion of representative
//!   actors, in `tests/snapshots/`. Review changes with `cargo insta review`
//!   (or `INSTA_UPDATE=always` and `git diff`); with `CI=true` a mismatch
//!   fails.
//! - `tests/behaviour.rs` (tokio): what the generated code does at run time;
//!   `tests/tell_errors.rs`: what a handler's `Err` does to a told message.
//!   `tests/large_messages.rs`: large arguments in a debug build.

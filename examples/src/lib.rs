//! The seed scenarios of actor-core as runnable programs: each module holds a
//! scenario's actors and a `run`-style entry point, which the example binary
//! of the same name (`cargo run --example <name>`) calls, and which the tests
//! call in a short mode.

#![forbid(unsafe_code)]

pub mod ci_cluster;
pub mod ci_orchestrator;
pub mod file_pipeline;
pub mod http_service;
pub mod meeting_controller;

/// The workspace README's complete examples, compiled and run as doctests.
/// They are checked here, in a crate that is not published, because the
/// README lives outside the actor-core package (whose own doctests must pass
/// from the package alone).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

//! The seed scenarios of actor-core as libraries: each runs in a short mode
//! for its test and at full size from `examples/<name>.rs`.

pub mod ci_orchestrator;
pub mod meeting_controller;

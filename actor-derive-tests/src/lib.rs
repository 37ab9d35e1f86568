//! Tests of the actor-core macros live in `tests/`.

//! Procedural macros of [actor-core](https://docs.rs/actor-core): `#[actor]`
//! on a struct and on its impl block, `#[message]`, `#[on_start]`,
//! `#[on_stop]`, `#[on_restart]`. Use them through `actor_core::prelude`.
//!
//! Each entry point (`entry`) parses the input into a small model (`ast`,
//! `attr`), checks the rules and collects every error (`check`, `ctxt`), then
//! generates code from the model (`expand`, `naming`). On error the user's
//! item is kept (minus this crate's attributes) and what is sound is still
//! generated: a broken message is left out, the rest of the actor is not.
//! The errors come with it, all of them, so the rest of the crate and the
//! IDE keep working.
//!
//! The rules that need types (`Send + 'static`, a declared `response` that
//! agrees with the return type) are checked by the generated code, through
//! the traits of `actor_core::__private`; see `expand.rs` for how each broken
//! rule makes exactly one error, at the user's tokens.

use proc_macro::TokenStream;

mod ast;
mod attr;
mod check;
mod ctxt;
mod entry;
mod expand;
mod naming;

/// Declares an actor. Goes on the state struct and on its `impl` block.
///
/// On the struct: `#[actor]`, `#[actor(mailbox = 1024)]`,
/// `#[actor(mailbox = unbounded)]`, `#[actor(crate = path)]`. It generates the
/// handle (`FooHandle`) and checks that the state is `Send + 'static`.
///
/// On the impl: `#[actor]` or `#[actor(crate = path)]`. It generates the
/// message enum (`FooMessage`), the `Actor` impl and one handle method per
/// `#[message]` method.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = proc_macro2::TokenStream::from(args);
    let input = proc_macro2::TokenStream::from(input);
    entry::actor(args, input).into()
}

/// Marks a method of an `#[actor]` impl as a message handler:
/// `#[message]` or `#[message(response = T)]`.
///
/// Only meaningful inside an `#[actor]` impl block, which consumes it.
#[proc_macro_attribute]
pub fn message(_args: TokenStream, input: TokenStream) -> TokenStream {
    entry::misplaced("message", input.into()).into()
}

/// Marks the method that runs before the first message.
#[proc_macro_attribute]
pub fn on_start(_args: TokenStream, input: TokenStream) -> TokenStream {
    entry::misplaced("on_start", input.into()).into()
}

/// Marks the method that runs after the last message, with the stop reason.
#[proc_macro_attribute]
pub fn on_stop(_args: TokenStream, input: TokenStream) -> TokenStream {
    entry::misplaced("on_stop", input.into()).into()
}

/// Marks the method that runs on a new instance after a supervised restart.
#[proc_macro_attribute]
pub fn on_restart(_args: TokenStream, input: TokenStream) -> TokenStream {
    entry::misplaced("on_restart", input.into()).into()
}

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
/// `#[actor(mailbox = unbounded)]`, `#[actor(tell_errors = fail)]` (the
/// default) or `#[actor(tell_errors = log)]`, `#[actor(crate = path)]`. It
/// generates the handle (`FooHandle`: `Clone`, `Debug`, and `Eq + Hash` by
/// the actor it reaches) and checks that the state is `Send + 'static`.
///
/// On the impl: `#[actor]` or `#[actor(crate = path)]`. It generates the
/// message enum (`FooMessage`), the `Actor` impl and one handle method per
/// `#[message]` method, with the method's documentation, visibility,
/// `#[cfg]` and `#[deprecated]`.
///
/// # Arguments: the context, the reply slot, and the message
///
/// A handler's arguments are the message's, except for the runtime's context
/// and delegated reply slot (and `#[on_stop]`'s stop reason). A macro cannot
/// resolve names, so those are recognised by the path they are written with:
///
/// | argument | recognised when its type is written |
/// |---|---|
/// | the context | `&mut Context<Self>`, or `Context` through a path to actor-core: `actor_core::Context`, `actor_core::context::Context`, `actor_core::prelude::Context` |
/// | the reply slot | `Reply<T>`, or `actor_core::Reply<T>`, `actor_core::reply::Reply<T>`, `actor_core::prelude::Reply<T>` |
/// | the stop reason (`#[on_stop]`) | `&StopReason`, `&actor_core::StopReason`, `&actor_core::prelude::StopReason` |
///
/// (with `crate = path`, `path::Reply<T>` and the like too). Any other
/// argument is part of the message, including a type of the same name under
/// another path: `reply: chat::Reply<String>` is an ordinary argument. An
/// import of ours under another name (`use actor_core::Reply as Answer`) is
/// not recognised by its name: mark the argument, `#[reply] answer:
/// Answer<u64>`, `#[ctx] cx: &mut Cx<Self>`. Your own type written by its
/// bare name `Reply<T>` is taken for ours, and the build fails with an error
/// that says to write it with its path (`self::Reply<T>`).
///
/// A message argument or response is moved to another task, so it is owned:
/// a borrow the value holds (`&str`, `Vec<&str>`, `Cow<'_, str>`) and
/// `impl Trait` are refused. The borrows in a closure's or fn pointer's own
/// signature are the call's: `Box<dyn FnOnce(&mut Vec<u32>) -> usize + Send>`,
/// `fn(&str) -> bool` and `Box<dyn for<'a> Fn(&'a str) -> bool + Send>` are
/// fine. `Send + 'static` is checked on the types, with errors that name the
/// rule. `Self` means the actor type, also in constants (`[u8; Self::N]`);
/// for a generic actor, a constant cannot use the parameters (a Rust rule
/// for enum fields).
///
/// An **array argument** larger than 1 KiB (`data: [u8; 65536]`) travels
/// boxed from the handle method to the handler, which still takes it by
/// value, and an async handler that takes one has its future boxed: one
/// allocation instead of copies of the array at every step of the way, which
/// in a debug build would be stack (a 256 KiB argument then fits a 2 MiB
/// thread). This needs the array's size as a constant: an array whose size
/// depends on the actor's generic parameters travels by value. A large
/// argument of another type travels by value too; box it yourself
/// (`Box<Frame>`) if it is large.
///
/// # Handlers
///
/// A handler takes `&self` or `&mut self` (also written `self: &Self`,
/// `self: &mut Self`). The generated code calls it as `Self::name(self, ..)`,
/// so a message may have any name a method may, `handle` and `on_start`
/// included, and its own names never meet the user's. Two versions of one
/// handler under different `#[cfg]`s are one message.
///
/// An **async `&self` handler** keeps `&State` across its `.await`s, and the
/// actor's task may move to another thread there: the state must be `Sync`.
/// A build where it is not fails at the `&self`, saying so; take `&mut self`
/// (the actor has its state to itself, so nothing is lost), or keep the
/// state `Sync`. (Accepting it would take either `unsafe` or compiling the
/// handler's body twice.)
///
/// A handler that returns `Err` for a **told** message, whose result nobody
/// reads, fails the actor with `StopReason::Failed` and the error's text
/// (`tell_errors = fail`, the default), or logs it and counts it in
/// `metrics()` (`tell_errors = log`). An ask gets the `Err` as its value and
/// the actor goes on. `Result` is recognised by its type, so aliases
/// (`io::Result<T>`, `anyhow::Result<T>`) count; the error must be `Display`
/// (a generic `E` without that bound is not reported). See
/// `actor_core::TellErrors`.
///
/// # Generic actors
///
/// The bounds may be on the struct or on the impl block
/// (`struct Bag<T> { items: Vec<T> }` with `impl<T: Send + 'static> Bag<T>`):
/// the state is checked to be `Send + 'static` under the impl's bounds.
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = proc_macro2::TokenStream::from(args);
    let input = proc_macro2::TokenStream::from(input);
    entry::actor(args, input).into()
}

/// Marks a method of an `#[actor]` impl as a message handler:
/// `#[message]` or `#[message(response = T)]`.
///
/// Only meaningful inside an `#[actor]` impl block, which consumes it (with
/// the argument markers `#[reply]` and `#[ctx]`; see [`macro@actor`]).
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

/// Marks the method that runs when a watched actor stops for good
/// (`ctx.watch(&other)`): `fn down(&mut self, id: ActorId, reason: StopReason)`.
#[proc_macro_attribute]
pub fn on_down(_args: TokenStream, input: TokenStream) -> TokenStream {
    entry::misplaced("on_down", input.into()).into()
}

/// Marks the method that runs, instead of stopping, when a linked actor
/// (`ctx.link(&other)`) stops abnormally: `fn died(&mut self, id: ActorId,
/// reason: StopReason)`.
#[proc_macro_attribute]
pub fn on_link_died(_args: TokenStream, input: TokenStream) -> TokenStream {
    entry::misplaced("on_link_died", input.into()).into()
}

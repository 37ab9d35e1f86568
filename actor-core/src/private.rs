//! What generated code reaches: the compile-time checks of the actor rules
//! that need types, and the few steps of dispatch that need them too (what a
//! told handler's `Err` does). Not part of the public API.
//!
//! The macros call these checks spanned at the user's tokens (the field, the
//! argument, the return type), and their `#[diagnostic::on_unimplemented]`
//! messages name the rule, so that a field `Rc<u8>` is reported as "actor
//! state must be `Send`: `Rc<u8>` cannot be sent between threads safely",
//! at the field.

use core::fmt::Display;
use core::marker::PhantomData;

use crate::actor::{Actor, TellErrors};
use crate::context::Context;
use crate::reply::Reply;

/// Tells a `Send` type from the others without failing, so that the failure
/// is reported by a trait that names the actor rule: method resolution picks
/// the methods of [`Sendable`] (one reference deeper) when `T: Send`, else
/// those of [`NotSendable`], which cannot be called. Asserting `T: Send`
/// directly would report the innermost cause in rustc's words ("`RefCell<u8>`
/// cannot be shared between threads safely" for an `Arc<RefCell<u8>>`),
/// without the rule.
///
/// Generated code: `(&&Probe::<T>::new()).state_field()`, with `'static`
/// types (message arguments and responses) through `Probe::new_static`.
pub struct Probe<T: ?Sized>(PhantomData<fn() -> PhantomData<T>>);

// Only generated code builds a probe, with a turbofish; `Default` would not help.
#[allow(clippy::new_without_default)]
impl<T: ?Sized> Probe<T> {
    #[inline(always)]
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

impl<T: ?Sized + 'static> Probe<T> {
    #[inline(always)]
    pub const fn new_static() -> Self {
        Probe(PhantomData)
    }
}

/// The checks of a `Send` type: they pass.
pub trait Sendable {
    #[inline(always)]
    fn state_field(&self) {}
    #[inline(always)]
    fn generic_state(&self) {}
    #[inline(always)]
    fn message_arg(&self) {}
    #[inline(always)]
    fn message_response(&self) {}
}
impl<T: ?Sized + Send> Sendable for &Probe<T> {}

/// The checks of a type that is not `Send`: each fails with its rule.
pub trait NotSendable<T: ?Sized> {
    #[inline(always)]
    fn state_field(&self)
    where
        T: SendState,
    {
    }
    #[inline(always)]
    fn generic_state(&self)
    where
        T: SendGenericState,
    {
    }
    #[inline(always)]
    fn message_arg(&self)
    where
        T: SendMessageArg,
    {
    }
    #[inline(always)]
    fn message_response(&self)
    where
        T: SendMessageResponse,
    {
    }
}
impl<T: ?Sized> NotSendable<T> for Probe<T> {}

/// Implemented by no type: required of a field of actor state only when it is
/// not `Send`, to report that with the rule.
#[diagnostic::on_unimplemented(
    message = "actor state must be `Send`: `{Self}` cannot be sent between threads safely",
    label = "this field is not `Send`",
    note = "an actor runs on a tokio task, which may move between worker threads; use `Arc`/`Mutex` instead of `Rc`/`RefCell`, and do not hold guards or raw pointers in actor state"
)]
pub trait SendState {}

/// Implemented by no type: required of a generic actor's state (checked
/// under the bounds of its `#[actor]` impl) only when it is not `Send`.
#[diagnostic::on_unimplemented(
    message = "actor state must be `Send`: `{Self}` cannot be sent between threads safely",
    label = "not `Send` under the bounds of this impl",
    note = "bound the type parameters where the actor's impl is declared, for example `impl<T: Send + 'static> Bag<T>`, or on the struct"
)]
pub trait SendGenericState {}

/// Checks that an async `&self` handler may hold `&State` across `.await`:
/// passes when the state is `Sync`. Generated code:
/// `(&&Probe::<State>::new()).async_ref_handler()`.
pub trait Shareable {
    #[inline(always)]
    fn async_ref_handler(&self) {}
}
impl<T: ?Sized + Sync> Shareable for &Probe<T> {}

/// The check of an async `&self` handler when the state is not `Sync`: fails
/// with the rule.
pub trait NotShareable<T: ?Sized> {
    #[inline(always)]
    fn async_ref_handler(&self)
    where
        T: SyncForAsyncRefHandler,
    {
    }
}
impl<T: ?Sized> NotShareable<T> for Probe<T> {}

/// Implemented by no type: required of the state of an actor with an async
/// `&self` handler only when the state is not `Sync`.
#[diagnostic::on_unimplemented(
    message = "an async `&self` handler holds `&{Self}` across `.await`, so `{Self}` must be `Sync`",
    label = "this handler borrows the state while it awaits",
    note = "the actor's task may move to another thread at an `.await`, taking the borrow along; take `&mut self` instead (the actor has its state to itself), or make the state `Sync`"
)]
pub trait SyncForAsyncRefHandler {}

/// Implemented by no type: required of a message argument only when it is
/// not `Send`, to report that with the rule.
#[diagnostic::on_unimplemented(
    message = "message arguments must be `Send + 'static`: `{Self}` cannot be sent between threads safely",
    label = "this argument is not `Send`",
    note = "a message travels through the actor's mailbox to the actor's task, which may run on another thread"
)]
pub trait SendMessageArg {}

/// Implemented by no type: required of a message response only when it is
/// not `Send`, to report that with the rule.
#[diagnostic::on_unimplemented(
    message = "message responses must be `Send + 'static`: `{Self}` cannot be sent between threads safely",
    label = "this response is not `Send`",
    note = "the response travels back to the asker, which may run on another thread"
)]
pub trait SendMessageResponse {}

/// Checks that a handler returns the `response` its `#[message]` declares.
#[diagnostic::on_unimplemented(
    message = "the handler returns `{Self}`, but its `#[message(response = {R})]` declares `{R}`",
    label = "expected `{R}`",
    note = "`response = T` must name the handler's return type; leave it out to answer with the return type"
)]
pub trait Returns<R> {
    /// The value, as the declared response.
    fn into_response(self) -> R;
}
impl<R> Returns<R> for R {
    #[inline(always)]
    fn into_response(self) -> R {
        self
    }
}

/// Checks that a delegated reply argument is `Reply<response>`.
#[diagnostic::on_unimplemented(
    message = "a delegated reply argument must be `actor_core::Reply<{R}>`, as `#[message(response = {R})]` declares, not `{Self}`",
    label = "expected `Reply<{R}>`",
    note = "a delegated reply argument is `Reply<T>`, with the `T` of `#[message(response = T)]`",
    note = "if this `Reply` is your own type, not actor-core's, write it with its path (`self::Reply<T>`, `chat::Reply<T>`): it is then an ordinary message argument"
)]
pub trait ReplyOf<R> {
    /// The reply slot, as the handler's argument type.
    fn from_reply(reply: Reply<R>) -> Self;
}
impl<R, P: Is<Reply<R>>> ReplyOf<R> for P {
    #[inline(always)]
    fn from_reply(reply: Reply<R>) -> Self {
        P::from_same(reply)
    }
}

/// `Self` is `T`. A bound `P: Is<T>` fails when they differ, and lets the
/// trait that needs it (whose `Self` is `P` too) report the failure.
pub trait Is<T> {
    /// The value, as `Self`.
    fn from_same(value: T) -> Self;
}
impl<T> Is<T> for T {
    #[inline(always)]
    fn from_same(value: T) -> Self {
        value
    }
}

/// Passes an async handler's future through, checking that it is `Send`
/// where the handler is named. rustc reports a future that is not `Send` in
/// its own words, whatever the bound: "future cannot be sent between threads
/// safely", with the value held across an `.await`, which is what the user
/// needs to see.
#[inline(always)]
pub fn assert_send_handler<F: core::future::Future + Send>(fut: F) -> F {
    fut
}

/// A handler's return value `T` as its declared response `R` (the same type).
#[inline(always)]
pub fn response<R, T: Returns<R>>(value: T) -> R {
    value.into_response()
}

/// The reply slot of a message as the handler's `Reply<T>` argument `P`
/// (the same type).
#[inline(always)]
pub fn delegate<R, P: ReplyOf<R>>(reply: Answer<R>) -> P {
    P::from_reply(reply.into_reply())
}

pub use crate::reply::ReplyTo;

/// A request's reply slot as a message field: the ask's channel, or `None`
/// for a tell (which then uses the message variant without one).
#[inline(always)]
pub fn ask_slot<T>(reply: crate::Reply<T>) -> Option<ReplyTo<T>> {
    reply.into_channel()
}

pub use crate::reply::Answer;

/// The reply slot of an ask, around its handler: an [`Answer`], or, for a
/// delegated handler, the [`Reply`](crate::Reply) [`delegate`] makes of it.
#[inline(always)]
pub fn reply_to<T>(channel: ReplyTo<T>) -> Answer<T> {
    Answer::ask(channel)
}

/// The reply slot of a tell, for a delegated handler: sending into it does nothing.
#[inline(always)]
pub fn no_reply<T>() -> Answer<T> {
    Answer::none()
}

/// The value a handler returned for a told message, which nobody reads: an
/// `Err` in it must not be lost. Generated code, where the handler's
/// response type is known: `(&Told(value)).report(ctx, "save")`. Method
/// resolution picks [`ToldResult::report`] when the value is a `Result` whose
/// error is `Display` (whatever alias names it: `io::Result<T>`,
/// `anyhow::Result<T>`), else [`ToldValue::report`], which does nothing.
pub struct Told<T>(pub T);

/// [`Told`] for a `Result` with a `Display` error: reports an `Err`.
pub trait ToldResult {
    /// Reports an `Err` as the actor's [`TellErrors`] policy says.
    fn report<A: Actor>(&self, ctx: &mut Context<A>, message: &'static str);
}

impl<T, E: Display> ToldResult for Told<Result<T, E>> {
    #[inline(always)]
    fn report<A: Actor>(&self, ctx: &mut Context<A>, message: &'static str) {
        if let Err(error) = &self.0 {
            told_error(ctx, message, error);
        }
    }
}

/// [`Told`] for any other value: nothing to report.
pub trait ToldValue {
    /// Does nothing.
    #[inline(always)]
    fn report<A: Actor>(&self, ctx: &mut Context<A>, message: &'static str) {
        let _ = (ctx, message);
    }
}

impl<T> ToldValue for &Told<T> {}

/// A told handler returned `Err`: fail the actor with the error's text, or
/// log and count it (`#[actor(tell_errors = log)]`).
#[cold]
#[inline(never)]
fn told_error<A: Actor>(ctx: &mut Context<A>, message: &'static str, error: &dyn Display) {
    match A::TELL_ERRORS {
        TellErrors::Fail => ctx.fail(format!("`{message}` returned an error: {error}")),
        TellErrors::Log => {
            tracing::error!(
                actor = A::NAME,
                id = %ctx.id(),
                message,
                %error,
                "a told message returned an error"
            );
            ctx.system().counters(A::NAME).tell_error();
        }
    }
}

/// Arguments of array type larger than this many bytes travel through the
/// mailbox boxed ([`Carry`]).
pub const BOX_ARGS_OVER: usize = 1024;

/// Whether an argument of type `T` travels boxed: generated code writes
/// `Carry<T, { boxes::<T>() }>` as the message field's type.
pub const fn boxes<T>() -> bool {
    size_of::<T>() > BOX_ARGS_OVER
}

/// A message argument of array type, as its message carries it: by value,
/// or boxed when it is larger than [`BOX_ARGS_OVER`]. A message is moved
/// several times on its way (into the request, the mailbox, out of it, into
/// the handler); a 64 KiB array moved by value costs that much stack at each
/// step of a debug build, and one allocation is cheaper than the copies.
/// Generated code: `Carry::new(arg)` in the handle method, `arg.into_inner()`
/// where the handler is called.
pub struct Carry<T, const BOXED: bool>(<Boxing<BOXED> as Pack<T>>::Packed)
where
    Boxing<BOXED>: Pack<T>;

impl<T, const BOXED: bool> Carry<T, BOXED>
where
    Boxing<BOXED>: Pack<T>,
{
    /// Packs the argument.
    #[inline(always)]
    pub fn new(value: T) -> Self {
        Carry(<Boxing<BOXED> as Pack<T>>::pack(value))
    }
}

// `into_inner` once for each kind, rather than through `Pack::unpack`: a
// debug build copies the value at each call it goes through.
impl<T> Carry<T, false> {
    /// The argument, for the handler.
    #[inline(always)]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Carry<T, true> {
    /// The argument, for the handler.
    #[inline(always)]
    pub fn into_inner(self) -> T {
        *self.0
    }
}

/// Selects how a [`Carry`] holds its value: `Boxing<true>` boxes it.
pub struct Boxing<const BOXED: bool>;

/// How [`Boxing`] packs a value of type `T`.
pub trait Pack<T> {
    /// `T` itself, or `Box<T>`.
    type Packed;
    /// The value, packed.
    fn pack(value: T) -> Self::Packed;
}

impl<T> Pack<T> for Boxing<false> {
    type Packed = T;
    #[inline(always)]
    fn pack(value: T) -> T {
        value
    }
}

impl<T> Pack<T> for Boxing<true> {
    type Packed = Box<T>;
    #[inline(always)]
    fn pack(value: T) -> Box<T> {
        Box::new(value)
    }
}

impl Boxing<false> {
    /// An async handler's future, as it is.
    #[inline(always)]
    pub fn future<F: core::future::Future + Send>(future: F) -> F {
        future
    }
}

impl Boxing<true> {
    /// An async handler's future that holds a boxed argument ([`Carry`]):
    /// boxed too. The actor's task holds the future, and would grow by the
    /// argument's size (and be copied whole where a debug build moves it).
    #[inline(always)]
    pub fn future<F: core::future::Future + Send>(future: F) -> core::pin::Pin<Box<F>> {
        Box::pin(future)
    }
}

/// Calls `f`: the call of a synchronous handler that takes a boxed argument
/// ([`Carry`]). A debug build copies the argument on its way out of the box,
/// and keeps every copy of every arm for the whole dispatch; made in `f`,
/// the copies are on `f`'s stack frame, which is gone when the handler
/// returns.
#[inline]
pub fn in_own_frame<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Keeps the items given to it where actor-core's `testing` feature is on
/// and drops them elsewhere: the test kit's view of an actor's messages
/// (`FooCall`, see [`testing`](crate::testing)), which other builds do not
/// compile. Generated code: `if_testing! { .. }`.
#[cfg(feature = "testing")]
#[doc(hidden)]
#[macro_export]
macro_rules! __actor_core_if_testing {
    ($($item:item)*) => { $($item)* };
}

/// Without the `testing` feature: nothing.
#[cfg(not(feature = "testing"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __actor_core_if_testing {
    ($($tokens:tt)*) => {};
}

pub use crate::__actor_core_if_testing as if_testing;

/// Keeps the items given to it where actor-core's `remote` feature is on:
/// the remote handle and dispatch `#[actor(remote = "..")]` generates.
/// Elsewhere, a compile error at the `remote = ".."` key.
#[cfg(feature = "remote")]
#[doc(hidden)]
#[macro_export]
macro_rules! __actor_core_if_remote {
    ($($item:item)*) => { $($item)* };
}

/// Without the `remote` feature: an error, at the `#[actor(remote = ..)]`
/// attribute.
///
/// ```compile_fail
/// use actor_core::prelude::*;
///
/// #[actor]
/// struct Scheduler;
///
/// #[actor(remote = "ci.Scheduler")] // needs the `remote` feature of actor-core
/// impl Scheduler {}
/// ```
#[cfg(not(feature = "remote"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __actor_core_if_remote {
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`#[actor(remote = ..)]` needs the `remote` feature of actor-core: \
`actor-core = { version = \"..\", features = [\"remote\"] }`"
        }
    };
}

pub use crate::__actor_core_if_remote as if_remote;

/// What the remote code generated by `#[actor(remote = "..")]` reaches.
#[cfg(feature = "remote")]
pub mod remote {
    pub use crate::remote::{Call, RemoteActor, RemoteHandle, RemoteRef, RemoteRequest, Served};

    /// Checks that a message argument or response can travel: generated
    /// code calls `wire::<T>()` spanned at the user's type.
    #[diagnostic::on_unimplemented(
        message = "arguments and responses of a remote actor's messages must be `Serialize + DeserializeOwned`: `{Self}` is not",
        label = "this type cannot travel between nodes",
        note = "derive `serde::Serialize` and `serde::Deserialize` for it, or keep the message off the wire with `#[message(local)]`"
    )]
    pub trait Wire: serde::Serialize + serde::de::DeserializeOwned {}
    impl<T: serde::Serialize + serde::de::DeserializeOwned> Wire for T {}

    /// Asserts [`Wire`].
    #[inline(always)]
    pub fn wire<T: Wire>() {}
}

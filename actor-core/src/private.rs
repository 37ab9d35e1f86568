//! What generated code reaches: re-exports and the spanned compile-time
//! checks whose `#[diagnostic::on_unimplemented]` messages name the actor rule.
//! Not part of the public API.

pub use crate::actor::ActorState;
pub use core::convert::Infallible;
pub use core::marker::PhantomData;

/// Checks a field of actor state.
#[diagnostic::on_unimplemented(
    message = "actor state must be `Send`: `{Self}` cannot be sent between threads safely",
    label = "this field is not `Send`",
    note = "an actor runs on a tokio task, which may move between worker threads; use `Arc`/`Mutex` instead of `Rc`/`RefCell`, and do not hold guards or raw pointers in actor state"
)]
pub trait StateField {}
impl<T: Send + ?Sized> StateField for T {}

/// Checks a message argument.
#[diagnostic::on_unimplemented(
    message = "message arguments must be `Send + 'static`: `{Self}` cannot be sent between threads safely",
    label = "this argument is not `Send`",
    note = "a message travels through the actor's mailbox to the actor's task, which may run on another thread"
)]
pub trait MessageArg {}
impl<T: Send + 'static + ?Sized> MessageArg for T {}

/// Checks a message response.
#[diagnostic::on_unimplemented(
    message = "message responses must be `Send + 'static`: `{Self}` cannot be sent between threads safely",
    label = "this response type is not `Send`",
    note = "the response travels back to the asker, which may run on another thread"
)]
pub trait MessageResponse {}
impl<T: Send + 'static + ?Sized> MessageResponse for T {}

/// Checks the future of an async handler.
#[diagnostic::on_unimplemented(
    message = "the future of an async handler must be `Send`",
    label = "this handler's future is not `Send`",
    note = "a value that is not `Send` (an `Rc`, a `RefCell` borrow, a `MutexGuard`) is held across an `.await`; drop it before awaiting"
)]
pub trait SendHandlerFuture {}
impl<F: core::future::Future + Send> SendHandlerFuture for F {}

#[inline(always)]
pub const fn assert_state_field<T: StateField + ?Sized>() {}
#[inline(always)]
pub const fn assert_message_arg<T: MessageArg + ?Sized>() {}
#[inline(always)]
pub const fn assert_message_response<T: MessageResponse + ?Sized>() {}
#[inline(always)]
pub fn assert_send_handler<F: SendHandlerFuture>(fut: F) -> F {
    fut
}
/// Pins a handler's return value to the declared response type.
#[inline(always)]
pub fn response_is<T>(value: T) -> T {
    value
}

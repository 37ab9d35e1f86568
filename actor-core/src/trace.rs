//! One trace per message: a message's `tracing` span follows from its
//! sender's span, so a request that goes through three actors reads as one
//! trace, not as three actors' lifelong spans each holding a slice of it.
//!
//! When something listens at DEBUG level, a message sent from inside a span
//! (an ask: where it is first polled; a tell: where `.tell()` is called)
//! carries that span along (boxed, in a variant of the actor's message enum
//! that the macros add; no room is taken in messages that carry none). The
//! actor handles it inside a `message` span whose parent is the sender's span
//! and which follows from the actor's own span. A message sent outside any
//! span is handled in a `message` span under the actor's span, as before.
//! With nobody listening at DEBUG, a send checks one atomic and carries
//! nothing.
//!
//! ```
//! use actor_core::prelude::*;
//! use tracing::Instrument;
//!
//! #[actor]
//! struct Inventory;
//!
//! #[actor]
//! impl Inventory {
//!     #[message]
//!     fn reserve(&mut self, item: u32) -> bool {
//!         // In a `message` span whose parent is the caller's `checkout` span.
//!         tracing::debug!(item, "reserved");
//!         true
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let inventory = system.spawn(Inventory);
//! let reserved = async { inventory.reserve(7).await }
//!     .instrument(tracing::info_span!("checkout", order = 42))
//!     .await;
//! assert_eq!(reserved, Ok(true));
//! # }
//! ```

use std::any::Any;

use tracing::Span;

use crate::actor::Actor;

/// A message and the span of the code that sent it.
#[doc(hidden)]
pub struct Traced<M> {
    pub msg: M,
    pub parent: Span,
}

/// A [`Traced`] message inside the actor's message enum, its type erased:
/// the enum then does not contain itself. Its destructor is a null check
/// with the real work out of line, so that dropping a message of any other
/// variant (which every message does) stays as cheap as it was.
#[doc(hidden)]
pub struct Carried(Option<Box<dyn Any + Send>>);

impl Carried {
    pub fn new<M: Send + 'static>(traced: Traced<M>) -> Self {
        Carried(Some(Box::new(traced)))
    }

    /// The message, which only [`Carried::new`] with the same type made.
    pub fn take<M: 'static>(mut self) -> Traced<M> {
        match self.0.take().map(|erased| erased.downcast::<Traced<M>>()) {
            Some(Ok(traced)) => *traced,
            _ => unreachable!("a traced message of another actor type"),
        }
    }

    /// The message, for its name.
    pub fn peek<M: 'static>(&self) -> Option<&M> {
        let traced = self.0.as_ref()?.downcast_ref::<Traced<M>>()?;
        Some(&traced.msg)
    }
}

impl Drop for Carried {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(erased) = self.0.take() {
            drop_carried(erased);
        }
    }
}

/// A traced message dropped unhandled (its actor stopped first).
#[cold]
#[inline(never)]
fn drop_carried(erased: Box<dyn Any + Send>) {
    drop(erased);
}

/// A message on its way into a mailbox: with its sender's span when DEBUG
/// spans are wanted and the sender is in one.
#[inline(always)]
pub(crate) fn outgoing<A: Actor>(msg: A::Message) -> A::Message {
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        with_sender_span::<A>(msg)
    } else {
        msg
    }
}

#[cold]
#[inline(never)]
pub(crate) fn with_sender_span<A: Actor>(msg: A::Message) -> A::Message {
    let parent = Span::current();
    if parent.is_none() {
        return msg;
    }
    rejoin::<A>(msg, Some(parent))
}

/// A message taken from a mailbox, and its sender's span if it came with one.
#[inline]
pub(crate) fn incoming<A: Actor>(msg: A::Message) -> (A::Message, Option<Span>) {
    match A::untraced(msg) {
        Ok(Traced { msg, parent }) => (msg, Some(parent)),
        Err(msg) => (msg, None),
    }
}

/// A message taken from a mailbox, without its sender's span (nobody
/// listens for message spans now).
#[inline(always)]
pub(crate) fn plain<A: Actor>(msg: A::Message) -> A::Message {
    match A::untraced(msg) {
        Ok(traced) => traced.msg,
        Err(msg) => msg,
    }
}

/// The message back with its sender's span, for the async path (see
/// `task::handle_sync`).
pub(crate) fn rejoin<A: Actor>(msg: A::Message, parent: Option<Span>) -> A::Message {
    match parent {
        Some(parent) => match A::traced(Traced { msg, parent }) {
            Ok(msg) => msg,
            // An actor type written by hand, without the variant: sent plain.
            Err(traced) => traced.msg,
        },
        None => msg,
    }
}

/// The span a message is handled in: a child of its sender's span, or, for
/// a message sent outside any span, of the actor's own span (the current
/// one in its task).
pub(crate) fn message_span<A: Actor>(parent: Option<&Span>, message: &'static str) -> Span {
    match parent {
        Some(parent) => {
            let span = tracing::debug_span!(parent: parent, "message", actor = A::NAME, message);
            span.follows_from(Span::current());
            span
        }
        None => tracing::debug_span!("message", message),
    }
}

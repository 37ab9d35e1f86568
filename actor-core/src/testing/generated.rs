//! What the `FooCall` code that `#[actor]` generates calls (with the
//! `testing` feature): the replies of a call, and its `Debug`. Not part of
//! the public API.

use std::fmt;

use crate::reply::{Reply, ReplyTo};

/// The reply of a told call: empty, sending into it does nothing.
#[inline]
pub fn __told<T>() -> Reply<T> {
    Reply::none()
}

/// The reply of an asked call: the asker waits on it.
#[inline]
pub fn __asked<T>(channel: ReplyTo<T>) -> Reply<T> {
    Reply::from_channel(channel)
}

/// An argument of a call, shown by its `Debug` if it has one
/// ([`__ShowDebug`]), else as `_` ([`__ShowOpaque`]): method resolution
/// picks the first that applies, `(&__Arg(x)).__show()`.
pub struct __Arg<'a, T>(pub &'a T);

/// [`__Arg`] of a `Debug` type: shown as it is.
pub trait __ShowDebug {
    /// The argument, to show.
    fn __show(&self) -> &dyn fmt::Debug;
}

impl<T: fmt::Debug> __ShowDebug for __Arg<'_, T> {
    fn __show(&self) -> &dyn fmt::Debug {
        self.0
    }
}

/// [`__Arg`] of any other type: shown as `_`.
pub trait __ShowOpaque {
    /// A placeholder.
    fn __show(&self) -> &dyn fmt::Debug;
}

impl<T> __ShowOpaque for &__Arg<'_, T> {
    fn __show(&self) -> &dyn fmt::Debug {
        &Opaque
    }
}

struct Opaque;

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("_")
    }
}

/// `Charge { cents: 500 } (ask)`: a call, its arguments, and whether it was
/// asked or told.
pub fn __debug_call<R>(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    args: &[(&str, &dyn fmt::Debug)],
    reply: &Reply<R>,
) -> fmt::Result {
    let mut call = f.debug_struct(name);
    for (arg, value) in args {
        call.field(arg, value);
    }
    call.finish()?;
    f.write_str(if reply.is_ask() { " (ask)" } else { " (tell)" })
}

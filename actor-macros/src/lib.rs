//! Procedural macros of [actor-core](https://docs.rs/actor-core): `#[actor]`
//! on a struct and on its impl block, `#[message]`, `#[on_start]`,
//! `#[on_stop]`, `#[on_restart]`. Use them through `actor_core::prelude`.
//!
//! Each entry point parses the input into a small model (`ast`), checks the
//! rules and collects every error (`check`), then generates code from the
//! model (`expand`). On error the user's item is returned unchanged (minus
//! this crate's attributes) together with the errors, so the rest of the crate
//! and the IDE keep working.

use proc_macro::TokenStream;
use quote::ToTokens;

mod ast;
mod attr;
mod check;
mod ctxt;
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

/// The entry points over `proc_macro2` types, so they can be tested and
/// snapshotted outside a macro context.
pub(crate) mod entry {
    use super::*;
    use proc_macro2::TokenStream;

    pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
        match syn::parse2::<syn::Item>(input.clone()) {
            Ok(syn::Item::Struct(item)) => actor_struct(args, item),
            Ok(syn::Item::Impl(item)) => actor_impl(args, item),
            Ok(other) => {
                let err = syn::Error::new_spanned(
                    item_keyword(&other),
                    "`#[actor]` goes on a struct and on its impl block",
                );
                let mut out = input;
                out.extend(err.to_compile_error());
                out
            }
            Err(err) => {
                let mut out = input;
                out.extend(err.to_compile_error());
                out
            }
        }
    }

    fn actor_struct(args: TokenStream, item: syn::ItemStruct) -> TokenStream {
        let cx = ctxt::Ctxt::new();
        let actor = ast::ActorStruct::parse(args, item, &cx);
        // Bad options do not stop the expansion (the defaults are used), so
        // that the impl block's expansion does not fail in turn.
        let mut out = if check::check_struct(&actor, &cx) {
            expand::expand_struct(&actor)
        } else {
            actor.item.into_token_stream()
        };
        if let Err(err) = cx.check() {
            out.extend(err.to_compile_error());
        }
        out
    }

    fn actor_impl(args: TokenStream, item: syn::ItemImpl) -> TokenStream {
        let cx = ctxt::Ctxt::new();
        let mut actor = ast::ActorImpl::parse(args, item, &cx);
        let verdict = check::check_impl(&actor, &cx);
        // With errors, the actor is still generated without the messages and
        // hooks that have them, so that the handle, the `Actor` impl and the
        // code that uses them do not fail in turn.
        let mut out = if verdict.expandable {
            actor.retain(&verdict.messages, &verdict.hooks);
            expand::expand_impl(&actor)
        } else {
            actor.item.into_token_stream()
        };
        if let Err(err) = cx.check() {
            out.extend(err.to_compile_error());
        }
        out
    }

    pub fn misplaced(name: &str, input: TokenStream) -> TokenStream {
        let err = syn::Error::new(
            proc_macro2::Span::call_site(),
            format!(
                "`#[{name}]` only works on a method of an `#[actor]` impl block; add `#[actor]` to the impl"
            ),
        );
        let mut out = input;
        out.extend(err.to_compile_error());
        out
    }

    /// The tokens that name what kind of item this is, for an error span.
    fn item_keyword(item: &syn::Item) -> proc_macro2::TokenStream {
        match item {
            syn::Item::Enum(i) => i.enum_token.into_token_stream(),
            syn::Item::Fn(i) => i.sig.fn_token.into_token_stream(),
            syn::Item::Trait(i) => i.trait_token.into_token_stream(),
            syn::Item::Union(i) => i.union_token.into_token_stream(),
            syn::Item::Mod(i) => i.mod_token.into_token_stream(),
            other => other.into_token_stream(),
        }
    }
}

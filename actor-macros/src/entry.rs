//! The entry points over `proc_macro2` types: parse, check, expand, and on
//! error the user's item (minus this crate's attributes) plus the errors.
//!
//! They take and return `proc_macro2` token streams, not `proc_macro` ones,
//! so that they also run outside a macro expansion: the expansion snapshot
//! tests of `actor-derive-tests` compile this file, with the other modules of
//! this crate, into the test (see `actor-derive-tests/tests/expand.rs`). This
//! file therefore reaches the other modules only through `crate::` paths.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

use crate::{ast, check, ctxt, expand};

/// `#[actor]` on a struct or on its impl block.
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::Item>(input.clone()) {
        Ok(syn::Item::Struct(item)) => actor_struct(args, item),
        Ok(syn::Item::Impl(item)) => actor_impl(args, item),
        Ok(other) => {
            let err = syn::Error::new_spanned(
                item_keyword(&other),
                "`#[actor]` goes on a struct and on its impl block",
            );
            with_error(input, err)
        }
        Err(err) => with_error(input, err),
    }
}

fn actor_struct(args: TokenStream, item: syn::ItemStruct) -> TokenStream {
    let cx = ctxt::Ctxt::new();
    let actor = ast::ActorStruct::parse(args, item, &cx);
    // Bad options do not stop the expansion (the defaults are used), so that
    // the impl block's expansion does not fail in turn.
    let out = if check::check_struct(&actor, &cx) {
        expand::expand_struct(&actor)
    } else {
        actor.item.into_token_stream()
    };
    match cx.check() {
        Ok(()) => out,
        Err(err) => with_error(out, err),
    }
}

fn actor_impl(args: TokenStream, item: syn::ItemImpl) -> TokenStream {
    let cx = ctxt::Ctxt::new();
    let mut actor = ast::ActorImpl::parse(args, item, &cx);
    let verdict = check::check_impl(&actor, &cx);
    // With errors, the actor is still generated without the messages and
    // hooks that have them, so that the handle, the `Actor` impl and the code
    // that uses them do not fail in turn.
    let out = if verdict.expandable {
        actor.retain(&verdict.messages, &verdict.hooks);
        expand::expand_impl(&actor)
    } else {
        actor.item.into_token_stream()
    };
    match cx.check() {
        Ok(()) => out,
        Err(err) => with_error(out, err),
    }
}

/// `#[message]`, `#[on_start]` and the like outside an `#[actor]` impl block
/// (which consumes them): the item unchanged, and an error.
pub fn misplaced(name: &str, input: TokenStream) -> TokenStream {
    let err = syn::Error::new(
        Span::call_site(),
        format!(
            "`#[{name}]` only works on a method of an `#[actor]` impl block; add `#[actor]` to the impl"
        ),
    );
    with_error(input, err)
}

fn with_error(mut tokens: TokenStream, err: syn::Error) -> TokenStream {
    tokens.extend(err.to_compile_error());
    tokens
}

/// The tokens that name what kind of item this is, for an error span.
fn item_keyword(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Enum(i) => i.enum_token.into_token_stream(),
        syn::Item::Fn(i) => i.sig.fn_token.into_token_stream(),
        syn::Item::Trait(i) => i.trait_token.into_token_stream(),
        syn::Item::Union(i) => i.union_token.into_token_stream(),
        syn::Item::Mod(i) => i.mod_token.into_token_stream(),
        other => other.into_token_stream(),
    }
}

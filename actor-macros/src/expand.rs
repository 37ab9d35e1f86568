//! Code generation from the model alone, one function per generated item.
//! Generated code names the runtime through one path (`::actor_core` or the
//! `crate = ..` override), fully qualified std paths, and carries the user's
//! spans where a type error should point.
//!
//! # Names
//!
//! Generated locals (`msg`, `ctx`, `reply`, ..) are [`local`] identifiers,
//! of `Span::mixed_site()` hygiene: they never clash with the user's
//! argument names, whatever those are (`ctx`, `reply`, `__reply`). What
//! hygiene does not cover (the reply field of a message variant, a generic
//! parameter of a generated method) gets a [`fresh`] name, unlike any of the
//! user's names around it. The user's methods are called as
//! `Self::name(self, ..)`, which finds the inherent method before any trait's
//! (a message may be named `handle` or `on_start`).
//!
//! # One mistake, one error
//!
//! The rules that need types (state, message arguments and responses are
//! `Send + 'static`) are asserted in a never-called function, spanned at the
//! user's types, through the check traits of `actor_core::__private`, whose
//! `#[diagnostic::on_unimplemented]` messages name the rule.
//!
//! Left alone, every generated item would then fail in turn, in rustc's
//! words: an `Rc` in the state breaks `ActorState: Send`, the `Actor` impl,
//! the handle's `type Actor`, the dispatch future. So each generated item
//! states what it needs as a `where` clause (`impl Actor for Counter where
//! Counter: Send, CounterMessage: Send`), and the handle's items state
//! `Counter: Actor`. A `where` clause is checked where the item is used, not
//! where it is defined: a broken rule is reported once, by its assertion, and
//! again only where the user's own code uses the actor. For a non-generic
//! actor rustc would check such a clause at once (a "trivial bound"); the
//! binder of `for<'__a>`, which binds nothing, makes it an ordinary clause
//! ([`gated`]).

use std::collections::HashSet;

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Attribute, GenericParam, Generics, Ident, ItemStruct, Path, ReturnType, Type};

use crate::ast::{
    ActorImpl, ActorStruct, Hook, HookKind, Message, Param, Receiver, cfgs_of, deprecations_of,
    docs_of,
};
use crate::attr::{Mailbox, TellErrors};
use crate::naming::{actor_name, runtime_path, suffixed, suffixed_path, variant_name};

/// A generated local variable: `name` with mixed-site hygiene, so that it
/// can neither see nor shadow a name of the user's.
fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `base`, or `base_`, `base__`, .. : the first that is not in `taken`. For
/// generated names that hygiene does not separate from the user's (fields,
/// generic parameters).
fn fresh<'a>(base: &str, taken: impl IntoIterator<Item = &'a Ident> + Clone) -> String {
    let mut name = base.to_owned();
    while taken.clone().into_iter().any(|t| t == &name) {
        name.push('_');
    }
    name
}

// ---------------------------------------------------------------------------
// #[actor] on the struct
// ---------------------------------------------------------------------------

pub fn expand_struct(actor: &ActorStruct) -> TokenStream {
    let item = &actor.item;
    let krate = runtime_path(actor.args.krate.as_ref());
    let scx = StructCx::new(item, &krate);
    let handle = handle_struct(item, &scx, &krate);
    let handle_impls = handle_impls(item, &scx, &krate);
    let state = state_impl(item, &actor.args, &krate);
    let checks = state_checks(item, &krate);
    quote! {
        #item
        #handle
        #handle_impls
        #state
        #checks
    }
}

/// What the struct-side items need to know: the struct's generics with the
/// gate `Counter: Actor` added (see the module docs), and names.
struct StructCx {
    /// `Counter<T>`
    actor_ty: TokenStream,
    /// `CounterHandle`
    handle: Ident,
    /// `CounterHandle<T>`
    handle_ty: TokenStream,
    /// The struct's generics plus `where Counter<T>: Actor`.
    generics: Generics,
}

impl StructCx {
    fn new(item: &ItemStruct, krate: &Path) -> Self {
        let ident = &item.ident;
        let handle = suffixed(ident, "Handle");
        let (_, ty_generics, _) = item.generics.split_for_impl();
        let actor_ty = quote!(#ident #ty_generics);
        let generics = gated_generics(&item.generics, [quote!(#actor_ty: #krate::Actor)]);
        StructCx {
            handle_ty: quote!(#handle #ty_generics),
            handle,
            actor_ty,
            generics,
        }
    }
}

/// `pub struct CounterHandle { .. }`, with the struct's visibility.
fn handle_struct(item: &ItemStruct, scx: &StructCx, krate: &Path) -> TokenStream {
    let ident = &item.ident;
    let vis = &item.vis;
    let handle = &scx.handle;
    let generics = &scx.generics;
    let where_clause = &generics.where_clause;
    let actor_ty = &scx.actor_ty;
    let doc = format!(
        " A handle to a running [`{ident}`] actor: one method per message, plus \
         [`ActorRef`]({}::ActorRef)'s `id`, `is_alive`, `stop` and `wait_stopped` \
         through `Deref`. Cheap to clone; stays valid across supervised restarts. \
         Two handles are equal when they reach the same actor.",
        krate.to_token_stream().to_string().replace(' ', "")
    );
    // `pub(crate)`: the handle's methods come from the impl block, which may
    // be in another module.
    quote! {
        #[doc = #doc]
        #vis struct #handle #generics #where_clause {
            pub(crate) __actor_ref: #krate::ActorRef<#actor_ty>,
        }
    }
}

/// The handle's trait impls: `ActorHandle`, `Clone`, `Debug`, `PartialEq`,
/// `Eq`, `Hash` (by actor, as `ActorRef`'s) and `Deref` to the `ActorRef`.
fn handle_impls(item: &ItemStruct, scx: &StructCx, krate: &Path) -> TokenStream {
    let actor_ty = &scx.actor_ty;
    let handle_ty = &scx.handle_ty;
    let handle_name = scx.handle.to_string();
    let (impl_generics, _, where_clause) = scx.generics.split_for_impl();
    // `ActorHandle::Actor` must name this handle as its `Handle`.
    let handle_generics = gated_generics(
        &item.generics,
        [quote!(#actor_ty: #krate::Actor<Handle = #handle_ty>)],
    );
    let (_, _, handle_where_clause) = handle_generics.split_for_impl();
    let (actor_ref, f, other, state) = (
        local("actor_ref"),
        local("f"),
        local("other"),
        local("state"),
    );
    let params = item.generics.params.iter().filter_map(|p| match p {
        GenericParam::Type(t) => Some(&t.ident),
        _ => None,
    });
    let hasher = Ident::new(&fresh("H", params), Span::call_site());
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::ActorHandle for #handle_ty #handle_where_clause {
            type Actor = #actor_ty;

            #[inline]
            fn from_ref(#actor_ref: #krate::ActorRef<#actor_ty>) -> Self {
                Self { __actor_ref: #actor_ref }
            }

            #[inline]
            fn actor_ref(&self) -> &#krate::ActorRef<#actor_ty> {
                &self.__actor_ref
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::clone::Clone for #handle_ty #where_clause {
            #[inline]
            fn clone(&self) -> Self {
                Self { __actor_ref: ::core::clone::Clone::clone(&self.__actor_ref) }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #handle_ty #where_clause {
            fn fmt(&self, #f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #f.debug_struct(#handle_name)
                    .field("id", &self.__actor_ref.id())
                    .field("alive", &self.__actor_ref.is_alive())
                    .finish()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::PartialEq for #handle_ty #where_clause {
            #[inline]
            fn eq(&self, #other: &Self) -> bool {
                self.__actor_ref == #other.__actor_ref
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::Eq for #handle_ty #where_clause {}

        #[automatically_derived]
        impl #impl_generics ::core::hash::Hash for #handle_ty #where_clause {
            #[inline]
            fn hash<#hasher: ::core::hash::Hasher>(&self, #state: &mut #hasher) {
                ::core::hash::Hash::hash(&self.__actor_ref, #state);
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::ops::Deref for #handle_ty #where_clause {
            type Target = #krate::ActorRef<#actor_ty>;

            #[inline]
            fn deref(&self) -> &Self::Target {
                &self.__actor_ref
            }
        }
    }
}

/// `impl ActorState`: marks the struct as actor state and records its
/// options (mailbox, what a told error does) where the impl block's
/// expansion, which cannot see them, reaches them through the type.
fn state_impl(item: &ItemStruct, args: &crate::attr::StructArgs, krate: &Path) -> TokenStream {
    let ident = &item.ident;
    let (_, ty_generics, _) = item.generics.split_for_impl();
    let generics = gated_generics(
        &item.generics,
        [quote!(#ident #ty_generics: ::core::marker::Send + 'static)],
    );
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let mailbox = args.mailbox.map(|mailbox| {
        let kind = match mailbox {
            Mailbox::Bounded(n) => {
                let n = Literal::usize_unsuffixed(n);
                quote!(#krate::MailboxKind::Bounded(#n))
            }
            Mailbox::Unbounded => quote!(#krate::MailboxKind::Unbounded),
        };
        quote!(const MAILBOX: #krate::MailboxKind = #kind;)
    });
    let tell_errors = args.tell_errors.map(|policy| {
        let policy = match policy {
            TellErrors::Fail => quote!(Fail),
            TellErrors::Log => quote!(Log),
        };
        quote!(const TELL_ERRORS: #krate::TellErrors = #krate::TellErrors::#policy;)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::ActorState for #ident #ty_generics #where_clause {
            #mailbox
            #tell_errors
        }
    }
}

/// One `Send` assertion per field, spanned at the field's type. A field whose
/// type mentions a type parameter is `Send` or not depending on the bounds,
/// which may be on the impl block (`struct Bag<T>` with
/// `impl<T: Send + 'static> Bag<T>`): the impl block's expansion checks the
/// whole state under its bounds instead ([`generic_state_check`]).
fn state_checks(item: &ItemStruct, krate: &Path) -> TokenStream {
    let ident = &item.ident;
    let (_, ty_generics, _) = item.generics.split_for_impl();
    let self_ty: Type = syn::parse_quote!(#ident #ty_generics);
    let params: Vec<&Ident> = item
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            _ => None,
        })
        .collect();
    let mut checks = Assertions::new(&item.generics, krate);
    for field in &item.fields {
        if mentions_any(&field.ty, &params) {
            continue;
        }
        let ty = replace_self(&field.ty, &self_ty);
        let span = field
            .ident
            .as_ref()
            .map_or_else(|| field.ty.span(), Ident::span);
        checks.add(&ty, span, Rule::StateField, &[]);
    }
    assertions_block([checks.into_fn("__assert_state_is_send", None)])
}

/// Whether `ty` names one of `params` (type parameters) anywhere.
fn mentions_any(ty: &Type, params: &[&Ident]) -> bool {
    struct Finder<'a> {
        params: &'a [&'a Ident],
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            if path.leading_colon.is_none()
                && let Some(first) = path.segments.first()
                && self.params.contains(&&first.ident)
            {
                self.found = true;
            }
            syn::visit::visit_path(self, path);
        }
    }
    if params.is_empty() {
        return false;
    }
    let mut finder = Finder {
        params,
        found: false,
    };
    finder.visit_type(ty);
    finder.found
}

// ---------------------------------------------------------------------------
// #[actor] on the impl block
// ---------------------------------------------------------------------------

/// What every generated item of one impl needs to know.
struct ImplCx<'a> {
    /// The actor declares `#[on_down]` or `#[on_link_died]`: its messages
    /// include the runtime's notices.
    notices: bool,
    /// It declares `#[on_link_died]`.
    traps: bool,
    krate: Path,
    self_ty: &'a Type,
    generics: &'a Generics,
    /// `CounterMessage`
    message_ident: Ident,
    /// `CounterCall`, the messages as a test's stand-in gets them.
    call_ident: Ident,
    /// `CounterMessage<T>`
    message_ty: TokenStream,
    /// `CounterHandle<T>`
    handle_ty: Path,
    /// `T, N`: the impl's type and const parameters, for `use<..>`.
    captured: Vec<&'a Ident>,
}

pub fn expand_impl(actor: &ActorImpl) -> TokenStream {
    let self_path = actor
        .self_path
        .as_ref()
        .expect("checked: an impl of a path type");
    let generics = &actor.item.generics;
    let (_, ty_generics, _) = generics.split_for_impl();
    let last = &self_path
        .segments
        .last()
        .expect("a path has a segment")
        .ident;
    let message_ident = suffixed(last, "Message");
    let icx = ImplCx {
        call_ident: suffixed(last, "Call"),
        notices: actor.hooks.iter().any(|h| h.kind.is_notice()),
        traps: actor.hooks.iter().any(|h| h.kind == HookKind::LinkDied),
        krate: runtime_path(actor.args.krate.as_ref()),
        self_ty: &actor.item.self_ty,
        generics,
        message_ty: quote!(#message_ident #ty_generics),
        message_ident,
        handle_ty: suffixed_path(self_path, "Handle"),
        captured: generics
            .params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Type(t) => Some(&t.ident),
                GenericParam::Const(c) => Some(&c.ident),
                GenericParam::Lifetime(_) => None,
            })
            .collect(),
    };
    let messages: Vec<MessageCx<'_>> = actor
        .messages
        .iter()
        .map(|m| MessageCx::new(m, &icx))
        .collect();

    let item = &actor.item;
    let message_enum = message_enum(&icx, &messages);
    let actor_impl = actor_impl(&icx, &messages, &actor.hooks, &actor_name(self_path));
    let handle_methods = handle_methods(&icx, &messages);
    let checks = impl_checks(&icx, &messages);
    let calls = calls(&icx, &messages);
    let remote = actor
        .args
        .remote
        .as_ref()
        .map(|wire| remote_items(&icx, &messages, self_path, wire));
    quote! {
        #item
        #message_enum
        #actor_impl
        #handle_methods
        #checks
        #calls
        #remote
    }
}

/// One message, with the pieces every generated item uses.
struct MessageCx<'a> {
    msg: &'a Message,
    /// The variant of a tell: the arguments only.
    variant: Ident,
    /// The variant of an ask: the arguments and the reply channel
    /// (`__IncAsk`; no user method can make a name with leading underscores).
    ask_variant: Ident,
    /// The ask variant's reply field, named unlike every argument (`reply`,
    /// unless an argument has that name). Mixed-site: where it is bound as a
    /// local (`Msg::__IncAsk { by, reply }`), the local is the macro's.
    reply: Ident,
    name: String,
    /// The payload arguments.
    fields: Vec<Field<'a>>,
    /// The response type (declared, or the return type), `Self` replaced.
    response: Type,
    /// What the handler returns when that may differ from `response` (a
    /// declared `response` and a return type): checked to agree.
    returned: Option<Type>,
    delegated: bool,
    cfgs: Vec<Attribute>,
    /// `#[deprecated]`: carried to the handle method.
    deprecations: Vec<Attribute>,
}

impl<'a> MessageCx<'a> {
    fn new(msg: &'a Message, icx: &ImplCx<'_>) -> Self {
        let sig = &msg.method.sig;
        let fields: Vec<Field<'_>> = msg
            .params
            .iter()
            .filter_map(|p| match p {
                Param::Payload {
                    ident: Some(ident),
                    ty,
                    ..
                } => Some(Field::new(ident, replace_self(ty, icx.self_ty), icx)),
                _ => None,
            })
            .collect();
        let output = match &sig.output {
            ReturnType::Type(_, ty) => Some(replace_self(ty, icx.self_ty)),
            ReturnType::Default => None,
        };
        let declared = msg
            .args
            .response
            .as_ref()
            .map(|ty| replace_self(ty, icx.self_ty));
        let delegated = msg.params.iter().any(|p| matches!(p, Param::Reply { .. }));
        let (response, returned) = match (declared, output) {
            (Some(declared), output) if !delegated => {
                let returned = output.unwrap_or_else(|| syn::parse_quote!(()));
                // Written the same: nothing to check.
                let same = same_tokens(&declared, &returned);
                (declared, (!same).then_some(returned))
            }
            (Some(declared), _) => (declared, None),
            (None, Some(output)) => (output, None),
            (None, None) => (syn::parse_quote!(()), None),
        };
        let variant = variant_name(&sig.ident);
        let reply = local(&fresh("reply", fields.iter().map(|f| f.name)));
        MessageCx {
            msg,
            ask_variant: format_ident!("__{}Ask", variant, span = variant.span()),
            variant,
            reply,
            name: sig.ident.to_string().trim_start_matches("r#").to_owned(),
            fields,
            response,
            returned,
            delegated,
            cfgs: cfgs_of(&msg.method.attrs),
            deprecations: deprecations_of(&msg.method.attrs),
        }
    }

    /// The declared response, else the return type.
    fn response_span(&self) -> Span {
        match (&self.msg.args.response, &self.msg.method.sig.output) {
            (Some(ty), _) => ty.span(),
            (None, ReturnType::Type(_, ty)) => ty.span(),
            (None, ReturnType::Default) => self.msg.method.sig.ident.span(),
        }
    }

    fn returns_unit(&self) -> bool {
        self.msg.args.response.is_none()
            && matches!(self.msg.method.sig.output, ReturnType::Default)
    }

    fn is_async(&self) -> bool {
        self.msg.method.sig.asyncness.is_some()
    }

    /// The return type, else the method name.
    fn returned_span(&self) -> Span {
        match &self.msg.method.sig.output {
            ReturnType::Type(_, ty) => ty.span(),
            ReturnType::Default => self.msg.method.sig.ident.span(),
        }
    }

    /// `#[allow(deprecated)]` where generated code calls a deprecated handler.
    fn allow_deprecated(&self) -> Option<TokenStream> {
        (!self.deprecations.is_empty()).then(|| quote!(#[allow(deprecated)]))
    }
}

/// One argument carried in a message.
struct Field<'a> {
    name: &'a Ident,
    /// Its type, `Self` replaced.
    ty: Type,
    /// An array, which travels boxed if it is large (see `Carry` in
    /// `actor_core::__private`). Only where its size does not depend on the
    /// actor's parameters: a constant cannot use them.
    carried: bool,
}

impl<'a> Field<'a> {
    fn new(name: &'a Ident, ty: Type, icx: &ImplCx<'_>) -> Self {
        let params: Vec<&Ident> = icx
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                GenericParam::Type(t) => Some(&t.ident),
                GenericParam::Const(c) => Some(&c.ident),
                GenericParam::Lifetime(_) => None,
            })
            .collect();
        let carried = is_array(&ty) && !mentions_any(&ty, &params);
        Field { name, ty, carried }
    }

    /// `name: Type` in the message enum.
    fn declaration(&self, krate: &Path) -> TokenStream {
        let Field { name, ty, .. } = self;
        if self.carried {
            quote!(#name: #krate::__private::Carry<#ty, { #krate::__private::boxes::<#ty>() }>)
        } else {
            quote!(#name: #ty)
        }
    }
}

fn is_array(ty: &Type) -> bool {
    match ty {
        Type::Array(_) => true,
        Type::Paren(p) => is_array(&p.elem),
        Type::Group(g) => is_array(&g.elem),
        _ => false,
    }
}

/// The rules of the impl block that need types: message arguments and
/// responses are `Send + 'static`; a generic actor's state is `Send` under
/// the impl's bounds; the state of an actor with an async `&self` handler is
/// `Sync`.
fn impl_checks(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let mut checks = Assertions::new(icx.generics, &icx.krate);
    let mut state = Assertions::new(icx.generics, &icx.krate);
    for m in messages {
        for field in &m.fields {
            checks.add(&field.ty, field.name.span(), Rule::MessageArg, &m.cfgs);
        }
        if !m.returns_unit() {
            checks.add(
                &m.response,
                m.response_span(),
                Rule::MessageResponse,
                &m.cfgs,
            );
        }
        if let Some(span) = async_ref_receiver(m) {
            state.add(icx.self_ty, span, Rule::AsyncRefHandler, &m.cfgs);
        }
    }
    if has_type_params(icx.generics) {
        state.add(icx.self_ty, icx.self_ty.span(), Rule::GenericState, &[]);
    }
    assertions_block([
        checks.into_fn("__assert_messages_are_send", None),
        state.into_fn("__assert_state_rules", Some(icx.self_ty)),
    ])
}

/// The receiver of an async `&self` handler: its future holds `&State`
/// across `.await`, which is `Send` only if the state is `Sync`.
fn async_ref_receiver(m: &MessageCx<'_>) -> Option<Span> {
    let sig = &m.msg.method.sig;
    match (&m.msg.receiver, sig.asyncness, sig.inputs.first()) {
        (Receiver::Ref, Some(_), Some(receiver)) => Some(receiver.span()),
        _ => None,
    }
}

fn has_type_params(generics: &Generics) -> bool {
    generics
        .params
        .iter()
        .any(|p| matches!(p, GenericParam::Type(_)))
}

/// `pub enum CounterMessage { Inc { by: u64 }, __IncAsk { by: u64, reply: ReplyTo<()> }, .. }`
///
/// Two variants per message: a tell carries no reply channel at all, and an
/// ask carries one pointer to it, so messages are as small as a hand-written
/// enum's.
fn message_enum(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let krate = &icx.krate;
    let ident = &icx.message_ident;
    let generics = icx.generics;
    let where_clause = &generics.where_clause;
    let variants = messages.iter().map(|m| {
        let variant = &m.variant;
        let ask_variant = &m.ask_variant;
        let cfgs = &m.cfgs;
        let response = &m.response;
        let reply = &m.reply;
        let fields: Vec<TokenStream> = m.fields.iter().map(|f| f.declaration(krate)).collect();
        quote! {
            #(#cfgs)*
            #variant { #(#fields,)* },
            #(#cfgs)*
            #ask_variant { #(#fields,)* #reply: #krate::__private::ReplyTo<#response> },
        }
    });
    let phantom = phantom_variant(icx);
    let notice = icx.notices.then(|| {
        quote! {
            /// A notice from the runtime: a watched actor went down, a linked one died.
            __Notice(::std::boxed::Box<#krate::monitor::Notice>),
        }
    });
    let doc = format!(
        " The messages of [`{}`]: one variant per `#[message]` method.",
        icx.self_ty.to_token_stream().to_string().replace(' ', "")
    );
    // Each variant's fields in their order, after the tag: an argument is at
    // the same offset in the tell and the ask variant (the reply comes
    // last), so that building either is one copy. Laid out freely, a large
    // argument may sit at different offsets, and LLVM then splits its
    // copies byte range by byte range (minutes of build time for a 64 KiB
    // argument).
    // A message sent from inside a `tracing` span carries it, boxed (the
    // type erased, see `Carried`): no wider than an ask variant with its
    // reply channel and arguments.
    let traced = quote! {
        #[doc(hidden)]
        __Traced(#krate::trace::Carried),
    };
    let variants_count =
        2 * messages.len() + 1 + usize::from(phantom.is_some()) + usize::from(notice.is_some());
    let repr = match variants_count {
        0 => None,
        1..=256 => Some(quote!(#[repr(u8)])),
        _ => Some(quote!(#[repr(u16)])),
    };
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(private_interfaces, non_camel_case_types, clippy::large_enum_variant)]
        #repr
        pub enum #ident #generics #where_clause {
            #(#variants)*
            #notice
            #traced
            #phantom
        }
    }
}

/// A generic actor's parameters may appear in no message; this variant uses
/// them, and cannot be built.
fn phantom_variant(icx: &ImplCx<'_>) -> Option<TokenStream> {
    let types: Vec<&Ident> = icx
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            _ => None,
        })
        .collect();
    if types.is_empty() {
        return None;
    }
    Some(quote! {
        #[doc(hidden)]
        __Phantom(
            ::core::marker::PhantomData<fn() -> (#(#types,)*)>,
            ::core::convert::Infallible,
        ),
    })
}

/// `CounterMessage::__Phantom(_, never) => match never {},`
fn phantom_arm(icx: &ImplCx<'_>) -> Option<TokenStream> {
    let message_ident = &icx.message_ident;
    let never = local("never");
    phantom_variant(icx)
        .map(|_| quote! { #message_ident::__Phantom(_, #never) => match #never {}, })
}

/// `impl Actor for Counter`: the dispatch `match` and the hooks.
fn actor_impl(
    icx: &ImplCx<'_>,
    messages: &[MessageCx<'_>],
    hooks: &[Hook],
    name: &str,
) -> TokenStream {
    let krate = &icx.krate;
    let self_ty = icx.self_ty;
    let message_ident = &icx.message_ident;
    let message_ty = &icx.message_ty;
    let handle_ty = &icx.handle_ty;
    let mut predicates = vec![
        quote!(#self_ty: ::core::marker::Send + 'static),
        quote!(#message_ty: ::core::marker::Send + 'static),
    ];
    // An async `&self` handler needs the state `Sync`: asserted by
    // `impl_checks`, with the rule; stated here so that the dispatch future is
    // not reported again.
    if messages.iter().any(|m| async_ref_receiver(m).is_some()) {
        predicates.push(quote!(#self_ty: ::core::marker::Sync));
    }
    let generics = gated_generics(icx.generics, predicates);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let msg = local("msg");

    let handle = handle_fn(icx, messages);
    let handle_sync = handle_sync_fn(icx, messages);
    let name_arms: Vec<TokenStream> = messages.iter().map(|m| {
        let variant = &m.variant;
        let ask_variant = &m.ask_variant;
        let cfgs = &m.cfgs;
        let name = &m.name;
        quote! {
            #(#cfgs)* #message_ident::#variant { .. } | #message_ident::#ask_variant { .. } => #name,
        }
    }).collect();
    let phantom_arm = phantom_arm(icx);
    let notice_name = icx
        .notices
        .then(|| quote! { #message_ident::__Notice(_) => "notice", });
    // The arms again rather than a call of `message_name`, which would check
    // `Self: Actor` inside its own impl (and report a missing `#[actor]` on
    // the struct twice).
    let traced_name = quote! {
        #message_ident::__Traced(ref traced) => match traced.peek::<#message_ty>() {
            ::core::option::Option::Some(#msg) => match *#msg {
                #(#name_arms)*
                #notice_name
                #phantom_arm
                #message_ident::__Traced(_) => "traced",
            },
            ::core::option::Option::None => "traced",
        },
    };
    let (traced, traced_ty) = (local("traced"), quote!(#krate::trace::Traced<#message_ty>));
    let trace_fns = quote! {
        #[inline]
        fn traced(#traced: #traced_ty) -> ::core::result::Result<#message_ty, #traced_ty> {
            ::core::result::Result::Ok(#message_ident::__Traced(#krate::trace::Carried::new(#traced)))
        }
        #[inline]
        fn untraced(#msg: #message_ty) -> ::core::result::Result<#traced_ty, #message_ty> {
            match #msg {
                #message_ident::__Traced(#traced) => ::core::result::Result::Ok(#traced.take::<#message_ty>()),
                #msg => ::core::result::Result::Err(#msg),
            }
        }
    };
    let hook_fns = hooks.iter().map(|h| hook_fn(icx, h));
    let notice_fn = icx.notices.then(|| {
        let notice = local("notice");
        quote! {
            fn notice(#notice: #krate::monitor::Notice) -> ::core::option::Option<#message_ty> {
                ::core::option::Option::Some(#message_ident::__Notice(::std::boxed::Box::new(#notice)))
            }
        }
    });
    let traps = icx
        .traps
        .then(|| quote! { const TRAPS_LINK_DEATHS: bool = true; });

    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Actor for #self_ty #where_clause {
            type Message = #message_ty;
            type Handle = #handle_ty;
            const NAME: &'static str = #name;
            #traps

            #handle

            #handle_sync

            fn message_name(#msg: &#message_ty) -> &'static str {
                match *#msg {
                    #(#name_arms)*
                    #notice_name
                    #traced_name
                    #phantom_arm
                }
            }

            #trace_fns

            #notice_fn

            #(#hook_fns)*
        }
    }
}

/// `handle`: every handler, awaited if async. (The runtime tries
/// `handle_sync` first; calling it from here instead would check
/// `Self: Actor` inside its own impl, and report a missing `#[actor]` on the
/// struct twice.)
fn handle_fn(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let krate = &icx.krate;
    let message_ty = &icx.message_ty;
    let (msg, ctx) = (local("msg"), local("ctx"));
    let arms = messages.iter().map(|m| dispatch_arms(icx, m, None));
    let told = messages
        .iter()
        .any(|m| m.reports_told())
        .then(|| told_imports(krate));
    let phantom = phantom_arm(icx);
    let notice = icx.notices.then(|| {
        let (message_ident, notice) = (&icx.message_ident, local("notice"));
        quote! {
            #message_ident::__Notice(#notice) => {
                #krate::monitor::handle_notice(self, *#notice, #ctx).await;
            }
        }
    });
    // The runtime unwraps a message sent with its sender's span before it
    // calls `handle` (see `actor_core::trace`).
    let message_ident = &icx.message_ident;
    let traced = quote! {
        #message_ident::__Traced(#msg) => {
            ::core::mem::drop(#msg);
            ::core::unreachable!("the runtime unwraps traced messages")
        }
    };
    let rest = quote!(#notice #traced #phantom);
    // A `match` on an enum of one variant destructures it in place, and the
    // async block then captures the fields one by one (precise closure
    // capture), which would make a field that is not `Send` fail the future
    // in turn. Moving the whole message first keeps it one capture. (With
    // `#[cfg]`, the enum may have one variant in the end.)
    let unconditional = messages.iter().filter(|m| m.cfgs.is_empty()).count();
    let whole = (unconditional <= 1 && !messages.is_empty() && phantom_variant(icx).is_none())
        .then(|| quote!(let #msg = #msg;));
    // Every handler synchronous: the runtime sends every message through
    // `handle_sync`, and this runs them at once and returns a ready future,
    // which takes no room in the actor's task.
    if !icx.notices && messages.iter().all(|m| !m.is_async()) {
        return quote! {
            // (An actor without messages has an empty enum: the `match` never returns.)
            #[allow(unreachable_code)]
            fn handle(
                &mut self,
                #msg: #message_ty,
                #ctx: &mut #krate::Context<Self>,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                #told
                let _ = &#ctx;
                match #msg {
                    #(#arms)*
                    #rest
                }
                ::core::future::ready(())
            }
        };
    }
    quote! {
        fn handle(
            &mut self,
            #msg: #message_ty,
            #ctx: &mut #krate::Context<Self>,
        ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
            async move {
                #told
                #whole
                match #msg {
                    #(#arms)*
                    #rest
                }
            }
        }
    }
}

/// `handle_sync`: the synchronous handlers, run without a future; messages of
/// async handlers are given back. Not generated when every handler is async
/// (the trait's default gives everything back).
fn handle_sync_fn(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> Option<TokenStream> {
    let sync: Vec<&MessageCx<'_>> = messages.iter().filter(|m| !m.is_async()).collect();
    if sync.is_empty() {
        return None;
    }
    let krate = &icx.krate;
    let message_ty = &icx.message_ty;
    let (msg, ctx) = (local("msg"), local("ctx"));
    let none = quote!(::core::option::Option::None);
    let arms = sync.iter().map(|m| dispatch_arms(icx, m, Some(&none)));
    let told = sync
        .iter()
        .any(|m| m.reports_told())
        .then(|| told_imports(krate));
    // Async handlers' messages, notices and a message that came with its
    // sender's span (unwrapped on the async path) are given back.
    let message_ident = &icx.message_ident;
    let rest = if sync.len() < messages.len() || icx.notices {
        quote! { #msg => ::core::option::Option::Some(#msg), }
    } else {
        // Moved out and back rather than `msg => Some(msg)` or `_`: a
        // message left partly moved would be dropped through a call after
        // every handler (14 instructions per message, callgrind).
        let phantom = phantom_arm(icx);
        quote! {
            #message_ident::__Traced(#msg) => ::core::option::Option::Some(#message_ident::__Traced(#msg)),
            #phantom
        }
    };
    // Called from one place, the actor's message loop: always inlined there.
    Some(quote! {
        #[inline(always)]
        fn handle_sync(
            &mut self,
            #msg: #message_ty,
            #ctx: &mut #krate::Context<Self>,
        ) -> ::core::option::Option<#message_ty> {
            #told
            match #msg {
                #(#arms)*
                #rest
            }
        }
    })
}

/// The traits that tell a `Result` from other values (see `Told` in
/// `actor_core::__private`).
fn told_imports(krate: &Path) -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use #krate::__private::{ToldResult as _, ToldValue as _};
    }
}

/// The two arms of a message, tell and ask; `tail` ends each arm's block
/// (`handle_sync` returns `None`).
///
/// ```text
/// Msg::Save { data } => { (&Told(Self::save(self, data))).report(ctx, "save"); }
/// Msg::__SaveAsk { data, reply } => {
///     let reply = reply_to(reply);
///     reply.send(Self::save(self, data));
/// }
/// ```
///
/// A tell's response is not sent anywhere; a tell's `Err` is reported
/// instead (see `actor_core::TellErrors`). The ask's channel becomes the
/// handler's `Reply` before the handler runs, so that a panic in the handler
/// drops it as a `Reply` and the asker learns of the panic.
fn dispatch_arms(icx: &ImplCx<'_>, m: &MessageCx<'_>, tail: Option<&TokenStream>) -> TokenStream {
    let krate = &icx.krate;
    let message_ident = &icx.message_ident;
    let (variant, ask_variant, reply) = (&m.variant, &m.ask_variant, &m.reply);
    let cfgs = &m.cfgs;
    let allow = m.allow_deprecated();
    let names: Vec<&Ident> = m.fields.iter().map(|f| f.name).collect();
    let response = &m.response;
    let ctx = local("ctx");

    let tell_reply = quote!(#krate::__private::no_reply::<#response>());
    let carried: Vec<&Field<'_>> = m.fields.iter().filter(|f| f.carried).collect();
    let tell_call = call(
        icx,
        &m.msg.method,
        &m.msg.params,
        response,
        &tell_reply,
        &carried,
    );
    let tell = if m.delegated || m.returns_unit() {
        quote!(#tell_call;)
    } else if m.is_async() {
        let value = m.checked_response(icx, tell_call);
        let (response, name) = (local("response"), &m.name);
        quote! {
            let #response = #value;
            (&#krate::__private::Told(#response)).report(#ctx, #name);
        }
    } else {
        let value = m.checked_response(icx, tell_call);
        let name = &m.name;
        quote!((&#krate::__private::Told(#value)).report(#ctx, #name);)
    };

    let ask_call = call(
        icx,
        &m.msg.method,
        &m.msg.params,
        response,
        &quote!(#reply),
        &carried,
    );
    let ask = if m.delegated {
        quote!(#ask_call;)
    } else if m.returns_unit() {
        quote! {
            #ask_call;
            #reply.send(());
        }
    } else if m.is_async() {
        let value = m.checked_response(icx, ask_call);
        let response = local("response");
        quote! {
            let #response = #value;
            #reply.send(#response);
        }
    } else {
        let value = m.checked_response(icx, ask_call);
        quote!(#reply.send(#value);)
    };
    quote! {
        #(#cfgs)*
        #allow
        #message_ident::#variant { #(#names,)* } => {
            #tell
            #tail
        }
        #(#cfgs)*
        #allow
        #message_ident::#ask_variant { #(#names,)* #reply } => {
            let #reply = #krate::__private::reply_to(#reply);
            #ask
            #tail
        }
    }
}

impl MessageCx<'_> {
    /// Whether a tell of this message has a response to look at for an `Err`.
    fn reports_told(&self) -> bool {
        !self.delegated && !self.returns_unit()
    }

    /// The handler's value as the response: with a declared `response`, the
    /// returned value must be of that type, checked with the error at the
    /// user's return type.
    fn checked_response(&self, icx: &ImplCx<'_>, call: TokenStream) -> TokenStream {
        let Some(returned) = &self.returned else {
            return call;
        };
        let krate = &icx.krate;
        let response = &self.response;
        let span = self.returned_span();
        let check = respan(quote!(#krate::__private::response), span);
        quote_spanned!(span=> #check::<#response, #returned>(#call))
    }
}

/// The call of a handler or hook, `Self::name(self, ..)` with `ctx`, `reply`
/// and `reason` in the user's argument order, awaited if async. `reply` is
/// the expression of the reply slot.
fn call(
    icx: &ImplCx<'_>,
    method: &syn::ImplItemFn,
    params: &[Param],
    response: &Type,
    reply: &TokenStream,
    carried: &[&Field<'_>],
) -> TokenStream {
    let krate = &icx.krate;
    let ident = &method.sig.ident;
    let args = params.iter().map(|p| match p {
        Param::Payload {
            ident: Some(ident), ..
        } if carried.iter().any(|f| f.name == ident) => quote!(#ident.into_inner()),
        Param::Payload { ident, .. } => quote!(#ident),
        // At the user's type, so that a mismatch (the user's own type named
        // `Context`) points there.
        Param::Ctx { ty, .. } => {
            Ident::new("ctx", Span::mixed_site().located_at(ty.span())).into_token_stream()
        }
        Param::Reply { ty, .. } => {
            // The argument's type must be `Reply<response>`, and not the
            // user's own type named `Reply`; checked at the user's type.
            let ty = replace_self(ty, icx.self_ty);
            let delegate = respan(quote!(#krate::__private::delegate), ty.span());
            quote_spanned!(ty.span()=> #delegate::<#response, #ty>(#reply))
        }
        Param::Reason { ty } => {
            Ident::new("reason", Span::mixed_site().located_at(ty.span())).into_token_stream()
        }
    });
    if method.sig.asyncness.is_some() && !carried.is_empty() {
        // The handler's future holds the large arguments: boxed with them,
        // so that the actor's task does not grow by their size. It is made
        // in a block of its own, so that the copies a debug build makes on
        // the way are on that block's stack, not the dispatch's.
        let boxed = carried
            .iter()
            .map(|Field { ty, .. }| quote!(#krate::__private::boxes::<#ty>()));
        let boxing = respan(quote!(#krate::__private::Boxing), ident.span());
        quote_spanned! {ident.span()=>
            async {
                #boxing::<{ #(#boxed)||* }>::future(Self::#ident(self, #(#args),*)).await
            }
            .await
        }
    } else if method.sig.asyncness.is_some() {
        // Spanned at the handler's name: a future that is not `Send` is
        // reported there, with rustc's note on what it holds across `.await`.
        let check = respan(quote!(#krate::__private::assert_send_handler), ident.span());
        quote_spanned!(ident.span()=> #check(Self::#ident(self, #(#args),*)).await)
    } else if !carried.is_empty() {
        quote!(#krate::__private::in_own_frame(|| Self::#ident(self, #(#args),*)))
    } else {
        quote!(Self::#ident(self, #(#args),*))
    }
}

fn hook_fn(icx: &ImplCx<'_>, hook: &Hook) -> TokenStream {
    let krate = &icx.krate;
    let no_reply = TokenStream::new();
    let call = call(
        icx,
        &hook.method,
        &hook.params,
        &syn::parse_quote!(()),
        &no_reply,
        &[],
    );
    let allow = deprecations_of(&hook.method.attrs)
        .first()
        .map(|_| quote!(#[allow(deprecated)]));
    let future = quote!(impl ::core::future::Future<Output = ()> + ::core::marker::Send);
    let (ctx, reason) = (local("ctx"), local("reason"));
    match hook.kind {
        HookKind::Start => quote! {
            #allow
            fn on_start(&mut self, #ctx: &mut #krate::Context<Self>) -> #future {
                async move { #call; }
            }
        },
        HookKind::Restart => quote! {
            #allow
            fn on_restart(&mut self, #ctx: &mut #krate::Context<Self>) -> #future {
                async move { #call; }
            }
        },
        HookKind::Down | HookKind::LinkDied => {
            // `id` and `reason` bound to the user's own patterns, at their
            // types: a wrong type is reported at the user's argument.
            let (id, why) = (local("id"), local("why"));
            let mut values = [&id, &why].into_iter();
            let bindings = hook.params.iter().filter_map(|p| match p {
                Param::Payload { pat, ty, .. } => {
                    // The value located at the user's type: a mismatch is reported there.
                    let value = values.next()?;
                    let value =
                        Ident::new(&value.to_string(), Span::mixed_site().located_at(ty.span()));
                    Some(quote_spanned!(ty.span()=> let #pat: #ty = #value;))
                }
                _ => None,
            });
            let trait_fn = Ident::new(hook.kind.name(), Span::call_site());
            quote! {
                #allow
                fn #trait_fn(
                    &mut self,
                    #ctx: &mut #krate::Context<Self>,
                    #id: #krate::ActorId,
                    #why: #krate::StopReason,
                ) -> #future {
                    async move {
                        #(#bindings)*
                        #call;
                    }
                }
            }
        }
        HookKind::Stop => quote! {
            #allow
            fn on_stop(
                &mut self,
                #ctx: &mut #krate::Context<Self>,
                #reason: &#krate::StopReason,
            ) -> #future {
                async move { #call; }
            }
        },
    }
}

/// One method per message on the handle, building a `Request`.
fn handle_methods(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    if messages.is_empty() {
        return TokenStream::new();
    }
    let krate = &icx.krate;
    let self_ty = icx.self_ty;
    let handle_ty = &icx.handle_ty;
    let message_ident = &icx.message_ident;
    let message_ty = &icx.message_ty;
    let captured = &icx.captured;
    let generics = gated_generics(
        icx.generics,
        [quote!(#self_ty: #krate::Actor<Message = #message_ty>)],
    );
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let slot = local("slot");
    let methods = messages.iter().map(|m| {
        let method = &m.msg.method;
        let vis = &method.vis;
        let ident = &method.sig.ident;
        let docs = docs_of(&method.attrs);
        let deprecations = &m.deprecations;
        let cfgs = &m.cfgs;
        let (variant, ask_variant, reply) = (&m.variant, &m.ask_variant, &m.reply);
        let response = &m.response;
        let params = m.fields.iter().map(|Field { name, ty, .. }| quote!(#name: #ty));
        let names: Vec<&Ident> = m.fields.iter().map(|f| f.name).collect();
        let carry = m.fields.iter().filter(|f| f.carried).map(|Field { name, .. }| {
            quote!(let #name = #krate::__private::Carry::new(#name);)
        });
        // Spanned at the handler's name, so that "private method defined
        // here" and the like point at the user's method.
        quote_spanned! {ident.span()=>
            #(#docs)*
            #(#deprecations)*
            #(#cfgs)*
            #[inline]
            #vis fn #ident(&self, #(#params),*) -> #krate::Request<
                '_,
                #self_ty,
                #response,
                impl ::core::ops::FnOnce(#krate::Reply<#response>) -> #message_ty + use<#(#captured),*>,
            > {
                #(#carry)*
                self.__actor_ref.request(move |#slot| {
                    match #krate::__private::ask_slot(#slot) {
                        ::core::option::Option::None => #message_ident::#variant { #(#names,)* },
                        ::core::option::Option::Some(#reply) => {
                            #message_ident::#ask_variant { #(#names,)* #reply }
                        }
                    }
                })
            }
        }
    });
    quote! {
        impl #impl_generics #handle_ty #where_clause {
            #(#methods)*
        }
    }
}

// ---------------------------------------------------------------------------
// The test kit's view of the messages (actor-core's `testing` feature)
// ---------------------------------------------------------------------------

/// `CounterCall`: one variant per message, with its arguments and its
/// `Reply` (empty for a tell), for a stand-in of the actor in a test
/// (`actor_core::testing::stand_in`); the conversion from `CounterMessage`
/// and a `Debug` that shows the arguments that are `Debug`. All of it inside
/// `if_testing!`, which keeps it only where actor-core's `testing` feature
/// is on: other builds compile none of it.
fn calls(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let krate = &icx.krate;
    let self_ty = icx.self_ty;
    let (message_ident, message_ty) = (&icx.message_ident, &icx.message_ty);
    let call_ident = &icx.call_ident;
    let generics = icx.generics;
    let (_, ty_generics, where_clause) = generics.split_for_impl();
    let call_ty = quote!(#call_ident #ty_generics);
    let (msg, f, never) = (local("msg"), local("f"), local("never"));

    let variants = messages.iter().map(|m| {
        let (variant, reply, cfgs, response) = (&m.variant, &m.reply, &m.cfgs, &m.response);
        let fields = m
            .fields
            .iter()
            .map(|Field { name, ty, .. }| quote!(#name: #ty));
        let doc = format!(
            " `{}`, told or asked: an ask is answered through `{}` (a tell's is empty).",
            m.name, reply
        );
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #variant { #(#fields,)* #reply: #krate::Reply<#response> },
        }
    });
    let to_call: Vec<TokenStream> = messages
        .iter()
        .map(|m| {
            let (variant, ask_variant, reply, cfgs) =
                (&m.variant, &m.ask_variant, &m.reply, &m.cfgs);
            let names: Vec<&Ident> = m.fields.iter().map(|f| f.name).collect();
            let values: Vec<TokenStream> = m
                .fields
                .iter()
                .map(|Field { name, carried, .. }| {
                    if *carried {
                        quote!(#name: #name.into_inner())
                    } else {
                        quote!(#name)
                    }
                })
                .collect();
            quote! {
                #(#cfgs)*
                #message_ident::#variant { #(#names,)* } => ::core::option::Option::Some(
                    #call_ident::#variant { #(#values,)* #reply: #krate::testing::__told() }
                ),
                #(#cfgs)*
                #message_ident::#ask_variant { #(#names,)* #reply } => ::core::option::Option::Some(
                    #call_ident::#variant { #(#values,)* #reply: #krate::testing::__asked(#reply) }
                ),
            }
        })
        .collect();
    let debug_arms = messages.iter().map(|m| {
        let (variant, reply, cfgs) = (&m.variant, &m.reply, &m.cfgs);
        let names: Vec<&Ident> = m.fields.iter().map(|f| f.name).collect();
        let labels = names
            .iter()
            .map(|n| n.to_string().trim_start_matches("r#").to_owned());
        let label = variant.to_string();
        quote! {
            #(#cfgs)*
            #call_ident::#variant { #(#names,)* #reply } => #krate::testing::__debug_call(
                #f,
                #label,
                &[#((#labels, (&#krate::testing::__Arg(#names)).__show()),)*],
                #reply,
            ),
        }
    });
    let phantom = phantom_variant(icx);
    let phantom_arm = phantom_arm(icx);
    let phantom_debug = phantom
        .as_ref()
        .map(|_| quote! { #call_ident::__Phantom(_, #never) => match *#never {}, });
    // An enum without variants is matched through the reference, and has
    // nothing to write.
    let (scrutinee, unused) = if messages.is_empty() && phantom.is_none() {
        (quote!(*self), Some(quote!(let _ = #f;)))
    } else {
        (quote!(self), None)
    };
    let notice_arm = icx
        .notices
        .then(|| quote! { #message_ident::__Notice(_) => ::core::option::Option::None, });
    let traced_arm = quote! {
        #message_ident::__Traced(#msg) => match #msg.take::<#message_ty>().msg {
            #(#to_call)*
            #notice_arm
            #phantom_arm
            #message_ident::__Traced(_) => ::core::option::Option::None,
        },
    };
    let impl_generics = gated_generics(
        generics,
        [quote!(#self_ty: #krate::Actor<Message = #message_ty>)],
    );
    let (impl_generics, _, impl_where) = impl_generics.split_for_impl();
    let doc = format!(
        " The messages of [`{}`] as a test's stand-in gets them \
         ([`stand_in`]({}::testing::stand_in)): one variant per `#[message]` \
         method, with its arguments and its reply.",
        self_ty.to_token_stream().to_string().replace(' ', ""),
        krate.to_token_stream().to_string().replace(' ', "")
    );
    quote! {
        #krate::__private::if_testing! {
            #[doc = #doc]
            #[allow(private_interfaces, missing_docs, non_camel_case_types, clippy::large_enum_variant)]
            pub enum #call_ident #generics #where_clause {
                #(#variants)*
                #phantom
            }

            #[automatically_derived]
            impl #impl_generics #krate::testing::Calls for #self_ty #impl_where {
                type Call = #call_ty;
                fn call(#msg: #message_ty) -> ::core::option::Option<#call_ty> {
                    match #msg {
                        #(#to_call)*
                        #notice_arm
                        #traced_arm
                        #phantom_arm
                    }
                }
            }

            #[automatically_derived]
            impl #impl_generics ::core::fmt::Debug for #call_ty #impl_where {
                fn fmt(&self, #f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    #[allow(unused_imports)]
                    use #krate::testing::{__ShowDebug as _, __ShowOpaque as _};
                    #unused
                    match #scrutinee {
                        #(#debug_arms)*
                        #phantom_debug
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The remote handle (actor-core's `remote` feature)
// ---------------------------------------------------------------------------

/// `SchedulerRemote`, a handle with one method per message that travels
/// (every one but `#[message(local)]`), and the `RemoteActor` impl that
/// dispatches a received message, by handler name, to the local handle. All
/// of it inside `if_remote!`, which keeps it where actor-core's `remote`
/// feature is on, and is a compile error at the `remote = ".."` key elsewhere.
/// Arguments and responses are checked `Serialize + DeserializeOwned` at
/// their types.
fn remote_items(
    icx: &ImplCx<'_>,
    messages: &[MessageCx<'_>],
    self_path: &Path,
    wire: &syn::LitStr,
) -> TokenStream {
    let krate = &icx.krate;
    let self_ty = icx.self_ty;
    let remote_ty = suffixed_path(self_path, "Remote");
    let remote_ident = suffixed(
        &self_path
            .segments
            .last()
            .expect("a path has a segment")
            .ident,
        "Remote",
    );
    let rt = quote!(#krate::__private::remote);
    let message_ty = &icx.message_ty;
    // As the other items: what a broken rule breaks is reported once, by its
    // assertion (see the module docs).
    let gated = gated_generics(
        icx.generics,
        [quote!(#self_ty: #krate::Actor<Message = #message_ty>)],
    );
    let (impl_generics, _, _) = gated.split_for_impl();
    let mut dispatch_where = gated
        .where_clause
        .clone()
        .expect("gated adds a where clause");
    for m in messages
        .iter()
        .filter(|m| m.msg.args.local.is_none() && m.cfgs.is_empty())
    {
        for bound in wire_bounds(m, &rt) {
            dispatch_where.predicates.push(syn::parse_quote!(#bound));
        }
    }
    let where_clause = &dispatch_where;
    let (remote, handle, call) = (local("remote"), local("handle"), local("call"));
    let travelling: Vec<&MessageCx<'_>> = messages
        .iter()
        .filter(|m| m.msg.args.local.is_none())
        .collect();
    let methods = travelling.iter().map(|m| {
        let method = &m.msg.method;
        let vis = &method.vis;
        let ident = &method.sig.ident;
        let docs = docs_of(&method.attrs);
        let (deprecations, cfgs, response, name) = (&m.deprecations, &m.cfgs, &m.response, &m.name);
        let params = m
            .fields
            .iter()
            .map(|Field { name, ty, .. }| quote!(#name: #ty));
        let names = m.fields.iter().map(|f| f.name);
        // A type that cannot travel is reported once, by its assertion.
        let bounds = wire_bounds(m, &rt);
        quote_spanned! {ident.span()=>
            #(#docs)*
            #(#deprecations)*
            #(#cfgs)*
            #[inline]
            #vis fn #ident(&self, #(#params),*) -> #rt::RemoteRequest<#response>
            where
                #(#bounds,)*
            {
                self.#remote.request(#name, &(#(#names,)*))
            }
        }
    });
    let arms = travelling.iter().map(|m| {
        let ident = &m.msg.method.sig.ident;
        let (cfgs, name) = (&m.cfgs, &m.name);
        let allow = m.allow_deprecated();
        let names: Vec<&Ident> = m.fields.iter().map(|f| f.name).collect();
        let types = m.fields.iter().map(|f| &f.ty);
        quote! {
            #(#cfgs)*
            #name => match #call.args::<(#(#types,)*)>() {
                ::core::result::Result::Ok((#(#names,)*)) => {
                    #allow
                    let request = #handle.#ident(#(#names),*).into_owned();
                    #call.serve(request)
                }
                ::core::result::Result::Err(refused) => refused,
            },
        }
    });
    let rt_ref = &rt;
    let checks = travelling.iter().flat_map(|m| {
        let rt = rt_ref;
        let cfgs = &m.cfgs;
        let args = m.fields.iter().map(move |f| {
            let ty = &f.ty;
            quote_spanned! {ty.span()=> #(#cfgs)* #rt::wire::<#ty>(); }
        });
        let response = &m.response;
        let response = quote_spanned! {m.response_span()=> #(#cfgs)* #rt::wire::<#response>(); };
        args.chain(std::iter::once(response))
    });
    let doc = format!(
        " A handle to a remote [`{}`], exposed by another node of the cluster: \
         the same message methods, each a `RemoteRequest` (`.await` asks, \
         `.tell()` tells, `.timeout(d)` sets the deadline). Wire name `{}`.",
        self_ty.to_token_stream().to_string().replace(' ', ""),
        wire.value(),
    );
    quote_spanned! {wire.span()=>
        #krate::__private::if_remote! {
            #[doc = #doc]
            #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::cmp::Eq)]
            pub struct #remote_ident {
                #remote: #rt::RemoteRef,
            }

            #[automatically_derived]
            impl #rt::RemoteHandle for #remote_ty {
                const WIRE_NAME: &'static str = #wire;
                fn from_remote(#remote: #rt::RemoteRef) -> Self {
                    Self { #remote }
                }
                fn remote_ref(&self) -> &#rt::RemoteRef {
                    &self.#remote
                }
            }

            #[automatically_derived]
            impl #krate::Watchable for #remote_ty {
                fn watch_from<__A: #krate::Actor>(&self, ctx: &mut #krate::Context<__A>) {
                    #krate::Watchable::watch_from(&self.#remote, ctx)
                }
            }

            #[automatically_derived]
            impl ::core::ops::Deref for #remote_ty {
                type Target = #rt::RemoteRef;
                fn deref(&self) -> &#rt::RemoteRef {
                    &self.#remote
                }
            }

            #[allow(private_interfaces)]
            impl #remote_ty {
                #(#methods)*
            }

            #[automatically_derived]
            impl #impl_generics #rt::RemoteActor for #self_ty #where_clause {
                type Remote = #remote_ty;
                fn dispatch(
                    #handle: &<Self as #krate::Actor>::Handle,
                    #call: #rt::Call<'_>,
                ) -> #rt::Served {
                    match #call.name() {
                        #(#arms)*
                        _ => #call.unknown(),
                    }
                }
            }

            const _: () = {
                #[allow(dead_code)]
                fn wire_types() {
                    #(#checks)*
                }
            };
        }
    }
}

/// `for<'__a> T: Wire` for each argument and the response of a message:
/// the `where` clause of what needs them to travel (see the module docs on
/// the binder).
fn wire_bounds(m: &MessageCx<'_>, rt: &TokenStream) -> Vec<TokenStream> {
    m.fields
        .iter()
        .map(|f| &f.ty)
        .chain(std::iter::once(&m.response))
        .map(|ty| quote!(for<'__a> #ty: #rt::Wire))
        .collect()
}

// ---------------------------------------------------------------------------
// Compile-time assertions
// ---------------------------------------------------------------------------

/// A check trait of `actor_core::__private`, and the function that asserts it.
#[derive(Clone, Copy)]
enum Rule {
    /// A field of the state is `Send`.
    StateField,
    /// A generic actor's state is `Send` under the impl's bounds.
    GenericState,
    MessageArg,
    MessageResponse,
    /// The state of an actor with an async `&self` handler is `Sync`.
    AsyncRefHandler,
}

/// Assertions that user types implement the check traits, one call each,
/// spanned at the user's type, in a never-called function (see the module
/// docs).
struct Assertions<'a> {
    krate: &'a Path,
    generics: &'a Generics,
    calls: Vec<TokenStream>,
    seen: HashSet<String>,
    /// A `Send` check is among the calls.
    sendable: bool,
    /// A `Sync` check is among the calls.
    shared: bool,
}

impl<'a> Assertions<'a> {
    fn new(generics: &'a Generics, krate: &'a Path) -> Self {
        Assertions {
            krate,
            generics,
            calls: Vec::new(),
            seen: HashSet::new(),
            sendable: false,
            shared: false,
        }
    }

    /// Asserts `rule` for `ty`; the error points at `span` (the field's or
    /// argument's name, else the type's first token).
    fn add(&mut self, ty: &Type, span: Span, rule: Rule, cfgs: &[Attribute]) {
        let assert = match rule {
            Rule::StateField => "state_field",
            Rule::GenericState => "generic_state",
            Rule::MessageArg => "message_arg",
            Rule::MessageResponse => "message_response",
            Rule::AsyncRefHandler => "async_ref_handler",
        };
        let key = format!("{assert} {} {}", ty.to_token_stream(), quote!(#(#cfgs)*));
        if !self.seen.insert(key) {
            return;
        }
        let krate = self.krate;
        let private = respan(quote!(#krate::__private), span);
        let assert = Ident::new(assert, span);
        let new = match rule {
            // A generic state's `'static` is left to where it is used: the
            // message arguments' checks report a parameter that is not.
            Rule::StateField | Rule::GenericState | Rule::AsyncRefHandler => {
                Ident::new("new", span)
            }
            Rule::MessageArg | Rule::MessageResponse => Ident::new("new_static", span),
        };
        self.shared |= matches!(rule, Rule::AsyncRefHandler);
        self.sendable |= !matches!(rule, Rule::AsyncRefHandler);
        self.calls.push(quote_spanned! {span=>
            #(#cfgs)*
            (&&#private::Probe::<#ty>::#new()).#assert();
        });
    }

    /// The never-called function `name` that makes the calls, if any. With
    /// `state`, it takes a `&State` argument, so that the bounds the state's
    /// declaration implies hold inside (as they do in the user's impl block).
    fn into_fn(self, name: &str, state: Option<&Type>) -> Option<TokenStream> {
        if self.calls.is_empty() {
            return None;
        }
        let name = format_ident!("{name}");
        let krate = self.krate;
        let (impl_generics, _, where_clause) = self.generics.split_for_impl();
        let calls = &self.calls;
        let sendable = self
            .sendable
            .then(|| quote!(use #krate::__private::{NotSendable as _, Sendable as _};));
        let shared = self
            .shared
            .then(|| quote!(use #krate::__private::{NotShareable as _, Shareable as _};));
        let param = state.map(|ty| quote!(_: &#ty));
        Some(quote! {
            fn #name #impl_generics (#param) #where_clause {
                #sendable
                #shared
                #(#calls)*
            }
        })
    }
}

/// The assertion functions, in a block of their own.
fn assertions_block(fns: impl IntoIterator<Item = Option<TokenStream>>) -> TokenStream {
    let fns: Vec<TokenStream> = fns.into_iter().flatten().collect();
    if fns.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[allow(dead_code, clippy::extra_unused_type_parameters)]
        const _: () = {
            #(#fns)*
        };
    }
}

/// `predicate` as a `where` clause that rustc checks where the item is used,
/// not where it is defined (see the module docs): a predicate on concrete
/// types gets a `for<'__a>` binder, which binds nothing but keeps rustc from
/// checking it as a trivial bound.
fn gated(generics: &Generics, predicate: TokenStream) -> TokenStream {
    let generic = generics
        .params
        .iter()
        .any(|p| !matches!(p, GenericParam::Lifetime(_)));
    if generic {
        predicate
    } else {
        quote!(for<'__a> #predicate)
    }
}

/// `generics` with each of `predicates` added to its `where` clause, [`gated`].
fn gated_generics(
    generics: &Generics,
    predicates: impl IntoIterator<Item = TokenStream>,
) -> Generics {
    let mut gated_generics = generics.clone();
    let where_clause = gated_generics.make_where_clause();
    for predicate in predicates {
        let gate = gated(generics, predicate);
        where_clause.predicates.push(syn::parse_quote!(#gate));
    }
    gated_generics
}

/// Whether `a` and `b` are written the same (and so are the same type).
fn same_tokens(a: &impl ToTokens, b: &impl ToTokens) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

/// `tokens` with every span set to `span`. rustc gives an item built from
/// tokens of the macro's own span and the user's the macro's span, so a path
/// to the runtime inside a check is respanned to the user's type for the
/// error to point there.
fn respan(tokens: impl ToTokens, span: Span) -> TokenStream {
    tokens
        .into_token_stream()
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// Replaces `Self` in a type with the actor's type: the message enum and the
/// handle live outside the impl block, where `Self` means something else.
/// Also in the expressions a type holds (`[u8; Self::N]`).
fn replace_self(ty: &Type, self_ty: &Type) -> Type {
    struct Replace<'a>(&'a Type);
    impl Replace<'_> {
        /// `Self::rest` as `<Counter>::rest`, if `path` starts with `Self`.
        fn qualified(&self, path: &syn::Path) -> Option<TokenStream> {
            let first = path.segments.first()?;
            if first.ident != "Self" || path.segments.len() < 2 {
                return None;
            }
            let self_ty = self.0;
            let rest: Vec<_> = path.segments.iter().skip(1).collect();
            Some(quote!(<#self_ty>::#(#rest)::*))
        }
    }
    impl VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(tp) = ty
                && tp.qself.is_none()
            {
                if tp.path.is_ident("Self") {
                    *ty = self.0.clone();
                    return;
                }
                if let Some(qualified) = self.qualified(&tp.path) {
                    *ty = syn::parse_quote!(#qualified);
                    return;
                }
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            if let syn::Expr::Path(ep) = expr
                && ep.qself.is_none()
                && let Some(qualified) = self.qualified(&ep.path)
            {
                *expr = syn::parse_quote!(#qualified);
                return;
            }
            syn::visit_mut::visit_expr_mut(self, expr);
        }
    }
    let mut ty = ty.clone();
    Replace(self_ty).visit_type_mut(&mut ty);
    ty
}

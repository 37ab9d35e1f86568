//! Code generation from the model alone, one function per generated item.
//! Generated code names the runtime through one path (`::actor_core` or the
//! `crate = ..` override), uses `__`-prefixed locals and fully qualified std
//! paths, and carries the user's spans where a type error should point.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{GenericParam, Generics, Ident, ItemStruct, Path, ReturnType, Type};

use crate::ast::{ActorImpl, ActorStruct, Hook, HookKind, Message, Param, cfgs_of, docs_of};
use crate::attr::Mailbox;
use crate::naming::{actor_name, runtime_path, suffixed, suffixed_path, variant_name};

// ---------------------------------------------------------------------------
// #[actor] on the struct
// ---------------------------------------------------------------------------

pub fn expand_struct(actor: &ActorStruct) -> TokenStream {
    let item = &actor.item;
    let krate = runtime_path(actor.args.krate.as_ref());
    let handle = struct_handle(item, &krate);
    let state = struct_state_impl(item, actor.args.mailbox, &krate);
    let checks = struct_field_checks(item, &krate);
    quote! {
        #item
        #handle
        #state
        #checks
    }
}

/// The handle struct and its `Clone`, `Debug`, `Deref` and `ActorHandle` impls.
fn struct_handle(item: &ItemStruct, krate: &Path) -> TokenStream {
    let ident = &item.ident;
    let vis = &item.vis;
    let handle = suffixed(ident, "Handle");
    let (_, ty_generics, _) = item.generics.split_for_impl();
    let actor_ty = quote!(#ident #ty_generics);

    let mut generics = item.generics.clone();
    generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(#actor_ty: #krate::Actor));
    let (impl_generics, handle_ty_generics, where_clause) = generics.split_for_impl();
    let handle_ty = quote!(#handle #handle_ty_generics);
    let doc = format!(
        "A handle to a running [`{ident}`] actor: one method per message, plus \
         [`ActorRef`]({}::ActorRef)'s `id`, `is_alive`, `stop` and `wait_stopped` \
         through `Deref`. Cheap to clone; stays valid across supervised restarts.",
        quote!(#krate).to_string().replace(' ', "")
    );

    quote! {
        #[doc = #doc]
        #vis struct #handle #generics #where_clause {
            __actor_ref: #krate::ActorRef<#actor_ty>,
        }

        #[automatically_derived]
        impl #impl_generics ::core::clone::Clone for #handle_ty #where_clause {
            #[inline]
            fn clone(&self) -> Self {
                #handle { __actor_ref: ::core::clone::Clone::clone(&self.__actor_ref) }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #handle_ty #where_clause {
            fn fmt(&self, __f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                __f.debug_struct(::core::stringify!(#handle))
                    .field("id", &self.__actor_ref.id())
                    .field("alive", &self.__actor_ref.is_alive())
                    .finish()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::PartialEq for #handle_ty #where_clause {
            fn eq(&self, __other: &Self) -> bool {
                self.__actor_ref == __other.__actor_ref
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::Eq for #handle_ty #where_clause {}

        #[automatically_derived]
        impl #impl_generics ::core::ops::Deref for #handle_ty #where_clause {
            type Target = #krate::ActorRef<#actor_ty>;
            #[inline]
            fn deref(&self) -> &Self::Target {
                &self.__actor_ref
            }
        }

        #[automatically_derived]
        impl #impl_generics #krate::ActorHandle for #handle_ty #where_clause {
            type Actor = #actor_ty;
            #[inline]
            fn from_ref(__actor_ref: #krate::ActorRef<#actor_ty>) -> Self {
                #handle { __actor_ref }
            }
            #[inline]
            fn actor_ref(&self) -> &#krate::ActorRef<#actor_ty> {
                &self.__actor_ref
            }
        }
    }
}

/// `impl ActorState`: marks the struct as actor state and records its mailbox.
fn struct_state_impl(item: &ItemStruct, mailbox: Option<Mailbox>, krate: &Path) -> TokenStream {
    let ident = &item.ident;
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    let kind = match mailbox {
        None => quote!(#krate::MailboxKind::Default),
        Some(Mailbox::Bounded(n)) => quote!(#krate::MailboxKind::Bounded(#n)),
        Some(Mailbox::Unbounded) => quote!(#krate::MailboxKind::Unbounded),
    };
    // Spanned at the struct name, so that a state that is not `Send` (when no
    // single field is to blame, as with a generic parameter) points there.
    let state_trait = quote_spanned!(ident.span()=> #krate::__private::ActorState);
    quote! {
        #[automatically_derived]
        impl #impl_generics #state_trait for #ident #ty_generics #where_clause {
            const MAILBOX: #krate::MailboxKind = #kind;
        }
    }
}

/// One `Send` assertion per field, spanned at the field's type.
fn struct_field_checks(item: &ItemStruct, krate: &Path) -> TokenStream {
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let checks = item.fields.iter().map(|field| {
        let ty = &field.ty;
        quote_spanned! {ty.span()=>
            #krate::__private::assert_state_field::<#ty>();
        }
    });
    quote! {
        #[allow(dead_code, non_snake_case, clippy::extra_unused_type_parameters)]
        const _: () = {
            fn __assert_actor_state #impl_generics () #where_clause {
                #(#checks)*
            }
        };
    }
}

// ---------------------------------------------------------------------------
// #[actor] on the impl block
// ---------------------------------------------------------------------------

/// What every generated item of one impl needs to know.
struct ImplCx<'a> {
    krate: Path,
    self_ty: &'a Type,
    generics: &'a Generics,
    /// `CounterMessage`
    message_ident: Ident,
    /// `CounterMessage<T>`
    message_ty: TokenStream,
    /// `CounterHandle<T>`
    handle_path: Path,
    /// `T, N`: the impl's type and const parameters, for `use<..>`.
    captured: Vec<TokenStream>,
}

pub fn expand_impl(actor: &ActorImpl) -> TokenStream {
    let self_path = actor
        .self_path
        .as_ref()
        .expect("checked: impl of a path type");
    let generics = &actor.item.generics;
    let (_, ty_generics, _) = generics.split_for_impl();
    let last = &self_path
        .segments
        .last()
        .expect("a path has a segment")
        .ident;
    let message_ident = suffixed(last, "Message");
    let captured = generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => {
                let id = &t.ident;
                Some(quote!(#id))
            }
            GenericParam::Const(c) => {
                let id = &c.ident;
                Some(quote!(#id))
            }
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let icx = ImplCx {
        krate: runtime_path(actor.args.krate.as_ref()),
        self_ty: &actor.item.self_ty,
        generics,
        message_ty: quote!(#message_ident #ty_generics),
        message_ident,
        handle_path: suffixed_path(self_path, "Handle"),
        captured,
    };
    let messages: Vec<MessageCx<'_>> = actor
        .messages
        .iter()
        .map(|m| MessageCx::new(m, &icx))
        .collect();

    let item = &actor.item;
    let message_enum = impl_message_enum(&icx, &messages);
    let actor_impl = impl_actor(&icx, &messages, &actor.hooks, &actor_name(self_path));
    let handle_methods = impl_handle_methods(&icx, &messages);
    let checks = impl_type_checks(&icx, &messages);
    quote! {
        #item
        #message_enum
        #actor_impl
        #handle_methods
        #checks
    }
}

/// One message, with the pieces every generated item uses.
struct MessageCx<'a> {
    msg: &'a Message,
    variant: Ident,
    name: String,
    /// The payload arguments: name and type (with `Self` replaced).
    fields: Vec<(Ident, Type)>,
    /// The response type (declared, or the return type), `Self` replaced.
    response: Type,
    delegated: bool,
    cfgs: Vec<syn::Attribute>,
}

impl<'a> MessageCx<'a> {
    fn new(msg: &'a Message, icx: &ImplCx<'_>) -> Self {
        let sig = &msg.method.sig;
        let fields = msg
            .params
            .iter()
            .filter_map(|p| match p {
                Param::Payload {
                    ident: Some(ident),
                    ty,
                    ..
                } => Some((ident.clone(), replace_self(ty, icx.self_ty))),
                _ => None,
            })
            .collect();
        let response = match (&msg.args.response, &sig.output) {
            (Some(ty), _) => replace_self(ty, icx.self_ty),
            (None, ReturnType::Type(_, ty)) => replace_self(ty, icx.self_ty),
            (None, ReturnType::Default) => syn::parse_quote!(()),
        };
        MessageCx {
            msg,
            variant: variant_name(&sig.ident),
            name: sig.ident.to_string().trim_start_matches("r#").to_owned(),
            fields,
            response,
            delegated: msg.params.iter().any(|p| matches!(p, Param::Reply { .. })),
            cfgs: cfgs_of(&msg.method.attrs),
        }
    }
}

/// `pub enum CounterMessage { Inc { by: u64, __reply: Reply<()> }, .. }`
fn impl_message_enum(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let krate = &icx.krate;
    let ident = &icx.message_ident;
    let generics = icx.generics;
    let where_clause = &generics.where_clause;
    let variants = messages.iter().map(|m| {
        let variant = &m.variant;
        let cfgs = &m.cfgs;
        let response = &m.response;
        let fields = m.fields.iter().map(|(name, ty)| quote!(#name: #ty));
        let doc = format!("The `{}` message.", m.name);
        quote! {
            #[doc = #doc]
            #(#cfgs)*
            #variant { #(#fields,)* __reply: #krate::Reply<#response> },
        }
    });
    let phantom = phantom_variant(icx);
    let doc = format!(
        "The messages of [`{}`]: one variant per `#[message]` method. Generated by `#[actor]`.",
        quote!(#ident).to_string().trim_end_matches("Message")
    );
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(private_interfaces, non_camel_case_types, clippy::large_enum_variant)]
        pub enum #ident #generics #where_clause {
            #(#variants)*
            #phantom
        }
    }
}

/// Generic actors whose parameters no message mentions still need to use them.
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

/// `impl Actor for Counter`: the dispatch `match` and the hooks.
fn impl_actor(
    icx: &ImplCx<'_>,
    messages: &[MessageCx<'_>],
    hooks: &[Hook],
    name: &str,
) -> TokenStream {
    let krate = &icx.krate;
    let self_ty = icx.self_ty;
    let message_ident = &icx.message_ident;
    let message_ty = &icx.message_ty;
    let handle_path = &icx.handle_path;
    let (impl_generics, _, where_clause) = icx.generics.split_for_impl();

    let arms = messages.iter().map(|m| dispatch_arm(icx, m));
    let name_arms = messages.iter().map(|m| {
        let variant = &m.variant;
        let cfgs = &m.cfgs;
        let name = &m.name;
        quote! { #(#cfgs)* #message_ident::#variant { .. } => #name, }
    });
    let phantom_arms = phantom_variant(icx).map(|_| {
        (
            quote! { #message_ident::__Phantom(_, __never) => match __never {}, },
            quote! { #message_ident::__Phantom(_, __never) => match __never {}, },
        )
    });
    let (phantom_dispatch, phantom_name) = phantom_arms.unzip();
    let hook_fns = hooks.iter().map(|h| hook_fn(icx, h));

    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Actor for #self_ty #where_clause {
            type Message = #message_ty;
            type Handle = #handle_path;
            const NAME: &'static str = #name;

            #[allow(unused_variables, clippy::unit_arg)]
            fn handle(
                &mut self,
                __msg: Self::Message,
                __ctx: &mut #krate::Context<Self>,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                async move {
                    match __msg {
                        #(#arms)*
                        #phantom_dispatch
                    }
                }
            }

            fn message_name(__msg: &Self::Message) -> &'static str {
                match *__msg {
                    #(#name_arms)*
                    #phantom_name
                }
            }

            #(#hook_fns)*
        }
    }
}

/// The call of a handler or hook, with `ctx`, `reply` and `reason` in the
/// user's argument order, awaited (with a spanned `Send` check) if async.
fn call(icx: &ImplCx<'_>, method: &syn::ImplItemFn, params: &[Param]) -> TokenStream {
    let krate = &icx.krate;
    let ident = &method.sig.ident;
    let args = params.iter().map(|p| match p {
        Param::Payload { ident, .. } => quote!(#ident),
        Param::Ctx { .. } => quote!(__ctx),
        Param::Reply { .. } => quote!(__reply),
        Param::Reason { .. } => quote!(__reason),
    });
    let call = quote!(self.#ident(#(#args),*));
    if method.sig.asyncness.is_some() {
        let check =
            quote_spanned!(method.sig.ident.span()=> #krate::__private::assert_send_handler);
        quote!(#check(#call).await)
    } else {
        call
    }
}

fn dispatch_arm(icx: &ImplCx<'_>, m: &MessageCx<'_>) -> TokenStream {
    let krate = &icx.krate;
    let message_ident = &icx.message_ident;
    let variant = &m.variant;
    let cfgs = &m.cfgs;
    let names = m.fields.iter().map(|(name, _)| name);
    let call = call(icx, &m.msg.method, &m.msg.params);
    let body = if m.delegated {
        quote! { #call; }
    } else {
        // The response is checked against the declared type here, with the
        // error at the user's return type.
        let response = &m.response;
        let span = match &m.msg.method.sig.output {
            ReturnType::Type(_, ty) => ty.span(),
            ReturnType::Default => m.msg.method.sig.ident.span(),
        };
        let value = quote_spanned!(span=> __response);
        quote! {
            let __response = #call;
            __reply.send(#krate::__private::response_is::<#response>(#value));
        }
    };
    quote! {
        #(#cfgs)*
        #message_ident::#variant { #(#names,)* __reply } => { #body }
    }
}

fn hook_fn(icx: &ImplCx<'_>, hook: &Hook) -> TokenStream {
    let krate = &icx.krate;
    let call = call(icx, &hook.method, &hook.params);
    let future = quote!(impl ::core::future::Future<Output = ()> + ::core::marker::Send);
    match hook.kind {
        HookKind::Start => quote! {
            #[allow(unused_variables)]
            fn on_start(&mut self, __ctx: &mut #krate::Context<Self>) -> #future {
                async move { #call; }
            }
        },
        HookKind::Restart => quote! {
            #[allow(unused_variables)]
            fn on_restart(&mut self, __ctx: &mut #krate::Context<Self>) -> #future {
                async move { #call; }
            }
        },
        HookKind::Stop => quote! {
            #[allow(unused_variables)]
            fn on_stop(
                &mut self,
                __ctx: &mut #krate::Context<Self>,
                __reason: &#krate::StopReason,
            ) -> #future {
                async move { #call; }
            }
        },
    }
}

/// One method per message on the handle, building a `Request`.
fn impl_handle_methods(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let krate = &icx.krate;
    let self_ty = icx.self_ty;
    let handle_path = &icx.handle_path;
    let message_ident = &icx.message_ident;
    let message_ty = &icx.message_ty;
    let captured = &icx.captured;
    let (impl_generics, _, where_clause) = icx.generics.split_for_impl();
    let methods = messages.iter().map(|m| {
        let method = &m.msg.method;
        let vis = &method.vis;
        let ident = &method.sig.ident;
        let docs = docs_of(&method.attrs);
        let cfgs = &m.cfgs;
        let variant = &m.variant;
        let response = &m.response;
        let params = m.fields.iter().map(|(name, ty)| quote!(#name: #ty));
        let names = m.fields.iter().map(|(name, _)| name);
        quote! {
            #(#docs)*
            #(#cfgs)*
            #[inline]
            #vis fn #ident(&self, #(#params),*) -> #krate::Request<
                '_,
                #self_ty,
                #response,
                impl ::core::ops::FnOnce(#krate::Reply<#response>) -> #message_ty + use<#(#captured),*>,
            > {
                <Self as #krate::ActorHandle>::actor_ref(self)
                    .request(move |__reply| #message_ident::#variant { #(#names,)* __reply })
            }
        }
    });
    quote! {
        impl #impl_generics #handle_path #where_clause {
            #(#methods)*
        }
    }
}

/// `Send + 'static` checks of message arguments and responses, spanned at the
/// user's types, and the agreement of a delegated `Reply<T>` with `response`.
fn impl_type_checks(icx: &ImplCx<'_>, messages: &[MessageCx<'_>]) -> TokenStream {
    let krate = &icx.krate;
    let (impl_generics, _, where_clause) = icx.generics.split_for_impl();
    let mut checks = Vec::new();
    for m in messages {
        for param in &m.msg.params {
            match param {
                Param::Payload {
                    ty, ident: Some(_), ..
                } => {
                    let ty = replace_self(ty, icx.self_ty);
                    checks.push(quote_spanned! {ty.span()=>
                        #krate::__private::assert_message_arg::<#ty>();
                    });
                }
                Param::Reply { ty, inner: Some(_) } => {
                    // `Reply<response>` must be the argument's type.
                    let ty = replace_self(ty, icx.self_ty);
                    let response = &m.response;
                    let f = format_ident!("__reply_of_{}", m.name, span = Span::call_site());
                    let value = quote_spanned!(ty.span()=> __r);
                    checks.push(quote! {
                        fn #f #impl_generics (__r: #krate::Reply<#response>) -> #ty #where_clause { #value }
                    });
                }
                _ => {}
            }
        }
        let response = &m.response;
        let span = m.msg.args.response.as_ref().map_or_else(
            || match &m.msg.method.sig.output {
                ReturnType::Type(_, ty) => ty.span(),
                ReturnType::Default => m.msg.method.sig.ident.span(),
            },
            Spanned::span,
        );
        checks.push(quote_spanned! {span=>
            #krate::__private::assert_message_response::<#response>();
        });
    }
    quote! {
        #[allow(dead_code, non_snake_case, clippy::extra_unused_type_parameters)]
        const _: () = {
            fn __assert_messages #impl_generics () #where_clause {
                #(#checks)*
            }
        };
    }
}

/// Replaces `Self` in a type with the actor's type: the message enum and the
/// handle live outside the impl block, where `Self` means something else.
fn replace_self(ty: &Type, self_ty: &Type) -> Type {
    struct Replace<'a>(&'a Type);
    impl VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::Path(tp) = ty
                && tp.qself.is_none()
                && tp.path.segments.first().is_some_and(|s| s.ident == "Self")
            {
                if tp.path.segments.len() == 1 {
                    *ty = self.0.clone();
                    return;
                }
                let self_ty = self.0;
                let rest: Vec<_> = tp.path.segments.iter().skip(1).collect();
                *ty = syn::parse_quote!(<#self_ty>::#(#rest)::*);
            }
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = ty.clone();
    Replace(self_ty).visit_type_mut(&mut ty);
    ty
}

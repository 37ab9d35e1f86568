//! The rules an actor must follow that can be seen in its syntax. Every rule
//! records its error at the user's span and checking goes on, so one build
//! shows every mistake. Rules that need types (`Send`, response agreement) are
//! emitted as spanned assertions by `expand.rs`.

use std::collections::{HashMap, HashSet};

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{GenericParam, ReturnType, Type};

use crate::ast::{ActorImpl, ActorStruct, Hook, HookKind, Message, Param, Receiver, cfgs_of};
use crate::ctxt::Ctxt;
use crate::naming::variant_name;

/// Methods every generated handle already has (through `Deref` to `ActorRef`
/// or the `ActorHandle` trait); a message of the same name would hide them.
const RESERVED: &[&str] = &[
    "id",
    "is_alive",
    "stop",
    "stop_gracefully",
    "wait_stopped",
    "stop_reason",
    "mailbox_len",
    "mailbox_capacity",
    "request",
    "actor_ref",
    "from_ref",
    "clone",
];

/// Checks the struct. Returns `false` when nothing but the struct itself can
/// be generated (the errors explain why).
pub fn check_struct(actor: &ActorStruct, cx: &Ctxt) -> bool {
    let mut expandable = true;
    for param in &actor.item.generics.params {
        if let GenericParam::Lifetime(lt) = param {
            cx.error(
                lt.span(),
                "actor state must be `'static`: an actor struct cannot borrow (remove the lifetime parameter and own the data)",
            );
            expandable = false;
        }
    }
    expandable
}

/// What of an impl block can be generated once it is checked.
pub struct ImplVerdict {
    /// `false` when nothing can be generated: the impl is not an inherent
    /// impl of a `'static` path type.
    pub expandable: bool,
    /// One flag per message (in order): it had no error.
    pub messages: Vec<bool>,
    /// One flag per hook (in order): it had no error.
    pub hooks: Vec<bool>,
}

pub fn check_impl(actor: &ActorImpl, cx: &Ctxt) -> ImplVerdict {
    let mut expandable = actor.self_path.is_some() && actor.item.trait_.is_none();
    let not_static =
        "an `#[actor]` impl cannot have lifetime parameters: actor state must be `'static`";
    for param in &actor.item.generics.params {
        if let GenericParam::Lifetime(lt) = param {
            cx.error(lt.span(), not_static);
            expandable = false;
        }
    }
    if expandable && let Some(span) = borrowed_lifetime(&actor.item.self_ty) {
        cx.error(span, not_static);
        expandable = false;
    }

    if let Some(remote) = &actor.args.remote {
        if actor
            .item
            .generics
            .params
            .iter()
            .any(|p| !matches!(p, GenericParam::Lifetime(_)))
        {
            cx.error(
                remote.span(),
                "a remote actor cannot have type or const parameters: its wire name stands for one type",
            );
            expandable = false;
        }
    } else {
        for msg in &actor.messages {
            if let Some(span) = msg.args.local {
                cx.error(
                    span,
                    "`local` keeps a message off the wire of a remote actor, and this actor is not remote (`#[actor(remote = \"wire.Name\")]` on the impl block)",
                );
            }
        }
    }

    // Messages seen so far, by variant name: the method's name and its `#[cfg]`s.
    let mut variants: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
    let mut messages = Vec::with_capacity(actor.messages.len());
    for msg in &actor.messages {
        let before = cx.error_count();
        check_message(msg, cx);
        let name = msg.method.sig.ident.to_string();
        let variant = variant_name(&msg.method.sig.ident).to_string();
        let cfgs: Vec<String> = cfgs_of(&msg.method.attrs)
            .iter()
            .map(|a| a.to_token_stream().to_string())
            .collect();
        let seen = variants.entry(variant.clone()).or_default();
        // Two versions of one handler under different `#[cfg]`s are fine:
        // rustc reports them if both are compiled in.
        let clash = seen.iter().find(|(_, other_cfgs)| {
            cfgs.is_empty() || other_cfgs.is_empty() || *other_cfgs == cfgs
        });
        match clash {
            Some((first, _)) if *first == name => cx.error(
                msg.method.sig.ident.span(),
                format!("two messages named `{name}`: a message name can be used once"),
            ),
            Some((first, _)) => cx.error(
                msg.method.sig.ident.span(),
                format!(
                    "two messages named `{variant}`: `{first}` and `{name}` both make the message variant `{variant}`; rename one"
                ),
            ),
            None => seen.push((name, cfgs)),
        }
        messages.push(!msg.attr_errors && cx.error_count() == before);
    }

    let mut seen: HashSet<&'static str> = HashSet::new();
    let mut hooks = Vec::with_capacity(actor.hooks.len());
    for hook in &actor.hooks {
        let before = cx.error_count();
        check_hook(hook, cx);
        if !seen.insert(hook.kind.name()) {
            cx.error(
                hook.attr.span(),
                format!(
                    "duplicate `#[{}]` hook: an actor has at most one",
                    hook.kind.name()
                ),
            );
        }
        hooks.push(!hook.attr_errors && cx.error_count() == before);
    }
    ImplVerdict {
        expandable,
        messages,
        hooks,
    }
}

fn check_receiver(receiver: &Receiver, sig: &syn::Signature, what: &str, cx: &Ctxt) {
    match receiver {
        Receiver::Ref | Receiver::RefMut => {}
        Receiver::Other(span) => cx.error(
            *span,
            format!(
                "{what} takes `&self` or `&mut self`: the actor keeps its state between messages"
            ),
        ),
        Receiver::Missing => cx.error(
            sig.ident.span(),
            format!("{what} takes `&self` or `&mut self`; this function has no receiver"),
        ),
    }
}

fn check_signature_basics(sig: &syn::Signature, what: &str, cx: &Ctxt) {
    if let Some(unsafety) = &sig.unsafety {
        cx.error(unsafety.span(), format!("{what} cannot be `unsafe`"));
    }
    if let Some(constness) = &sig.constness {
        cx.error(constness.span(), format!("{what} cannot be `const`"));
    }
    if let Some(abi) = &sig.abi {
        cx.error(abi.span(), format!("{what} cannot have an `extern` ABI"));
    }
    if !sig.generics.params.is_empty() {
        cx.error(
            sig.generics.span(),
            format!(
                "{what} cannot have its own generic parameters: the message enum has one variant per handler; make the type a parameter of the actor instead"
            ),
        );
    }
}

fn check_message(msg: &Message, cx: &Ctxt) {
    let sig = &msg.method.sig;
    let what = "a message handler";
    check_receiver(&msg.receiver, sig, what, cx);
    check_signature_basics(sig, what, cx);

    let name = sig.ident.to_string();
    let bare = name.trim_start_matches("r#");
    if RESERVED.contains(&bare) {
        cx.error(
            sig.ident.span(),
            format!(
                "a message cannot be named `{bare}`: every handle already has a `{bare}` method; rename the handler"
            ),
        );
    }

    let mut ctx_seen = false;
    let mut reply_seen = false;
    for param in &msg.params {
        match param {
            Param::Payload { ident, pat, ty } => {
                if ident.is_none() {
                    cx.error(
                        pat.span(),
                        "message arguments must be plain names (`name: Type`): patterns cannot become message fields",
                    );
                }
                check_owned(ty, "message arguments", cx);
            }
            Param::Ctx { ty, mutable } => {
                if ctx_seen {
                    cx.error(
                        ty.span(),
                        "a handler takes at most one `&mut Context<Self>` argument",
                    );
                }
                ctx_seen = true;
                if !mutable {
                    cx.error(
                        ty.span(),
                        format!(
                            "the context argument is `&mut Context<Self>`{}",
                            own_type_hint(ty)
                        ),
                    );
                }
            }
            Param::Reply { ty, inner } => {
                let hint = own_type_hint(ty);
                if reply_seen {
                    cx.error(ty.span(), "a handler takes at most one `Reply<T>` argument");
                }
                reply_seen = true;
                if inner.is_none() {
                    cx.error(
                        ty.span(),
                        format!(
                            "a delegated reply is `Reply<T>`, with the response type `T`{hint}"
                        ),
                    );
                }
                if msg.args.response.is_none() {
                    cx.error(
                        ty.span(),
                        format!("a handler that takes `Reply<T>` must declare its response: `#[message(response = T)]`{hint}"),
                    );
                }
                if let ReturnType::Type(_, ret) = &sig.output {
                    cx.error(
                        ret.span(),
                        format!("a handler that takes `Reply<T>` answers through it and returns `()`{hint}"),
                    );
                }
            }
            Param::Reason { ty } => cx.error(
                ty.span(),
                "`&StopReason` is an argument of `#[on_stop]` hooks, not of message handlers",
            ),
        }
    }
    if let Some(response) = &msg.args.response {
        check_owned(response, "message responses", cx);
    }
    if let ReturnType::Type(_, ret) = &sig.output {
        check_owned(ret, "message responses", cx);
    }
}

fn check_hook(hook: &Hook, cx: &Ctxt) {
    let sig = &hook.method.sig;
    let what = format!("an `#[{}]` hook", hook.kind.name());
    check_receiver(&hook.receiver, sig, &what, cx);
    check_signature_basics(sig, &what, cx);
    if let ReturnType::Type(_, ret) = &sig.output {
        cx.error(ret.span(), format!("{what} returns `()`"));
    }
    let mut ctx_seen = false;
    let mut reason_seen = false;
    let mut payload = 0;
    for param in &hook.params {
        match param {
            Param::Ctx { ty, mutable } => {
                if ctx_seen {
                    cx.error(
                        ty.span(),
                        "a hook takes at most one `&mut Context<Self>` argument",
                    );
                }
                ctx_seen = true;
                if !mutable {
                    cx.error(ty.span(), "the context argument is `&mut Context<Self>`");
                }
            }
            Param::Reason { ty } if hook.kind == HookKind::Stop => {
                if reason_seen {
                    cx.error(
                        ty.span(),
                        "an `#[on_stop]` hook takes at most one `&StopReason`",
                    );
                }
                reason_seen = true;
            }
            Param::Payload { .. } if hook.kind.is_notice() && payload < 2 => payload += 1,
            other => {
                let allowed = match hook.kind {
                    HookKind::Stop => "`ctx: &mut Context<Self>` and `reason: &StopReason`",
                    kind if kind.is_notice() => NOTICE_ARGS,
                    _ => "`ctx: &mut Context<Self>`",
                };
                cx.error(other.span(), format!("{what} takes only {allowed}"));
            }
        }
    }
    if hook.kind.is_notice() && payload < 2 {
        cx.error(sig.ident.span(), format!("{what} takes {NOTICE_ARGS}"));
    }
}

/// The arguments of an `#[on_down]` or `#[on_link_died]` hook.
const NOTICE_ARGS: &str = "`id: ActorId, reason: StopReason`, in that order (and `ctx: &mut Context<Self>` if it needs it)";

/// After an error about a `Reply` or `Context` argument written by its bare
/// name: how to say that it is the user's own type.
fn own_type_hint(ty: &Type) -> &'static str {
    let bare = |ty: &Type| matches!(ty, Type::Path(tp) if tp.path.segments.len() == 1);
    match ty {
        Type::Reference(r) if bare(&r.elem) => {
            "; if `Context` is your own type, not actor-core's, write it with its path (`self::Context`, `chat::Context`)"
        }
        Type::Reference(_) => "",
        other if bare(other) => {
            "; if `Reply` is your own type, not actor-core's, write it with its path (`self::Reply<T>`, `chat::Reply<T>`) and it is an ordinary message argument"
        }
        _ => "",
    }
}

/// Message arguments and responses are moved between tasks. Refused here: a
/// borrow the value holds (a reference, or a lifetime other than `'static`
/// and those bound by `for<'a>`), and `impl Trait`, which has no type to put
/// in the message enum. The signatures of fn pointers and closure traits are
/// not the value's borrows: `fn(&str) -> bool` and
/// `Box<dyn FnOnce(&mut Vec<u32>) -> usize + Send>` are owned values. Whether
/// a type is `Send + 'static` is left to the type system (`expand.rs`).
fn check_owned(ty: &Type, what: &str, cx: &Ctxt) {
    struct Finder<'a> {
        cx: &'a Ctxt,
        what: &'a str,
        /// The lifetimes bound by the `for<..>` binders around.
        bound: Vec<syn::Ident>,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            let is_static = r.lifetime.as_ref().is_some_and(|l| l.ident == "static");
            if !is_static {
                self.cx.error(
                    r.span(),
                    format!(
                        "{} must be owned (`Send + 'static`): a borrow cannot travel through a mailbox; pass an owned value (`String` for `&str`, `Vec<T>` for `&[T]`)",
                        self.what
                    ),
                );
                return;
            }
            syn::visit::visit_type_reference(self, r);
        }
        fn visit_lifetime(&mut self, l: &'ast syn::Lifetime) {
            if l.ident != "static" && !self.bound.contains(&l.ident) {
                self.cx.error(
                    l.span(),
                    format!(
                        "{} must be `'static`: remove the borrowed lifetime `{l}`",
                        self.what
                    ),
                );
            }
        }
        fn visit_type_impl_trait(&mut self, t: &'ast syn::TypeImplTrait) {
            self.cx.error(
                t.span(),
                format!(
                    "{} cannot be `impl Trait`: the message enum needs a concrete type; name it, or make it a type parameter of the actor",
                    self.what
                ),
            );
        }
        // `fn(&str) -> bool`: the borrows are the call's.
        fn visit_type_bare_fn(&mut self, _: &'ast syn::TypeBareFn) {}
        // `Fn(&str) -> bool` in `Box<dyn Fn(&str) -> bool>`: the same.
        fn visit_parenthesized_generic_arguments(
            &mut self,
            _: &'ast syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_trait_bound(&mut self, b: &'ast syn::TraitBound) {
            let before = self.bound.len();
            if let Some(binder) = &b.lifetimes {
                self.bound
                    .extend(binder.lifetimes.iter().filter_map(|p| match p {
                        syn::GenericParam::Lifetime(l) => Some(l.lifetime.ident.clone()),
                        _ => None,
                    }));
            }
            self.visit_path(&b.path);
            self.bound.truncate(before);
        }
    }
    Finder {
        cx,
        what,
        bound: Vec::new(),
    }
    .visit_type(ty);
}

/// The first lifetime other than `'static` in `ty`, if any.
fn borrowed_lifetime(ty: &Type) -> Option<proc_macro2::Span> {
    struct Finder(Option<proc_macro2::Span>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_lifetime(&mut self, l: &'ast syn::Lifetime) {
            if l.ident != "static" && self.0.is_none() {
                self.0 = Some(l.span());
            }
        }
        fn visit_type_reference(&mut self, r: &'ast syn::TypeReference) {
            if r.lifetime.is_none() && self.0.is_none() {
                self.0 = Some(r.and_token.span);
            }
            syn::visit::visit_type_reference(self, r);
        }
    }
    let mut finder = Finder(None);
    finder.visit_type(ty);
    finder.0
}

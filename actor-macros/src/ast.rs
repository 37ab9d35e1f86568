//! The macro's own model of an actor, built from `syn` input. Nothing is
//! emitted here and no rule is enforced beyond what is needed to build the
//! model; `check.rs` holds the rules.

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, ItemStruct, Pat, Path, Type};

use crate::attr::{ImplArgs, MessageArgs, StructArgs, parse_hook_attr};
use crate::ctxt::Ctxt;

/// `#[actor]` on a struct.
pub struct ActorStruct {
    pub item: ItemStruct,
    pub args: StructArgs,
}

impl ActorStruct {
    pub fn parse(args: TokenStream, item: ItemStruct, cx: &Ctxt) -> Self {
        ActorStruct {
            args: StructArgs::parse(args, cx),
            item,
        }
    }
}

/// `#[actor]` on an impl block.
pub struct ActorImpl {
    /// The user's impl block, with this crate's attributes removed.
    pub item: ItemImpl,
    pub args: ImplArgs,
    /// The actor's type path (`Counter`, `Cache<K, V>`), when the impl is for one.
    pub self_path: Option<Path>,
    pub messages: Vec<Message>,
    pub hooks: Vec<Hook>,
}

/// One `#[message]` method.
pub struct Message {
    pub args: MessageArgs,
    /// Its attribute had errors (an unknown or repeated key, ..).
    pub attr_errors: bool,
    /// The method as the user wrote it (attributes of this crate removed).
    pub method: ImplItemFn,
    pub receiver: Receiver,
    pub params: Vec<Param>,
}

/// One `#[on_start]`, `#[on_stop]` or `#[on_restart]` method.
pub struct Hook {
    pub kind: HookKind,
    pub attr: Attribute,
    /// Its attribute had errors (arguments given, repeated, ..).
    pub attr_errors: bool,
    pub method: ImplItemFn,
    pub receiver: Receiver,
    pub params: Vec<Param>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    Start,
    Stop,
    Restart,
}

impl HookKind {
    pub fn from_attr(attr: &Attribute) -> Option<Self> {
        let path = attr.path();
        if path.is_ident("on_start") {
            Some(HookKind::Start)
        } else if path.is_ident("on_stop") {
            Some(HookKind::Stop)
        } else if path.is_ident("on_restart") {
            Some(HookKind::Restart)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HookKind::Start => "on_start",
            HookKind::Stop => "on_stop",
            HookKind::Restart => "on_restart",
        }
    }
}

/// How a method takes `self`.
pub enum Receiver {
    Ref,
    RefMut,
    /// `self` by value, or a typed receiver such as `self: Box<Self>`.
    Other(Span),
    /// No receiver: an associated function.
    Missing,
}

/// One argument of a message or hook method, classified by its type.
pub enum Param {
    /// An argument carried in the message.
    Payload {
        /// The binding, when the pattern is a plain identifier.
        ident: Option<Ident>,
        pat: Box<Pat>,
        ty: Box<Type>,
    },
    /// `ctx: &mut Context<Self>`.
    Ctx { ty: Box<Type>, mutable: bool },
    /// `reply: Reply<T>` (delegated reply); `inner` is `T`.
    Reply {
        ty: Box<Type>,
        inner: Option<Box<Type>>,
    },
    /// `reason: &StopReason` (hooks only).
    Reason { ty: Box<Type> },
}

impl Param {
    pub fn span(&self) -> Span {
        match self {
            Param::Payload { ty, .. }
            | Param::Ctx { ty, .. }
            | Param::Reply { ty, .. }
            | Param::Reason { ty } => ty.span(),
        }
    }
}

/// Is `attr` one of this crate's method attributes?
fn is_ours(attr: &Attribute) -> bool {
    attr.path().is_ident("message") || HookKind::from_attr(attr).is_some()
}

impl ActorImpl {
    pub fn parse(args: TokenStream, mut item: ItemImpl, cx: &Ctxt) -> Self {
        let args = ImplArgs::parse(args, cx);
        let self_path = match &*item.self_ty {
            Type::Path(tp) if tp.qself.is_none() => Some(tp.path.clone()),
            other => {
                cx.error(
                    other.span(),
                    "`#[actor]` goes on an inherent impl of the actor struct",
                );
                None
            }
        };
        if let Some((_, trait_path, _)) = &item.trait_ {
            cx.error(
                trait_path.span(),
                "`#[actor]` goes on an inherent impl block (`impl Counter { .. }`), not on a trait impl",
            );
        }

        let mut messages = Vec::new();
        let mut hooks = Vec::new();
        for impl_item in &mut item.items {
            let ImplItem::Fn(method) = impl_item else {
                continue;
            };
            let ours: Vec<Attribute> = method
                .attrs
                .iter()
                .filter(|a| is_ours(a))
                .cloned()
                .collect();
            method.attrs.retain(|a| !is_ours(a));
            let mut ours = ours.into_iter();
            let Some(first) = ours.next() else { continue };
            let errors_before = cx.error_count();
            for extra in ours {
                cx.error(
                    extra.span(),
                    "a method takes one of `#[message]`, `#[on_start]`, `#[on_stop]`, `#[on_restart]`, once",
                );
            }
            let receiver = receiver_of(method);
            let params = method.sig.inputs.iter().filter_map(param_of).collect();
            match HookKind::from_attr(&first) {
                Some(kind) => {
                    parse_hook_attr(&first, cx);
                    hooks.push(Hook {
                        kind,
                        attr: first,
                        attr_errors: cx.error_count() > errors_before,
                        method: method.clone(),
                        receiver,
                        params,
                    });
                }
                None => {
                    let margs = MessageArgs::parse(&first, cx);
                    messages.push(Message {
                        args: margs,
                        attr_errors: cx.error_count() > errors_before,
                        method: method.clone(),
                        receiver,
                        params,
                    });
                }
            }
        }
        ActorImpl {
            item,
            args,
            self_path,
            messages,
            hooks,
        }
    }

    /// Keeps only the messages and hooks for which `keep` says true, so that
    /// an input with errors still generates the actor minus its broken parts
    /// (the methods themselves stay in the impl block as plain methods).
    pub fn retain(&mut self, keep_message: &[bool], keep_hook: &[bool]) {
        let mut keep = keep_message.iter();
        self.messages
            .retain(|_| keep.next().copied().unwrap_or(false));
        let mut keep = keep_hook.iter();
        self.hooks.retain(|_| keep.next().copied().unwrap_or(false));
    }
}

fn receiver_of(method: &ImplItemFn) -> Receiver {
    match method.sig.inputs.first() {
        Some(FnArg::Receiver(r)) => match (&r.reference, r.colon_token) {
            (Some(_), None) if r.mutability.is_some() => Receiver::RefMut,
            (Some(_), None) => Receiver::Ref,
            _ => Receiver::Other(r.span()),
        },
        _ => Receiver::Missing,
    }
}

fn param_of(arg: &FnArg) -> Option<Param> {
    let FnArg::Typed(pt) = arg else { return None };
    let ty = pt.ty.clone();
    if let Some(mutable) = reference_to(&ty, "Context") {
        return Some(Param::Ctx { ty, mutable });
    }
    if reference_to(&ty, "StopReason").is_some() {
        return Some(Param::Reason { ty });
    }
    if let Some(args) = last_segment_named(&ty, "Reply") {
        let inner = match args {
            Some(syn::PathArguments::AngleBracketed(ab)) if ab.args.len() == 1 => {
                match ab.args.first() {
                    Some(syn::GenericArgument::Type(t)) => Some(Box::new(t.clone())),
                    _ => None,
                }
            }
            _ => None,
        };
        return Some(Param::Reply { ty, inner });
    }
    let ident = match &*pt.pat {
        Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => Some(pi.ident.clone()),
        _ => None,
    };
    Some(Param::Payload {
        ident,
        pat: pt.pat.clone(),
        ty,
    })
}

/// For `&T` or `&mut T` where `T`'s last path segment is `name`: whether the
/// reference is mutable.
fn reference_to(ty: &Type, name: &str) -> Option<bool> {
    let Type::Reference(r) = ty else { return None };
    last_segment_named(&r.elem, name)?;
    Some(r.mutability.is_some())
}

/// When `ty` is a path whose last segment is `name`, that segment's arguments.
fn last_segment_named<'a>(ty: &'a Type, name: &str) -> Option<Option<&'a syn::PathArguments>> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    (last.ident == name).then_some(Some(&last.arguments))
}

/// The documentation of a method, carried to its handle method.
pub fn docs_of(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect()
}

/// `#[cfg(..)]` attributes of a method, repeated on everything generated for it.
pub fn cfgs_of(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .cloned()
        .collect()
}

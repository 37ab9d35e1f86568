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

/// One `#[on_start]`, `#[on_stop]`, `#[on_restart]`, `#[on_down]` or
/// `#[on_link_died]` method.
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
    /// A watched actor stopped for good.
    Down,
    /// A linked actor died (traps link deaths).
    LinkDied,
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
        } else if path.is_ident("on_down") {
            Some(HookKind::Down)
        } else if path.is_ident("on_link_died") {
            Some(HookKind::LinkDied)
        } else {
            None
        }
    }

    /// A hook that runs on a notice from the runtime, taking
    /// `id: ActorId, reason: StopReason`.
    pub fn is_notice(self) -> bool {
        matches!(self, HookKind::Down | HookKind::LinkDied)
    }

    pub fn name(self) -> &'static str {
        match self {
            HookKind::Start => "on_start",
            HookKind::Stop => "on_stop",
            HookKind::Restart => "on_restart",
            HookKind::Down => "on_down",
            HookKind::LinkDied => "on_link_died",
        }
    }
}

/// How a method takes `self`.
pub enum Receiver {
    /// `&self` or `self: &Self`.
    Ref,
    /// `&mut self` or `self: &mut Self`.
    RefMut,
    /// `self` by value, or another typed receiver such as `self: Box<Self>`.
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
                    "a method takes one of `#[message]`, `#[on_start]`, `#[on_stop]`, `#[on_restart]`, `#[on_down]`, `#[on_link_died]`, once",
                );
            }
            let receiver = receiver_of(method);
            let params = method
                .sig
                .inputs
                .iter_mut()
                .filter_map(|arg| param_of(arg, args.krate.as_ref(), cx))
                .collect();
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
    let Some(FnArg::Receiver(r)) = method.sig.inputs.first() else {
        return Receiver::Missing;
    };
    // syn gives every receiver its type: `&self` is `&Self`, `self` is `Self`.
    match &*r.ty {
        Type::Reference(tr) if is_self(&tr.elem) => {
            if tr.mutability.is_some() {
                Receiver::RefMut
            } else {
                Receiver::Ref
            }
        }
        _ => Receiver::Other(r.span()),
    }
}

fn is_self(ty: &Type) -> bool {
    matches!(ty, Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("Self"))
}

/// Classifies one argument, and removes the markers `#[reply]` and `#[ctx]`
/// from it (they are this crate's, not attributes rustc knows).
///
/// The runtime's types are recognised by the path they are written with,
/// since a macro cannot resolve names: `Reply<T>`, `Context<Self>` and
/// `StopReason` alone (the prelude's names), or a path to them through
/// `actor_core` or the `crate = ..` path (`actor_core::Reply<T>`,
/// `actor_core::reply::Reply<T>`, `actor_core::prelude::Context<Self>`). A
/// type of the same name under another path (`chat::Reply<T>`) is an
/// ordinary message argument. An argument marked `#[reply]` or `#[ctx]` is
/// the reply slot or the context whatever its type is written as (for a
/// renamed import).
fn param_of(arg: &mut FnArg, krate: Option<&Path>, cx: &Ctxt) -> Option<Param> {
    let FnArg::Typed(pt) = arg else { return None };
    let marker = take_marker(&mut pt.attrs, cx);
    let ty = pt.ty.clone();
    let ours = |ty: &Type, name: &str, modules: &[&str]| -> bool {
        let Type::Path(tp) = ty else { return false };
        tp.qself.is_none() && is_runtime_path(&tp.path, name, modules, krate)
    };
    let as_ctx = match marker {
        Some(Marker::Ctx(span)) => match &*ty {
            Type::Reference(r) => Some(r.mutability.is_some()),
            _ => {
                cx.error(
                    span,
                    "`#[ctx]` marks the context argument, `&mut Context<Self>`; this argument is not a reference",
                );
                return None;
            }
        },
        Some(Marker::Reply) => None,
        None => match &*ty {
            // `&'static Context` can only be the user's own type.
            Type::Reference(r)
                if !is_static(r.lifetime.as_ref())
                    && ours(&r.elem, "Context", &["context", "prelude"]) =>
            {
                Some(r.mutability.is_some())
            }
            _ => None,
        },
    };
    if let Some(mutable) = as_ctx {
        return Some(Param::Ctx { ty, mutable });
    }
    if marker.is_none()
        && let Type::Reference(r) = &*ty
        && !is_static(r.lifetime.as_ref())
        && ours(&r.elem, "StopReason", &["prelude"])
    {
        return Some(Param::Reason { ty });
    }
    if matches!(marker, Some(Marker::Reply)) || ours(&ty, "Reply", &["reply", "prelude"]) {
        let inner = match &*ty {
            Type::Path(tp) => match tp.path.segments.last().map(|s| &s.arguments) {
                Some(syn::PathArguments::AngleBracketed(ab)) if ab.args.len() == 1 => {
                    match ab.args.first() {
                        Some(syn::GenericArgument::Type(t)) => Some(Box::new(t.clone())),
                        _ => None,
                    }
                }
                _ => None,
            },
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

#[derive(Clone, Copy)]
enum Marker {
    Reply,
    Ctx(Span),
}

/// Removes `#[reply]` and `#[ctx]` from an argument's attributes and says
/// which one it had.
fn take_marker(attrs: &mut Vec<Attribute>, cx: &Ctxt) -> Option<Marker> {
    let mut marker = None;
    attrs.retain(|attr| {
        let found = if attr.path().is_ident("reply") {
            Marker::Reply
        } else if attr.path().is_ident("ctx") {
            Marker::Ctx(attr.meta.span())
        } else {
            return true;
        };
        if !matches!(attr.meta, syn::Meta::Path(_)) {
            cx.error(
                attr.meta.span(),
                "`#[reply]` and `#[ctx]` take no arguments",
            );
        } else if marker.is_some() {
            cx.error(
                attr.meta.span(),
                "an argument is either the reply slot (`#[reply]`) or the context (`#[ctx]`), once",
            );
        } else {
            marker = Some(found);
        }
        false
    });
    marker
}

fn is_static(lifetime: Option<&syn::Lifetime>) -> bool {
    lifetime.is_some_and(|l| l.ident == "static")
}

/// Whether `path` names the runtime's `name`: `name` alone, or
/// `actor_core::name`, `actor_core::<module>::name` for one of `modules`,
/// and the same through the `crate = ..` path.
fn is_runtime_path(path: &Path, name: &str, modules: &[&str], krate: Option<&Path>) -> bool {
    let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
    let Some((last, prefix)) = segments.split_last() else {
        return false;
    };
    if last.ident != name || prefix.iter().any(|s| !s.arguments.is_none()) {
        return false;
    }
    let prefix: Vec<String> = prefix.iter().map(|s| s.ident.to_string()).collect();
    if prefix.is_empty() {
        return path.leading_colon.is_none();
    }
    let roots: Vec<Vec<String>> = std::iter::once(vec!["actor_core".to_owned()])
        .chain(krate.map(|k| k.segments.iter().map(|s| s.ident.to_string()).collect()))
        .collect();
    roots.iter().any(|root| {
        prefix.starts_with(root)
            && match &prefix[root.len()..] {
                [] => true,
                [module] => modules.contains(&module.as_str()),
                _ => false,
            }
    })
}

/// The documentation of a method, carried to its handle method.
pub fn docs_of(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect()
}

/// `#[deprecated]` attributes of a method, carried to its handle method.
pub fn deprecations_of(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("deprecated"))
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

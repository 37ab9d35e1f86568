//! Attribute arguments: `#[actor(..)]` on the struct and on the impl,
//! `#[message(..)]` on a method. Unknown and duplicate keys are errors at the
//! key's span; all of them are reported, not only the first.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, LitInt, LitStr, Path, Type};

use crate::ctxt::Ctxt;

/// The mailbox an actor asks for.
#[derive(Clone, Copy)]
pub enum Mailbox {
    Bounded(usize),
    Unbounded,
}

/// What happens when a handler returns `Err` for a told message.
#[derive(Clone, Copy)]
pub enum TellErrors {
    Fail,
    Log,
}

/// `#[actor(mailbox = .., tell_errors = .., crate = ..)]` on the struct.
#[derive(Default)]
pub struct StructArgs {
    pub mailbox: Option<Mailbox>,
    pub tell_errors: Option<TellErrors>,
    pub krate: Option<Path>,
}

/// `#[actor(crate = .., remote = "wire.Name")]` on the impl block.
#[derive(Default)]
pub struct ImplArgs {
    pub krate: Option<Path>,
    /// The wire name of a remote actor (actor-core's `remote` feature).
    pub remote: Option<LitStr>,
}

/// `#[message(response = T, local)]`.
#[derive(Default)]
pub struct MessageArgs {
    pub response: Option<Type>,
    /// `local`: kept off the wire of a remote actor.
    pub local: Option<Span>,
}

/// Records a key, or reports it as a duplicate at its second use.
fn first_use<T>(slot: &Option<T>, meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("duplicate `{key}` key")));
    }
    Ok(())
}

/// Parses `crate = path` or `crate = "path"`.
fn parse_crate(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    let value = meta.value()?;
    if value.peek(LitStr) {
        let lit: LitStr = value.parse()?;
        lit.parse()
    } else {
        value.call(Path::parse_mod_style)
    }
}

/// Runs `parser` over every `key = value` of an argument list. A bad key does
/// not stop the others from being checked: each error is recorded in `cx`.
fn parse_list(
    tokens: TokenStream,
    cx: &Ctxt,
    mut parser: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    let result = syn::meta::parser(|meta| {
        if let Err(err) = parser(&meta) {
            cx.push(err);
            // Skip the rest of this key's value so the next key can be checked.
            while !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                meta.input.parse::<proc_macro2::TokenTree>()?;
            }
        }
        Ok(())
    })
    .parse2(tokens);
    if let Err(err) = result {
        cx.push(err);
    }
}

impl StructArgs {
    pub fn parse(tokens: TokenStream, cx: &Ctxt) -> Self {
        let mut args = StructArgs::default();
        parse_list(tokens, cx, |meta| {
            if meta.path.is_ident("mailbox") {
                first_use(&args.mailbox, meta, "mailbox")?;
                args.mailbox = Some(parse_mailbox(meta)?);
                Ok(())
            } else if meta.path.is_ident("tell_errors") {
                first_use(&args.tell_errors, meta, "tell_errors")?;
                args.tell_errors = Some(parse_tell_errors(meta)?);
                Ok(())
            } else if meta.path.is_ident("crate") {
                first_use(&args.krate, meta, "crate")?;
                args.krate = Some(parse_crate(meta)?);
                Ok(())
            } else if meta.path.is_ident("remote") {
                Err(meta.error(
                    "`remote` belongs on the impl block's `#[actor]`, where the messages are: \
                     `#[actor(remote = \"wire.Name\")] impl Foo { .. }`",
                ))
            } else {
                Err(meta.error(format!(
                    "unknown `#[actor]` key `{}`; expected `mailbox`, `tell_errors` or `crate`",
                    path_text(&meta.path)
                )))
            }
        });
        args
    }
}

fn parse_tell_errors(meta: &ParseNestedMeta<'_>) -> syn::Result<TellErrors> {
    let expected = "expected `tell_errors = fail` (the actor fails with the error) or `tell_errors = log` (logged and counted)";
    let value = meta.value()?;
    let ident: syn::Ident = value
        .parse()
        .map_err(|e| syn::Error::new(e.span(), expected))?;
    if ident == "fail" {
        Ok(TellErrors::Fail)
    } else if ident == "log" {
        Ok(TellErrors::Log)
    } else {
        Err(syn::Error::new(ident.span(), expected))
    }
}

fn parse_mailbox(meta: &ParseNestedMeta<'_>) -> syn::Result<Mailbox> {
    let value = meta.value()?;
    if value.peek(LitInt) {
        let lit: LitInt = value.parse()?;
        let n: usize = lit.base10_parse()?;
        if n == 0 {
            return Err(syn::Error::new(
                lit.span(),
                "mailbox capacity must be at least 1; use `mailbox = unbounded` for no limit",
            ));
        }
        Ok(Mailbox::Bounded(n))
    } else {
        let ident: syn::Ident = value.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a capacity (`mailbox = 1024`) or `mailbox = unbounded`",
            )
        })?;
        if ident == "unbounded" {
            Ok(Mailbox::Unbounded)
        } else {
            Err(syn::Error::new(
                ident.span(),
                "expected a capacity (`mailbox = 1024`) or `mailbox = unbounded`",
            ))
        }
    }
}

impl ImplArgs {
    pub fn parse(tokens: TokenStream, cx: &Ctxt) -> Self {
        let mut args = ImplArgs::default();
        parse_list(tokens, cx, |meta| {
            if meta.path.is_ident("crate") {
                first_use(&args.krate, meta, "crate")?;
                args.krate = Some(parse_crate(meta)?);
                Ok(())
            } else if meta.path.is_ident("remote") {
                first_use(&args.remote, meta, "remote")?;
                args.remote = Some(parse_wire_name(meta)?);
                Ok(())
            } else if meta.path.is_ident("mailbox") || meta.path.is_ident("tell_errors") {
                Err(meta.error(format!(
                    "`{}` belongs on the struct's `#[actor]`, not on the impl block",
                    path_text(&meta.path)
                )))
            } else {
                Err(meta.error(format!(
                    "unknown `#[actor]` key `{}` on an impl block; expected `crate` or `remote`",
                    path_text(&meta.path)
                )))
            }
        });
        args
    }
}

impl MessageArgs {
    /// Parses a `#[message]` or `#[message(..)]` attribute.
    pub fn parse(attr: &Attribute, cx: &Ctxt) -> Self {
        let mut args = MessageArgs::default();
        let tokens = match &attr.meta {
            syn::Meta::Path(_) => return args,
            syn::Meta::List(list) => list.tokens.clone(),
            syn::Meta::NameValue(nv) => {
                cx.error(
                    nv.eq_token.span,
                    "expected `#[message]`, `#[message(response = T)]` or `#[message(local)]`",
                );
                return args;
            }
        };
        parse_list(tokens, cx, |meta| {
            if meta.path.is_ident("response") {
                first_use(&args.response, meta, "response")?;
                args.response = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("local") {
                first_use(&args.local, meta, "local")?;
                args.local = Some(meta.path.span());
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown `#[message]` key `{}`; expected `response` or `local`",
                    path_text(&meta.path)
                )))
            }
        });
        args
    }
}

/// Parses `remote = "wire.Name"`: a stable name of the actor type on the
/// wire, letters, digits, `.`, `_` and `-`.
fn parse_wire_name(meta: &ParseNestedMeta<'_>) -> syn::Result<LitStr> {
    let expected = "expected `remote = \"wire.Name\"`: a stable name of the actor type on the wire (letters, digits, `.`, `_`, `-`)";
    let lit: LitStr = meta
        .value()?
        .parse()
        .map_err(|e| syn::Error::new(e.span(), expected))?;
    let name = lit.value();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !valid {
        return Err(syn::Error::new(lit.span(), expected));
    }
    Ok(lit)
}

/// Checks that a hook attribute (`#[on_start]` and the like) has no arguments.
pub fn parse_hook_attr(attr: &Attribute, cx: &Ctxt) {
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        let name = path_text(attr.path());
        cx.error(attr.meta.span(), format!("`#[{name}]` takes no arguments"));
    }
}

fn path_text(path: &Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

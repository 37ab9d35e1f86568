//! Names of generated items, derived from the user's names.

use proc_macro2::Span;
use quote::format_ident;
use syn::{Ident, Path};

/// `fetch_all` → `FetchAll`, at the method name's span.
pub fn variant_name(method: &Ident) -> Ident {
    let name = method.to_string();
    let name = name.trim_start_matches("r#");
    let mut out = String::with_capacity(name.len());
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("Message");
    }
    Ident::new(&out, method.span())
}

/// `Counter` → `CounterHandle` (or `CounterMessage`), at the struct name's span.
pub fn suffixed(ident: &Ident, suffix: &str) -> Ident {
    let name = ident.to_string();
    format_ident!(
        "{}{}",
        name.trim_start_matches("r#"),
        suffix,
        span = ident.span()
    )
}

/// `a::b::Counter<T>` → `a::b::CounterHandle<T>`.
pub fn suffixed_path(path: &Path, suffix: &str) -> Path {
    let mut path = path.clone();
    if let Some(last) = path.segments.last_mut() {
        last.ident = suffixed(&last.ident, suffix);
    }
    path
}

/// The actor's name for tracing and metrics: the struct name.
pub fn actor_name(path: &Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string().trim_start_matches("r#").to_owned())
        .unwrap_or_default()
}

/// The runtime crate path: `::actor_core` unless `crate = ..` overrides it.
pub fn runtime_path(krate: Option<&Path>) -> Path {
    match krate {
        Some(p) => p.clone(),
        None => {
            let mut segments = syn::punctuated::Punctuated::new();
            segments.push(syn::PathSegment::from(Ident::new(
                "actor_core",
                Span::call_site(),
            )));
            Path {
                leading_colon: Some(Default::default()),
                segments,
            }
        }
    }
}

//! Error collection: every check records its errors here instead of returning
//! at the first, so the user sees all of them in one build (serde's `Ctxt`).

use std::cell::RefCell;
use std::fmt::Display;

use proc_macro2::Span;

#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt::default()
    }

    /// Records an error at `span`.
    pub fn error(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error built elsewhere.
    pub fn push(&self, err: syn::Error) {
        self.errors.borrow_mut().push(err);
    }

    /// How many errors are recorded so far: compare before and after checking
    /// one part of the input to know whether that part is sound.
    pub fn error_count(&self) -> usize {
        self.errors.borrow().len()
    }

    /// All recorded errors combined into one, or `Ok` if there were none.
    pub fn check(self) -> syn::Result<()> {
        let mut errors = self.errors.into_inner().into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for err in errors {
            first.combine(err);
        }
        Err(first)
    }
}

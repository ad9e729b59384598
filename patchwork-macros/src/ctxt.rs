//! Collects every error found while reading the attribute and the block, so one compile shows all of a user's
//! mistakes, each at its own span (the approach of serde_derive's `Ctxt`).

use quote::ToTokens;
use std::fmt::Display;

/// Errors found so far; combined into one `syn::Error` that renders as several `compile_error!`s.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    /// Records an error built elsewhere (a parse error, for example).
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Records an error spanning `tokens` (first to last token).
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Whether anything was recorded.
    pub(crate) fn any(&self) -> bool {
        self.combined.is_some()
    }

    /// `Ok` when nothing was recorded, else every error as one `syn::Error`.
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        match self.combined {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

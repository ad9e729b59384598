//! The attribute once per block: a second `#[patchwork_feedback]` on the same block is reported once, at its path,
//! and never runs (it would redefine every item the first one adds).
//!
//! (The attribute on two blocks of one type is caught at expansion, `expand::once`: a block cannot see the others.)

use crate::ctxt::Errors;
use syn::Attribute;

/// The message for the attribute written twice on one block.
pub(crate) const APPLIED_TWICE: &str = "`#[patchwork_feedback]` is applied twice to this block: remove this one \
     (the attribute goes once, on one block of the server type)";

/// Takes a second `#[patchwork_feedback]` off the block's attributes (outer attributes expand first, so this one
/// sees the other still in place), recording one error at its path.
pub(crate) fn remove_repeats(attrs: &mut Vec<Attribute>, errors: &mut Errors) {
    attrs.retain(|attr| {
        let repeated = attr
            .path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "patchwork_feedback");
        if repeated {
            errors.spanned(attr.path(), APPLIED_TWICE);
        }
        !repeated
    });
}

//! Token helpers the generators share: a string literal that reads like its text, and tokens moved to a span.

use proc_macro2::{Literal, Span, TokenStream};

/// A string literal for `text`: raw (`r#"..."#`) when it spans lines or holds quotes, so the expansion reads
/// like the text itself.
pub(super) fn text_literal(text: &str) -> Literal {
    if !text.contains(['\n', '"']) {
        return Literal::string(text);
    }
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse::<Literal>()
        .unwrap_or_else(|_| Literal::string(text))
}

/// `tokens` with every span set to `span` (groups included), so an error about them points at `span`.
pub(super) fn respanned(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respanned(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

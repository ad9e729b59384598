//! The generation phase, and the macro's entry point (`lib.rs` only converts token types).
//!
//! The phases: parse the arguments (`attr`) and the block (`ast`), check both (`valid`), then either generate
//! (here: `items` for the public items, `config_static` for the hidden configuration their bodies read, `rmcp` for
//! rmcp mode's method and `impl ServerHandler`) or, when anything is wrong, emit the block unchanged beside the
//! errors (`fallback`).

mod config_static;
mod items;
mod once;
mod rmcp;
mod tokens;

pub(crate) use once::Site;

use crate::ast::Server;
use crate::config::Config;
use crate::ctxt::Errors;
use crate::valid::repeat::{APPLIED_TWICE, remove_repeats};
use crate::{attr, fallback, valid};
use config_static::config_static;
use items::generated_items;
use once::Guard;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{ImplItem, Item};

/// Expands `#[patchwork_feedback(args)] item`, written at `site`. Never panics: any input yields either the
/// expansion or the item unchanged with `compile_error!`s beside it.
pub fn patchwork_feedback(args: TokenStream, item: TokenStream, site: &Site) -> TokenStream {
    let mut errors = Errors::default();
    let args = attr::parse(args, &mut errors);
    let (item, server) = match syn::parse2::<Item>(item.clone()) {
        Ok(mut parsed) => {
            if let Item::Impl(block) = &mut parsed {
                remove_repeats(&mut block.attrs, &mut errors);
            }
            (
                parsed.to_token_stream(),
                Server::from_item(parsed, &mut errors),
            )
        }
        Err(error) => {
            errors.push(error);
            (item, None)
        }
    };
    if server.as_ref().is_some_and(Server::carries_the_expansion) {
        // The block already holds the items: report the repetition once, not each item it would redefine.
        return quote! {
            ::core::compile_error! { #APPLIED_TWICE }
            #item
        };
    }
    let config = valid::check(args, server.as_ref(), &mut errors);
    // Every block of a type is guarded, the one with errors too, so a repeat of it is one error more, not a clash
    // with its stubs per item.
    let guard = server
        .as_ref()
        .and_then(|server| Guard::new(server, &config, site));
    let expansion = match (errors.finish(), server) {
        (Ok(()), Some(server)) => generate(server, &config),
        (Err(error), server) => fallback::expand(item.clone(), server, &config, error),
        // Unreachable (no server means an error was recorded); emitting the item keeps it harmless.
        (Ok(()), None) => return item,
    };
    match guard {
        Some(guard) => guard.wrap(expansion, &item),
        None => expansion,
    }
}

/// The block with the generated items appended.
fn generate(mut server: Server, config: &Config) -> TokenStream {
    let config_static = config_static(&server, config);
    let generated = generated_items(&server, config, &config_static);
    server.item.items.push(ImplItem::Verbatim(generated));
    if let Some(routed) = rmcp::routed_method(&server, config, &config_static) {
        server.item.items.push(ImplItem::Verbatim(routed));
    }
    let server_handler = rmcp::take_server_handler(&mut server, config);
    let item = &server.item;
    quote!(#item #server_handler)
}

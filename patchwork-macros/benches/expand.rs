//! Time to expand `#[patchwork_feedback]` on a realistic server impl block (12 rmcp-style tools with doc
//! comments, attributes and bodies), through the macro's proc_macro2 entry point.
//!
//! `cargo bench -p patchwork-macros --bench expand`. A plain `harness = false` bench: a proc-macro crate exports
//! only macros, so the bench includes the macro's modules by path and calls `expand::patchwork_feedback`. Outside
//! the compiler proc_macro2 runs its own token implementation, so these figures measure our parse, check and
//! generate work, not rustc's token bridge.

#![allow(dead_code)]
// The included modules carry their unit tests; in a `cfg(test)` build of this bench they are compiled out.
#![cfg_attr(test, allow(unused_imports))]

#[path = "../src/ast/mod.rs"]
mod ast;
#[path = "../src/attr.rs"]
mod attr;
#[path = "../src/config.rs"]
mod config;
#[path = "../src/contract/mod.rs"]
mod contract;
#[path = "../src/ctxt.rs"]
mod ctxt;
#[path = "../src/expand/mod.rs"]
mod expand;
#[path = "../src/fallback.rs"]
mod fallback;
#[cfg(test)]
#[path = "../src/fixtures.rs"]
mod fixtures;
#[path = "../src/generated.rs"]
mod generated;
#[path = "../src/keys.rs"]
mod keys;
#[path = "../src/secret.rs"]
mod secret;
#[path = "../src/suggest.rs"]
mod suggest;
#[path = "../src/valid/mod.rs"]
mod valid;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A server block like the ones users write: tools with docs, parameters, `#[tool(...)]` attributes and bodies.
fn realistic_block() -> TokenStream {
    let tools = (0..12).map(|i| {
        let name = format_ident!("tool_number_{i}");
        let args = format_ident!("Args{i}");
        let description = format!("Tool {i}: looks up records of kind {i} and returns them as text.");
        quote! {
            #[doc = #description]
            #[doc = " Returns an error result when the record does not exist."]
            #[tool(description = #description, annotations(read_only_hint = true))]
            async fn #name(&self, Parameters(args): Parameters<#args>) -> Result<CallToolResult, ErrorData> {
                let records = self.store.lock().await;
                match records.get(&args.id) {
                    Some(record) => Ok(CallToolResult::success(vec![ContentBlock::text(record.to_string())])),
                    None => Ok(CallToolResult::error(vec![ContentBlock::text(format!("no record {}", args.id))])),
                }
            }
        }
    });
    quote! {
        #[tool_router]
        impl Inventory {
            pub fn new(store: Store) -> Self {
                Self { store: ::std::sync::Arc::new(::tokio::sync::Mutex::new(store)), tool_router: Self::tool_router() }
            }
            #(#tools)*
        }
    }
}

fn main() {
    let args = quote!(
        slug = "inventory",
        instructions = "Look up inventory records by id; every tool is read-only.",
        api_key_env = "INVENTORY_PATCHWORK_KEY"
    );
    let block = realistic_block();
    let site = expand::Site::default();
    let expand =
        || expand::patchwork_feedback(black_box(args.clone()), black_box(block.clone()), &site);

    let output = expand().to_string();
    assert!(
        output.contains("PATCHWORK_INPUT_SCHEMA") && !output.contains("compile_error"),
        "{output}"
    );

    for _ in 0..200 {
        black_box(expand());
    }
    let samples = 2_000;
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            // Inputs are cloned outside the timed region: the compiler hands the macro fresh token streams.
            let (args, block) = (args.clone(), block.clone());
            let start = Instant::now();
            black_box(expand::patchwork_feedback(
                black_box(args),
                black_box(block),
                &site,
            ));
            start.elapsed()
        })
        .collect();
    times.sort();
    let mean = times.iter().sum::<Duration>() / samples;
    let percentile = |p: usize| times[(times.len() - 1) * p / 100];
    println!(
        "expand #[patchwork_feedback] on a 13-method block (input {} bytes of tokens as text, output {}): \
         median {:?}, mean {:?}, p90 {:?}, min {:?} over {samples} runs",
        block.to_string().len(),
        output.len(),
        percentile(50),
        mean,
        percentile(90),
        times[0],
    );
}

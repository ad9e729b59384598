//! Unit tests of the whole expansion through the proc_macro2 entry point: what comes out for good and bad input,
//! and that no input makes the macro panic.

use crate::expand::patchwork_feedback;
use proc_macro2::TokenStream;
use quote::quote;

fn expand(args: TokenStream, item: TokenStream) -> String {
    patchwork_feedback(args, item).to_string()
}

fn error_count(output: &str) -> usize {
    output.matches("compile_error").count()
}

#[test]
fn bare_attribute_adds_every_public_item_and_keeps_the_block() {
    let output = expand(quote!(), quote!(impl Server { fn own(&self) {} }));
    for item in crate::expand::GENERATED_ITEMS {
        assert!(output.contains(item), "{item} missing from {output}");
    }
    assert!(output.contains("fn own"));
    assert_eq!(error_count(&output), 0, "{output}");
}

#[test]
fn several_mistakes_are_reported_together_and_the_block_is_kept() {
    let output = expand(
        quote!(
            slug = "",
            tool_name = "has space",
            colour = "red",
            url = "http://example.com",
            api_key = "pk_live"
        ),
        quote!(impl Server { fn own(&self) {} }),
    );
    assert_eq!(error_count(&output), 5, "{output}");
    assert!(output.contains("fn own"));
    assert!(
        !output.contains("pk_live"),
        "the key must not be echoed: {output}"
    );
}

#[test]
fn the_attribute_on_a_function_is_one_error_and_the_function_is_kept() {
    let output = expand(
        quote!(),
        quote!(
            fn handler() {}
        ),
    );
    assert_eq!(error_count(&output), 1, "{output}");
    assert!(output.contains("fn handler"));
    assert!(
        !output.contains("patchwork_tool"),
        "no stubs outside an impl block"
    );
}

#[test]
fn tools_marked_tool_are_listed_with_their_rmcp_names() {
    let output = expand(
        quote!(),
        quote!(impl Server {
            #[tool(description = "adds", name = "sum")] async fn add(&self) {}
            #[rmcp::tool] async fn echo(&self) {}
            fn helper(&self) {}
        }),
    );
    assert!(
        output.contains(r#"PATCHWORK_SERVER_TOOLS : & [& str] = & ["sum" , "echo"]"#),
        "{output}"
    );
}

/// Inputs chosen to break a careless parser: every one must give output (item or errors), never a panic.
#[test]
fn malformed_input_never_panics() {
    let args = [
        "",
        "slug",
        "slug =",
        "= \"x\"",
        "slug = \"a\" tool_name = \"b\"",
        "slug(\"a\")",
        "a::b = \"x\"",
        "r#slug = \"x\"",
        "crate = \"not a path\"",
        "crate = \"\"",
        "url = \"https://[\"",
        "url = \"https://é.com\"",
        "url = \"http://[::1\"",
        "slug = b\"x\"",
        "slug = 1 + 2",
        "slug = { \"x\" }",
        ",",
        "slug = \"a\",,",
        "\"x\"",
        "api_key = , slug = \"s\"",
        "tool_name = \"\u{1F600}\"",
    ];
    let items = [
        "",
        "impl",
        "impl X {",
        "struct S;",
        "impl Trait for X {}",
        "impl<T> X<T> where T: Clone { fn feedback(&self) {} }",
        "impl X { const PATCHWORK_TOOL_NAME: &str = \"\"; }",
        "mod m {}",
        "impl X { #[tool(name)] fn a(&self) {} #[tool(name = 1)] fn b(&self) {} #[tool = \"x\"] fn c(&self) {} }",
    ];
    for args in args {
        for item in items {
            let (Ok(args_tokens), Ok(item_tokens)) =
                (args.parse::<TokenStream>(), item.parse::<TokenStream>())
            else {
                continue;
            };
            let output = patchwork_feedback(args_tokens, item_tokens).to_string();
            assert!(
                !output.is_empty() || item.is_empty(),
                "args {args:?} item {item:?}"
            );
        }
    }
}

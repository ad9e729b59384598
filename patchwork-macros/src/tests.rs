//! Unit tests of the whole expansion through the proc_macro2 entry point: what comes out for good and bad input,
//! and that no input makes the macro panic.

use crate::expand::{Site, patchwork_feedback};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

/// The expansion of the attribute on the first (only) block of its type, as rustc sees it once the once-per-type
/// guard has picked its first alternative (what `cargo expand` shows).
fn expand(args: TokenStream, item: TokenStream) -> String {
    expanded(patchwork_feedback(args, item, &Site::default())).to_string()
}

/// `tokens` with the guard's `__patchwork_feedback_block_..! { [first] [repeat] }` replaced by `first`.
fn expanded(tokens: TokenStream) -> TokenStream {
    alternative(tokens, 0)
}

/// `tokens` with the guard's invocation replaced by its alternative `which` (0: first block, 1: a repeat).
fn alternative(tokens: TokenStream, which: usize) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        if let (TokenTree::Ident(name), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(body))) =
            (&trees[i], trees.get(i + 1), trees.get(i + 2))
            && name.to_string().starts_with("__patchwork_feedback_block_")
            && bang.as_char() == '!'
            && body.delimiter() == Delimiter::Brace
        {
            let chosen = body
                .stream()
                .into_iter()
                .filter_map(|tree| match tree {
                    TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
                        Some(group.stream())
                    }
                    _ => None,
                })
                .nth(which)
                .expect("the guard has two alternatives");
            out.extend(chosen);
            i += 3;
            continue;
        }
        out.push(trees[i].clone());
        i += 1;
    }
    out.into_iter().collect()
}

/// The user's block in an expansion: the `impl` items, the guard's module, import and macro left out.
fn block_of(output: &str) -> syn::ItemImpl {
    let file: syn::File = syn::parse_str(output).expect("the expansion parses as items");
    let mut blocks = file.items.into_iter().filter_map(|item| match item {
        syn::Item::Impl(block) => Some(block),
        _ => None,
    });
    let block = blocks.next().expect("an impl block");
    assert!(blocks.next().is_none(), "one impl block: {output}");
    block
}

fn error_count(output: &str) -> usize {
    output.matches("compile_error").count()
}

/// Exactly the items of `GENERATED_ITEMS` are added (the clash check relies on that list being complete).
#[test]
fn bare_attribute_adds_every_public_item_and_keeps_the_block() {
    let output = expand(
        quote!(dispatch = "manual"),
        quote!(impl Server { fn own(&self) {} }),
    );
    assert_eq!(error_count(&output), 0, "{output}");
    let block = block_of(&output);
    let names: Vec<String> = block
        .items
        .iter()
        .map(|item| match item {
            syn::ImplItem::Const(constant) => constant.ident.to_string(),
            syn::ImplItem::Fn(function) => function.sig.ident.to_string(),
            other => panic!("unexpected item {}", quote!(#other)),
        })
        .collect();
    let mut expected = vec!["own".to_owned()];
    expected.extend(
        crate::generated::GENERATED_ITEMS
            .iter()
            .map(|s| (*s).to_owned()),
    );
    assert_eq!(names, expected);
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
        "no stubs beside a function"
    );
}

#[test]
fn on_a_trait_impl_the_stubs_go_in_an_inherent_impl_of_the_type() {
    let output = expand(
        quote!(),
        quote!(
            impl<'a, T: Clone> ServerHandler for Server<'a, T> {
                fn get_info(&self) {}
            }
        ),
    );
    assert_eq!(error_count(&output), 1, "{output}");
    assert!(output.contains("ServerHandler for Server"), "{output}");
    assert!(
        output.contains("impl < 'a , T : Clone > Server < 'a , T > {"),
        "{output}"
    );
    assert!(output.contains("PATCHWORK_INSTRUCTIONS"), "{output}");

    // A generic parameter the type does not name would be unconstrained in an inherent impl: no stubs.
    let output = expand(
        quote!(),
        quote!(
            impl<T> From<T> for Server {
                fn from(_: T) -> Self {
                    Server
                }
            }
        ),
    );
    assert_eq!(error_count(&output), 1, "{output}");
    assert!(!output.contains("PATCHWORK_INSTRUCTIONS"), "{output}");
}

#[test]
fn on_a_struct_the_stubs_go_in_an_impl_of_it() {
    let output = expand(
        quote!(),
        quote!(
            pub struct Server<T: Clone> {
                state: T,
            }
        ),
    );
    assert_eq!(error_count(&output), 1, "{output}");
    assert!(output.contains("pub struct Server"), "{output}");
    assert!(
        output.contains("impl < T : Clone > Server < T > {"),
        "{output}"
    );
    assert!(output.contains("PATCHWORK_INSTRUCTIONS"), "{output}");
}

#[test]
fn tools_marked_tool_are_listed_with_their_rmcp_names() {
    let output = expand(
        quote!(dispatch = "manual"),
        quote!(impl Server {
            #[tool(description = "adds", name = "sum")] async fn add(&self) {}
            #[rmcp::tool] async fn echo(&self) {}
            fn helper(&self) {}
        }),
    );
    assert!(
        output.contains(r#"PATCHWORK_SERVER_TOOLS : & 'static [& 'static :: core :: primitive :: str] = & ["sum" , "echo"]"#),
        "{output}"
    );
    // The hidden config carries them too: it is what the runtime sends.
    assert!(
        output.contains(r#"server_tools : & ["sum" , "echo"]"#),
        "{output}"
    );
}

/// The configured `url` reaches the runtime config in the contract's normal form, not as written.
#[test]
fn the_url_is_emitted_in_normal_form() {
    let output = expand(
        quote!(
            url = " HTTPS://Eu.Example.com:443/base/ ",
            dispatch = "manual"
        ),
        quote!(impl Server {}),
    );
    assert_eq!(error_count(&output), 0, "{output}");
    assert!(
        output.contains(
            r#"base_url : :: core :: option :: Option :: Some ("https://eu.example.com/base")"#
        ),
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
            let output = patchwork_feedback(args_tokens, item_tokens, &Site::default()).to_string();
            assert!(
                !output.is_empty() || item.is_empty(),
                "args {args:?} item {item:?}"
            );
        }
    }
}

proptest::proptest! {
    /// Random token soup for the arguments and the item: the macro always answers (with the expansion or with
    /// errors beside the item) and never panics.
    #[test]
    fn random_tokens_never_panic(
        args in proptest::collection::vec(proptest::sample::select(ARG_TOKENS), 0..12),
        item in proptest::collection::vec(proptest::sample::select(ITEM_TOKENS), 0..10),
    ) {
        let args = args.join(" ");
        let item = format!("impl {} {{ {} }}", item.first().copied().unwrap_or(""), item.get(1..).unwrap_or_default().join(" "));
        if let (Ok(args), Ok(item)) = (args.parse::<TokenStream>(), item.parse::<TokenStream>()) {
            let output = patchwork_feedback(args, item, &Site::default());
            proptest::prop_assert!(!output.is_empty());
        }
    }
}

const ARG_TOKENS: &[&str] = &[
    "slug",
    "tool_name",
    "instructions",
    "url",
    "api_key_env",
    "crate",
    "api_key",
    "token",
    "colour",
    "r#type",
    "=",
    ",",
    "::",
    "\"\"",
    "\"my-server\"",
    "\"a b\"",
    "\"https://patchworkmcp.com\"",
    "\"http://[::1\"",
    "\"http://127.0.0.1:0\"",
    "42",
    "true",
    "b\"x\"",
    "'c'",
    "(x = 1)",
    "{}",
    "[]",
    "-",
    "!",
    "#",
];

const ITEM_TOKENS: &[&str] = &[
    "Server",
    "<T>",
    "Trait for Server",
    "<'a> Server<'a>",
    "fn feedback(&self) {}",
    "fn patchwork_tool() {}",
    "#[tool] async fn a(&self) {}",
    "#[tool(name = \"feedback\")] fn b(&self) {}",
    "#[tool(name)] fn c(&self) {}",
    "const PATCHWORK_TOOL_NAME: u8 = 0;",
    "type X = u8;",
    "m!{}",
    "fn",
    "{}",
    ";",
];

/// The expansion shown in the attribute's docs (`docs/expansion.rs`) is the macro's real output for the docs'
/// example (`docs/example.rs`), compared token by token (string literals by value, so `///` and `#[doc]` match).
/// After a deliberate change: `PATCHWORK_BLESS=1 cargo test -p patchwork-macros --lib`, then review the diff.
#[test]
fn documented_expansion_is_the_real_expansion() {
    let example = include_str!("../docs/example.rs");
    let file = syn::parse_file(example).expect("docs/example.rs parses");
    let mut block = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Impl(block) => Some(block),
            _ => None,
        })
        .expect("docs/example.rs has an impl block");
    let position = block
        .attrs
        .iter()
        .position(|attr| attr.path().is_ident("patchwork_feedback"))
        .expect("the impl block carries the attribute");
    let attr = block.attrs.remove(position);
    let args = match attr.meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    };
    let actual = expanded(patchwork_feedback(args, quote!(#block), &Site::default()));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/expansion.rs");
    if std::env::var_os("PATCHWORK_BLESS").is_some() {
        std::fs::write(path, format!("{actual}\n")).expect("write docs/expansion.rs");
        let _ = std::process::Command::new("rustfmt")
            .args(["--edition", "2024", path])
            .status();
    }
    let documented: TokenStream = std::fs::read_to_string(path)
        .expect("read docs/expansion.rs")
        .parse()
        .expect("docs/expansion.rs lexes");
    assert_eq!(
        canonical(documented),
        canonical(actual),
        "docs/expansion.rs is stale: rerun with PATCHWORK_BLESS=1 and review the diff"
    );
}

/// `tokens` as text, one space between tokens whatever their spacing, every string literal in one spelling
/// (`"…"` with escapes) so raw strings, doc comments and `#[doc = "…"]` compare by value, and without the
/// trailing commas rustfmt adds.
fn canonical(tokens: TokenStream) -> String {
    use proc_macro2::{Delimiter, Literal, TokenTree};
    let mut trees: Vec<TokenTree> = tokens.into_iter().collect();
    if matches!(trees.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        trees.pop();
    }
    let parts: Vec<String> = trees
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                format!("{open} {} {close}", canonical(group.stream()))
            }
            TokenTree::Literal(literal) => {
                match syn::parse_str::<syn::LitStr>(&literal.to_string()) {
                    Ok(string) => Literal::string(&string.value()).to_string(),
                    Err(_) => literal.to_string(),
                }
            }
            TokenTree::Punct(punct) => punct.as_char().to_string(),
            TokenTree::Ident(ident) => ident.to_string(),
        })
        .collect();
    parts.join(" ")
}

/// The syntax forms users get wrong each give one error that shows the form to write.
#[test]
fn wrong_syntax_forms_get_one_error_each_showing_the_form() {
    for (args, wanted) in [
        (quote!(slug: "weather"), "write `slug = \"weather\"`"),
        (quote!(slug("weather")), "write `slug = \"weather\"`"),
        (quote!("weather"), "write `slug = \"weather\"`"),
        (quote!(delivery = await), "write `delivery = \"await\"`"),
        (
            quote!(delivery = background),
            "write `delivery = \"background\"`",
        ),
        (
            quote!(crate = "patchwork-runtime"),
            "write `crate = \"::patchwork_runtime\"`",
        ),
        (
            quote!(crate = patchwork_runtime),
            "write `crate = \"::patchwork_runtime\"`",
        ),
        (
            quote!(slug = "a" tool_name = "b"),
            "expected `,` after `slug = \"a\"`",
        ),
        (quote!(slug = "a";), "expected `,` after `slug = \"a\"`"),
        (quote!(slug =), "`slug =` needs a value"),
        (quote!(slug), "`slug` takes a value"),
    ] {
        let output = expand(args.clone(), quote!(impl Server {}));
        assert_eq!(error_count(&output), 1, "{args}: {output}");
        assert!(
            output.contains(&wanted.replace('"', "\\\"")),
            "{args}: {output}"
        );
    }
}

/// A second block of a type with the attribute is one error at its attribute, and its block as written; the
/// first block's alternative is the expansion. The block's `#[cfg]` guards every item of the guard.
#[test]
fn a_repeat_on_another_block_of_the_type_is_one_error_and_its_block_as_written() {
    let item = quote!(
        #[cfg(feature = "server")]
        impl Server<T> {
            fn ping(&self) {}
        }
    );
    let output = patchwork_feedback(quote!(), item, &Site::default());
    let repeat = alternative(output.clone(), 1).to_string();
    assert_eq!(error_count(&repeat), 1, "{repeat}");
    assert!(
        repeat.contains(
            "goes on exactly one impl block per type, and an earlier block of `Server<T>`"
        ),
        "{repeat}"
    );
    assert!(!repeat.contains("PATCHWORK_TOOL_NAME"), "{repeat}");
    assert!(
        repeat
            .contains("# [cfg (feature = \"server\")] impl Server < T > { fn ping (& self) { } }"),
        "{repeat}"
    );
    let first = expanded(output.clone()).to_string();
    assert_eq!(error_count(&first), 0, "{first}");
    assert!(first.contains("PATCHWORK_TOOL_NAME"), "{first}");
    let text = output.to_string();
    assert_eq!(
        text.matches("# [cfg (feature = \"server\")]").count(),
        4 + 2,
        "{text}"
    );
    assert!(text.contains(":: patchwork_runtime :: __private :: first_feedback_block as __patchwork_feedback_block_Server_"), "{text}");
}

/// Two blocks of one type meet under one guard name; other types, and the same type in another file, do not.
#[test]
fn the_guard_is_named_by_the_type_and_the_file() {
    let name = |item: TokenStream, file: &str, line: usize| {
        let site = Site {
            file: file.to_owned(),
            line,
            column: 0,
        };
        let output = patchwork_feedback(quote!(dispatch = "manual"), item, &site).to_string();
        let at = output.find("__patchwork_feedback_block_").expect("a guard");
        output[at..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let a = name(quote!(impl Server {}), "src/lib.rs", 3);
    assert_eq!(
        a,
        name(quote!(impl Server { fn other(&self) {} }), "src/lib.rs", 9)
    );
    assert_ne!(a, name(quote!(impl Other {}), "src/lib.rs", 9));
    assert_ne!(a, name(quote!(impl Server {}), "src/server.rs", 9));
}

//! patchwork-runtime's rustdoc as docs.rs renders it (`[package.metadata.docs.rs]`: all features, `--cfg docsrs`,
//! which turns on `feature(doc_cfg)`; here stable rustdoc with `RUSTC_BOOTSTRAP=1`, as docs.rs's nightly):
//! - it builds without one warning (`-D warnings`: broken links, bad code-block attributes, ...);
//! - every item behind a cargo feature says so on its page ("Available on crate feature `rmcp` only");
//! - every page, and every inherent method and associated constant on it, has a compiled example (a doc test,
//!   `no_run` or run; `ignore` does not count), unless [`EXEMPT`] says why not.
//!
//! The build has its own target directory (`<target>/doc-check`): `RUSTC_BOOTSTRAP` is part of every crate's
//! fingerprint, and sharing the workspace's would rebuild it after each run. By hand:
//! `cargo test -p patchwork-tests --test rustdoc -- --nocapture` (prints the figures).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use patchwork_tests::{repo_root, run_bounded};

/// Items with no example, and why. Keys: a page (`struct.Stats.html`) or one of its members
/// (`struct.Stats.html#method.x`). An entry that now has an example, or no longer exists, fails the test.
const EXEMPT: &[(&str, &str)] = &[];

/// Which feature gates the pages under each directory of the docs (a module behind that feature).
const GATED_DIRECTORIES: &[(&str, &str)] = &[("rmcp/", "rmcp"), ("testing/", "test-util")];

/// The rendered docs of patchwork-runtime, built once per test process.
fn docs() -> &'static Path {
    static DOCS: OnceLock<PathBuf> = OnceLock::new();
    DOCS.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("the target directory")
            .join("doc-check");
        let output = run_bounded(
            Command::new(env!("CARGO"))
                .current_dir(repo_root())
                .args([
                    "doc",
                    "-p",
                    "patchwork-runtime",
                    "--all-features",
                    "--no-deps",
                    "--locked",
                    "--target-dir",
                ])
                .arg(&target)
                .env("RUSTC_BOOTSTRAP", "1")
                .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings")
                .env_remove("CARGO_ENCODED_RUSTDOCFLAGS")
                .env_remove("RUSTFLAGS")
                .env_remove("CARGO_ENCODED_RUSTFLAGS"),
            Duration::from_secs(1200),
        );
        assert!(
            output.status.success(),
            "the docs.rs build of patchwork-runtime failed (or warned):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        target.join("doc/patchwork_runtime")
    })
}

/// Every item page (not `all.html`, not the redirects rustdoc writes for re-exports), by path under the crate's
/// docs, with its HTML.
fn pages() -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, pages: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("the docs directory") {
            let path = entry.expect("a docs entry").path();
            if path.is_dir() {
                walk(root, &path, pages);
            } else if path.extension().is_some_and(|e| e == "html") {
                let html = std::fs::read_to_string(&path).expect("a docs page");
                let name = path
                    .strip_prefix(root)
                    .expect("under the root")
                    .to_string_lossy()
                    .into_owned();
                if name != "all.html" && !html.contains("http-equiv=\"refresh\"") {
                    pages.insert(name, html);
                }
            }
        }
    }
    let mut pages = BTreeMap::new();
    walk(docs(), docs(), &mut pages);
    assert!(
        pages.contains_key("struct.Builder.html") && pages.contains_key("index.html"),
        "the docs hold the crate's pages: {:?}",
        pages.keys().collect::<Vec<_>>()
    );
    pages
}

/// A compiled example: a Rust block (` ```text `, ` ```json ` and other languages are wrapped alike but rendered
/// as `language-*`); rustdoc marks `ignore`, `compile_fail` and `should_panic` blocks with a class of their own.
fn has_example(html: &str) -> bool {
    html.contains("<div class=\"example-wrap\"><pre class=\"rust rust-example-rendered\"")
}

/// The page's own documentation (the item's, not its members').
fn top_doc(html: &str) -> &str {
    let Some(start) = html.find("<details class=\"toggle top-doc\"") else {
        return "";
    };
    let rest = &html[start..];
    &rest[..rest.find("</details>").unwrap_or(rest.len())]
}

/// The page's inherent methods and associated constants (trait implementations' members are the traits'), each
/// with its HTML up to the next member or section.
fn members(html: &str) -> Vec<(String, &str)> {
    let mut found = Vec::new();
    for (marker, class) in [
        ("method.", "method"),
        ("associatedconstant.", "associatedconstant"),
    ] {
        let open = format!("<section id=\"{marker}");
        let mut from = 0;
        while let Some(at) = html[from..].find(&open) {
            let start = from + at;
            let id_end = start + html[start + 13..].find('"').expect("an id") + 13;
            let id = &html[start + 13..id_end];
            let tail = &html[id_end..];
            from = id_end;
            if !tail.starts_with(&format!("\" class=\"{class}\"")) {
                continue; // `class="method trait-impl"`
            }
            let end = [tail.find("<section id="), tail.find("<h2 ")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(tail.len());
            found.push((id.to_string(), &tail[..end]));
        }
    }
    found
}

#[test]
fn items_behind_a_feature_say_which_on_docs_rs() {
    let pages = pages();
    let mut wrong = Vec::new();
    for (page, html) in &pages {
        let gate = GATED_DIRECTORIES
            .iter()
            .find(|(dir, _)| page.starts_with(dir))
            .map(|(_, feature)| *feature);
        // The badge sits in the item's info, before its documentation.
        let info = &html[..html
            .find("<details class=\"toggle top-doc\"")
            .unwrap_or(html.len())];
        let says = |feature: &str| {
            info.contains(&format!(
                "Available on <strong>crate feature <code>{feature}</code></strong> only."
            ))
        };
        match gate {
            Some(feature) if !says(feature) => wrong.push(format!("{page}: no `{feature}` badge")),
            None if info.contains("Available on <strong>crate feature") => {
                wrong.push(format!(
                    "{page}: a feature badge on an item no feature gates"
                ));
            }
            _ => {}
        }
    }
    // The crate's index lists the gated modules with their feature.
    let index = &pages["index.html"];
    for (dir, feature) in GATED_DIRECTORIES {
        let module = dir.trim_end_matches('/');
        let row = format!(
            "href=\"{dir}index.html\" title=\"mod patchwork_runtime::{module}\">{module}</a><wbr>\
             <span class=\"stab portability\" title=\"Available on crate feature `{feature}` only\">"
        );
        if !index.contains(&row) {
            wrong.push(format!("index.html: `{module}` is not marked `{feature}`"));
        }
    }
    assert!(wrong.is_empty(), "feature badges:\n{}", wrong.join("\n"));
}

#[test]
fn every_item_a_user_touches_has_a_compiled_example() {
    let pages = pages();
    let exempt: BTreeMap<&str, &str> = EXEMPT.iter().copied().collect();
    let (mut items, mut with_example) = (0, 0);
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    let mut judge = |key: String, example: bool| {
        items += 1;
        with_example += usize::from(example);
        match (example, exempt.contains_key(key.as_str())) {
            (false, false) => missing.push(key),
            (true, true) => stale.push(format!("{key} has an example now: take it off EXEMPT")),
            _ => {}
        }
    };
    let mut keys = Vec::new();
    for (page, html) in &pages {
        judge(page.clone(), has_example(top_doc(html)));
        keys.push(page.clone());
        for (member, doc) in members(html) {
            let key = format!("{page}#{member}");
            judge(key.clone(), has_example(doc));
            keys.push(key);
        }
    }
    for key in exempt.keys() {
        if !keys.iter().any(|k| k == key) {
            stale.push(format!("{key} is on EXEMPT but is no item of the docs"));
        }
    }
    let pages_with_example = pages
        .values()
        .filter(|html| has_example(top_doc(html)))
        .count();
    println!(
        "{pages_with_example} of {} pages and {with_example} of {items} items (pages and their inherent members) \
         have a compiled example; {} exempt",
        pages.len(),
        exempt.len()
    );
    assert!(
        missing.is_empty() && stale.is_empty(),
        "items without a compiled example (add one, `no_run` if it would touch the network, or an EXEMPT entry \
         saying why none makes sense):\n{}\n{}",
        missing.join("\n"),
        stale.join("\n")
    );
}

/// The example check tells a compiled Rust block from a text block and an `ignore`d one, as rustdoc renders them.
#[test]
fn the_example_check_counts_only_rust_blocks_that_compile() {
    let rust = r#"<div class="example-wrap"><pre class="rust rust-example-rendered"><code>let x = 1;</code></pre></div>"#;
    let text = r#"<div class="example-wrap"><pre class="language-text"><code>PATCHWORKMCP_URL</code></pre></div>"#;
    let ignored = r#"<div class="example-wrap ignore"><a class="tooltip">i</a><pre class="rust rust-example-rendered"><code>x</code></pre></div>"#;
    assert!(has_example(rust));
    assert!(!has_example(text));
    assert!(!has_example(ignored));
}

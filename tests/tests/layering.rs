//! The layering ARCHITECTURE.md states, checked on the source: in `patchwork-runtime/src`, a module names only
//! modules of its own layer or below (the layer table is read from ARCHITECTURE.md itself, the one statement of
//! it), production code never names the test kit or the test log capture, and no two top-level modules of either
//! crate import each other, directly or through others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use patchwork_tests::repo_root;

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The top-level module a file belongs to (`reporter` for `reporter/hands.rs`, `digest` for `digest.rs`).
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative.components().next().expect("a component");
    let first = first.as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// Whether a file holds only tests (a `tests.rs`, `*_tests.rs`, `proptests.rs`, or a module the crate declares under
/// `#[cfg(test)]` only).
fn is_test_file(file: &Path, test_only: &BTreeSet<String>) -> bool {
    let name = file.file_stem().expect("a name").to_string_lossy();
    name == "tests" || name.ends_with("_tests") || name == "proptests" || test_only.contains(&*name)
}

/// The modules declared right after a `#[cfg(test)]` line anywhere in the crate (test-only files).
fn test_only_modules(files: &[PathBuf]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] == "#[cfg(test)]"
                && let Some(name) = pair[1]
                    .strip_prefix("mod ")
                    .and_then(|r| r.strip_suffix(';'))
            {
                names.insert(name.to_string());
            }
        }
    }
    names
}

/// The text of a production file without its trailing `#[cfg(test)] mod tests { .. }` block.
fn production_text(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("read a source file");
    let lines: Vec<&str> = text.lines().collect();
    let cut = lines
        .windows(2)
        .position(|pair| {
            pair[0].trim_start().starts_with("#[cfg(")
                && pair[0].contains("test")
                && pair[1].trim_start().starts_with("mod tests {")
        })
        .unwrap_or(lines.len());
    lines[..cut].join("\n")
}

/// The crate's top-level modules `text` names: `crate::name` paths, and `super::name` in a top-level file.
fn named_modules(text: &str, modules: &BTreeSet<String>, top_level_file: bool) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut prefixes = vec!["crate::"];
    if top_level_file {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (at, _) in text.match_indices(prefix) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let rest = &text[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&name) {
                named.insert(name);
            }
            // `use crate::{a, b::c}`: every name in the braces.
            if rest.starts_with('{') {
                let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
                for item in group.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if modules.contains(&name) {
                        named.insert(name);
                    }
                }
            }
        }
    }
    named
}

/// The import graph between a crate's top-level modules (production files only), without self-edges.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = sources(src);
    let test_only = test_only_modules(&files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|file| top_module(src, file))
        // `bin/`: the binaries use the crate from outside, as `patchwork_runtime::`.
        .filter(|name| name != "lib" && name != "main" && name != "bin")
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        if is_test_file(file, &test_only) || top_module(src, file) == "bin" {
            continue;
        }
        let from = top_module(src, file);
        // `super::` names the crate root's modules in `name.rs` and `name/mod.rs` at the top.
        let depth = file
            .strip_prefix(src)
            .expect("under src")
            .components()
            .count();
        let top_level_file = depth == 1 || (depth == 2 && file.ends_with("mod.rs"));
        let named = named_modules(&production_text(file), &modules, top_level_file);
        let entry = edges.entry(from.clone()).or_default();
        entry.extend(named.into_iter().filter(|to| *to != from));
    }
    edges
}

/// A cycle in `edges`, if there is one (as the modules along it).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

/// ARCHITECTURE.md's layer table: each module named (in backticks) in a row's second column, with the row's
/// layer (a number; `tests` and `kit` rows are returned apart).
fn layer_table() -> (BTreeMap<String, u32>, BTreeSet<String>) {
    let text =
        std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut layers = BTreeMap::new();
    let mut test_only = BTreeSet::new();
    let section = text
        .split("## The layering rule")
        .nth(1)
        .expect("a layering section");
    // The table right under the heading: its rows up to the first line that is not one.
    let rows = section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'));
    for row in rows.filter(|line| line.starts_with("| ")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (layer, named) = (cells[1], cells[2]);
        let names = named.split('`').skip(1).step_by(2).map(|name| {
            name.trim_end_matches('/')
                .trim_end_matches(".rs")
                .to_string()
        });
        match layer.parse::<u32>() {
            Ok(number) => {
                for name in names {
                    layers.insert(name, number);
                }
            }
            Err(_) if layer == "tests" || layer == "kit" => test_only.extend(names),
            Err(_) => {}
        }
    }
    (layers, test_only)
}

#[test]
fn runtime_modules_name_only_their_own_layer_or_below_as_architecture_md_states() {
    let src = repo_root().join("patchwork-runtime/src");
    let (layers, test_only) = layer_table();
    assert!(layers.len() >= 12, "the layer table was read: {layers:?}");
    let edges = graph(&src);
    let mut violations = Vec::new();
    for (from, tos) in &edges {
        if test_only.contains(from) {
            continue;
        }
        let Some(&own) = layers.get(from) else {
            violations.push(format!(
                "`{from}` is in no layer of ARCHITECTURE.md's table"
            ));
            continue;
        };
        for to in tos {
            if test_only.contains(to) {
                violations.push(format!(
                    "production module `{from}` names the test-only `{to}`"
                ));
            } else if let Some(&their) = layers.get(to)
                && their > own
            {
                violations.push(format!(
                    "`{from}` (layer {own}) names `{to}` (layer {their}), above it"
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_two_top_level_modules_of_either_crate_import_each_other() {
    for krate in ["patchwork-runtime", "patchwork-macros"] {
        let edges = graph(&repo_root().join(krate).join("src"));
        assert!(
            edges.len() >= 5,
            "{krate}: the modules were read: {edges:?}"
        );
        if let Some(cycle) = find_cycle(&edges) {
            panic!("{krate}: an import cycle: {}", cycle.join(" -> "));
        }
    }
}

/// The checks can fail: a cycle and an upward import are found in made-up graphs and text.
#[test]
fn the_checks_find_what_they_look_for() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("attr", vec!["suggest"]),
        ("suggest", vec!["ctxt", "attr"]),
        ("ctxt", vec![]),
    ]
    .into_iter()
    .map(|(from, tos)| {
        (
            from.to_string(),
            tos.into_iter().map(String::from).collect(),
        )
    })
    .collect();
    assert_eq!(
        find_cycle(&edges),
        Some(vec![
            "attr".to_string(),
            "suggest".to_string(),
            "attr".to_string()
        ])
    );
    let modules: BTreeSet<String> = ["delivery", "reporter", "feedback"]
        .map(String::from)
        .into();
    let named = named_modules(
        "use crate::{feedback::Prepared, reporter};\nfn f() { crate::delivery::go(); my_crate::reporter(); }",
        &modules,
        false,
    );
    assert_eq!(
        named,
        ["delivery", "feedback", "reporter"]
            .map(String::from)
            .into()
    );
}

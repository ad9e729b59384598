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

/// How deep a file's module is below the crate root: 1 for `name.rs` and `name/mod.rs`, 2 for `name/sub.rs`.
fn module_depth(src: &Path, file: &Path) -> usize {
    let components = file
        .strip_prefix(src)
        .expect("under src")
        .components()
        .count();
    if file.ends_with("mod.rs") {
        components - 1
    } else {
        components
    }
}

/// The directory where a file's child modules live (`a/` for `a.rs` or `a/mod.rs`; `src/` for `lib.rs`).
fn children_dir(file: &Path) -> PathBuf {
    let dir = file.parent().expect("a parent");
    let stem = file.file_stem().expect("a name");
    if stem == "mod" || stem == "lib" || stem == "main" {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    }
}

/// The files of the modules declared right after a `#[cfg(test)]` line (`#[cfg(test)] mod proptests;`), by path.
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut paths = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0].starts_with("#[cfg(")
                && pair[0].contains("test")
                && let Some(name) = pair[1]
                    .strip_prefix("mod ")
                    .and_then(|r| r.strip_suffix(';'))
            {
                let dir = children_dir(file);
                paths.insert(dir.join(format!("{name}.rs")));
                paths.insert(dir.join(name).join("mod.rs"));
            }
        }
    }
    paths
}

/// Whether a file holds only tests: a `tests.rs` or `*_tests.rs`, or a module declared under `#[cfg(test)]`.
fn is_test_file(file: &Path, test_only: &BTreeSet<PathBuf>) -> bool {
    let name = file.file_stem().expect("a name").to_string_lossy();
    name == "tests" || name.ends_with("_tests") || test_only.contains(file)
}

/// `text` without its `#[cfg(test)] mod tests { .. }` blocks (wherever they stand), each from its attribute to the
/// brace that closes it.
fn production_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        let is_test_attribute = line.trim_start().starts_with("#[cfg(") && line.contains("test");
        if is_test_attribute
            && lines
                .get(at + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod tests {"))
        {
            let mut depth = 0i64;
            at += 1;
            while at < lines.len() {
                depth +=
                    lines[at].matches('{').count() as i64 - lines[at].matches('}').count() as i64;
                at += 1;
                if depth <= 0 {
                    break;
                }
            }
            continue;
        }
        kept.push(line);
        at += 1;
    }
    kept.join("\n")
}

/// The names at the top level of a `{ .. }` group that `text` starts with (`{a, b::{c, d}, e}` gives `a`, `b`, `e`).
fn group_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut expecting = false;
    for (at, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                expecting = depth == 1;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expecting = true,
            c if expecting && depth == 1 && !c.is_whitespace() => {
                expecting = false;
                names.push(
                    text[at..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect(),
                );
            }
            _ => {}
        }
    }
    names
}

/// The crate's top-level modules `text` names: `crate::name` paths, and `super::` chains that climb to the crate
/// root from a module `depth` levels down (`super::name` at depth 1, `super::super::name` at depth 2, ..), with
/// every name of a `{ .. }` group.
fn named_modules(text: &str, modules: &BTreeSet<String>, depth: usize) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let root = "super::".repeat(depth);
    for prefix in ["crate::", root.as_str()] {
        for (at, _) in text.match_indices(prefix) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            let rest = &text[at + prefix.len()..];
            // A longer chain climbs past the root: not a path into this crate's modules.
            if prefix != "crate::" && rest.starts_with("super::") {
                continue;
            }
            let candidates = if rest.starts_with('{') {
                group_names(rest)
            } else {
                vec![
                    rest.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect(),
                ]
            };
            named.extend(candidates.into_iter().filter(|name| modules.contains(name)));
        }
    }
    named
}

/// The import graph between a crate's top-level modules (production files only), without self-edges.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = sources(src);
    let test_only = test_only_files(&files);
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
        let text = std::fs::read_to_string(file).expect("read a source file");
        let named = named_modules(&production_text(&text), &modules, module_depth(src, file));
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
fn layer_table(text: &str) -> (BTreeMap<String, u32>, BTreeSet<String>) {
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

/// What breaks the layering rule in `edges`: a module in no layer, a production module naming a test-only one, a
/// module naming one of a higher layer.
fn violations(
    edges: &BTreeMap<String, BTreeSet<String>>,
    layers: &BTreeMap<String, u32>,
    test_only: &BTreeSet<String>,
) -> Vec<String> {
    let mut violations = Vec::new();
    for (from, tos) in edges {
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
    violations
}

#[test]
fn runtime_modules_name_only_their_own_layer_or_below_as_architecture_md_states() {
    let architecture =
        std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let (layers, test_only) = layer_table(&architecture);
    assert!(layers.len() >= 12, "the layer table was read: {layers:?}");
    let edges = graph(&repo_root().join("patchwork-runtime/src"));
    let violations = violations(&edges, &layers, &test_only);
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

/// An import graph from `(module, [modules it names])` pairs.
fn made_up_graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
    edges
        .iter()
        .map(|(from, tos)| {
            (
                from.to_string(),
                tos.iter().map(|to| to.to_string()).collect(),
            )
        })
        .collect()
}

/// The checks can fail: a cycle and an upward import are found in made-up graphs and text.
#[test]
fn the_checks_find_what_they_look_for() {
    let edges = made_up_graph(&[
        ("attr", &["suggest"]),
        ("suggest", &["ctxt", "attr"]),
        ("ctxt", &[]),
    ]);
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
        "use crate::{feedback::{Prepared, redact}, reporter};\nfn f() { crate::delivery::go(); my_crate::x(); }",
        &modules,
        1,
    );
    assert_eq!(
        named,
        ["delivery", "feedback", "reporter"]
            .map(String::from)
            .into()
    );
    // Two levels down, `super::super::` is the root and `super::` is not.
    let deep = named_modules(
        "use super::super::reporter;\nuse super::feedback;",
        &modules,
        2,
    );
    assert_eq!(deep, ["reporter"].map(String::from).into());
    let production = production_text(
        "use crate::delivery;\n#[cfg(test)]\nmod tests {\n    use crate::reporter;\n    fn f() {}\n}\nuse crate::feedback;",
    );
    assert_eq!(
        named_modules(&production, &modules, 1),
        ["delivery", "feedback"].map(String::from).into()
    );

    let table = "## The layering rule\n\n| layer | modules | concern |\n|---|---|---|\n| 0 | `feedback/` | a |\n\
                 | 1 | `delivery/`, `x.rs` | b |\n| kit | `testing/` | c |\n\nEvery row above.\n| 9 | `late/` | d |\n";
    let (layers, test_only) = layer_table(table);
    assert_eq!(
        layers,
        [("feedback", 0), ("delivery", 1), ("x", 1)]
            .map(|(m, l)| (m.to_string(), l))
            .into()
    );
    let upward = made_up_graph(&[
        ("feedback", &["delivery"]),
        ("delivery", &["feedback", "testing"]),
        ("stray", &[]),
    ]);
    assert_eq!(
        violations(&upward, &layers, &test_only),
        [
            "production module `delivery` names the test-only `testing`",
            "`feedback` (layer 0) names `delivery` (layer 1), above it",
            "`stray` is in no layer of ARCHITECTURE.md's table",
        ]
    );
}

//! The macro crate's copy of the contract is the runtime's contract, byte for byte, under one header line.
//!
//! `patchwork-runtime/src/contract/` is the one definition of what the macro and the runtime must agree on;
//! the macro cannot depend on the runtime (the runtime depends on it), so `patchwork-macros/src/contract/`
//! compiles a copy. This test fails when the copy differs from the original, misses a file or has one the
//! original does not; `UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen` rewrites the copy (and
//! passes). The copy is self-contained, so a stale one still compiles and this test can always run.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use patchwork_tests::repo_root;

/// The original, relative to the repository root.
const ORIGINAL: &str = "patchwork-runtime/src/contract";
/// The copy, relative to the repository root.
const COPY: &str = "patchwork-macros/src/contract";
/// The command that brings the copy up to date.
const FIX: &str = "UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen";

/// The copy's first line for `file`: where it comes from and how to change it (one line, so rustfmt leaves it).
fn header(file: &str, newline: &str) -> String {
    format!(
        "// @generated from {ORIGINAL}/{file} by tests/tests/sourcegen.rs: edit the original, then run {FIX}{newline}"
    )
}

/// What the copy of `file` must hold: the header line, then the original. The header ends the way the
/// original's lines do, so a checkout with CRLF line endings compares equal too.
fn expected_copy(file: &str, original: &str) -> String {
    let newline = if original.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    header(file, newline) + original
}

/// The names of the entries of `dir`, sorted; `(files, folders)`.
fn entries(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let listing =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in listing {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry
            .file_type()
            .unwrap_or_else(|e| panic!("cannot stat {name} in {}: {e}", dir.display()))
            .is_dir();
        if is_dir {
            folders.push(name);
        } else {
            files.push(name);
        }
    }
    files.sort();
    folders.sort();
    (files, folders)
}

#[test]
fn the_macros_contract_is_a_copy_of_the_runtimes() {
    let root = repo_root();
    let original_dir = root.join(ORIGINAL);
    let copy_dir = root.join(COPY);
    let update = std::env::var_os("UPDATE_SOURCEGEN").is_some_and(|v| v == "1");

    let (original_files, original_folders) = entries(&original_dir);
    assert!(
        original_folders.is_empty(),
        "{ORIGINAL} holds folders ({original_folders:?}); the contract is one flat folder of .rs files, which is \
         all this test copies"
    );
    let sources: Vec<&String> = original_files
        .iter()
        .filter(|name| name.ends_with(".rs"))
        .collect();
    assert!(
        sources.iter().any(|name| *name == "mod.rs"),
        "{ORIGINAL}/mod.rs is missing"
    );

    if update {
        fs::create_dir_all(&copy_dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", copy_dir.display()));
    }
    let mut problems = Vec::new();
    for name in &sources {
        let original = fs::read_to_string(original_dir.join(name))
            .unwrap_or_else(|e| panic!("cannot read {ORIGINAL}/{name}: {e}"));
        let expected = expected_copy(name, &original);
        let copy_path = copy_dir.join(name);
        let problem = match fs::read_to_string(&copy_path) {
            Ok(actual) if actual == expected => continue,
            Ok(_) => format!("{COPY}/{name} differs from {ORIGINAL}/{name}"),
            Err(e) if e.kind() == ErrorKind::NotFound => format!("{COPY}/{name} is missing"),
            Err(e) => panic!("cannot read {COPY}/{name}: {e}"),
        };
        if update {
            fs::write(&copy_path, &expected)
                .unwrap_or_else(|e| panic!("cannot write {COPY}/{name}: {e}"));
            eprintln!("sourcegen: rewrote {COPY}/{name}");
        } else {
            problems.push(problem);
        }
    }

    let (copy_files, copy_folders) = if copy_dir.is_dir() {
        entries(&copy_dir)
    } else {
        (Vec::new(), Vec::new())
    };
    for name in copy_files.iter().filter(|name| !sources.contains(name)) {
        if update {
            fs::remove_file(copy_dir.join(name))
                .unwrap_or_else(|e| panic!("cannot remove {COPY}/{name}: {e}"));
            eprintln!("sourcegen: removed {COPY}/{name}, which has no original");
        } else {
            problems.push(format!("{COPY}/{name} has no original in {ORIGINAL}"));
        }
    }
    // A folder is never generated, so the update leaves it to be removed by hand.
    for name in &copy_folders {
        problems.push(format!(
            "{COPY}/{name}/ is a folder, which the copy never has: remove it"
        ));
    }

    assert!(
        problems.is_empty(),
        "the macro crate's copy of the contract is out of date:\n  {}\nedit only {ORIGINAL}/, then run `{FIX}` \
         to rewrite {COPY}/",
        problems.join("\n  ")
    );
}

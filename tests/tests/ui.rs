//! trybuild ui tests of `#[patchwork_feedback]`: pass cases for every supported form (always run) and one
//! compile-fail case per misconfiguration (run only on the pinned compiler, whose messages the checked-in
//! `.stderr` files record). On another compiler the skip is said in a banner; under CI (`CI` set) it fails instead,
//! so a CI machine with another toolchain never passes without checking a single compile error.
//!
//! Regenerate the snapshots after a deliberate change with `TRYBUILD=overwrite cargo test -p patchwork-tests
//! --test ui` on the pinned compiler, then review every diff.

use std::process::Command;

/// The rustc release the `.stderr` snapshots were recorded with (the toolchain CI uses).
const PINNED_RUSTC: &str = "1.95.";

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    match rustc_version() {
        Some(version) if version.starts_with(&format!("rustc {PINNED_RUSTC}")) => {
            cases.compile_fail("ui/fail/*.rs")
        }
        other => {
            let why = format!(
                "the compile-fail ui cases did not run: their .stderr snapshots are recorded with rustc \
                 {PINNED_RUSTC}x and compiler messages change between releases, but this is {}",
                other
                    .as_deref()
                    .unwrap_or("an unknown rustc (`rustc --version` failed)")
            );
            assert!(
                std::env::var_os("CI").is_none_or(|value| value.is_empty()),
                "{why}; CI must run them: install rustc {PINNED_RUSTC}x"
            );
            eprintln!("\n{rule}\nWARNING: {why}\n{rule}\n", rule = "=".repeat(78));
        }
    }
}

/// `rustc --version` of the compiler trybuild will use (cargo's `RUSTC` if set, else `rustc` on the path).
fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

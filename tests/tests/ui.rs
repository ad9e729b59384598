//! trybuild ui tests of `#[patchwork_feedback]`: pass cases for every supported form (always run) and one
//! compile-fail case per misconfiguration (run only on the pinned compiler, whose messages the checked-in
//! `.stderr` files record).
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
        other => eprintln!(
            "skipping the compile-fail ui cases: their .stderr snapshots are recorded with rustc {PINNED_RUSTC}x \
             and compiler messages change between releases, but this is {}",
            other
                .as_deref()
                .unwrap_or("an unknown rustc (`rustc --version` failed)")
        ),
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

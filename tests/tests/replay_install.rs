//! `patchwork-replay` installs with exactly the command the README and its `--help` give, and the installed
//! command runs. (Into a temporary root, as a debug build sharing this workspace's target directory, so it
//! costs seconds.)

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use patchwork_tests::{repo_root, run_bounded};

/// The documented command, word for word (README "Replay", `patchwork-replay --help`).
const INSTALL: &str = "cargo install --locked --path patchwork-runtime --bin patchwork-replay";

/// The same from crates.io once published (`.ci/package-check` installs from the packaged crate, which is what
/// crates.io would serve).
const PUBLISHED: &str = "cargo install --locked patchwork-runtime --bin patchwork-replay";

#[test]
fn the_documented_cargo_install_command_installs_a_working_patchwork_replay() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    assert!(readme.contains(INSTALL), "the README shows `{INSTALL}`");
    assert!(readme.contains(PUBLISHED), "the README shows `{PUBLISHED}`");

    let root = tempfile::tempdir().expect("an install root");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory");
    let mut words = INSTALL.split_whitespace();
    let _cargo = words.next();
    let installed = run_bounded(
        Command::new(env!("CARGO"))
            .current_dir(repo_root())
            .args(words)
            .arg("--root")
            .arg(root.path())
            .args(["--debug", "--target-dir"])
            .arg(target),
        Duration::from_secs(1200),
    );
    assert!(
        installed.status.success(),
        "{INSTALL} failed:\n{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let help = run_bounded(
        Command::new(root.path().join("bin/patchwork-replay")).arg("--help"),
        Duration::from_secs(60),
    );
    assert!(help.status.success(), "{help:?}");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains(INSTALL) && help.contains(PUBLISHED), "{help}");
}

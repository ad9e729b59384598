//! Adding patchwork never changes how the rest of a host's build behaves. `tests/fixtures/host` is a workspace of
//! host applications built the way users build theirs (cargo unifies features across the whole build):
//! - `tls-app`: its HTTP clients (its own `reqwest` with default features, or with `rustls-no-provider` alone and
//!   a provider it installs, and rmcp's streamable-HTTP client, whose `reqwest` has no TLS feature) each make a
//!   request, without and with patchwork (default features) in the build: every client must still work;
//! - `hand-written`: a tool block routed by hand, with patchwork's default features, must compile alone and when
//!   another crate of the same build turns on patchwork-runtime's `rmcp` feature.
//!
//! Each cargo build uses its own target directory (`target/host-fixture`), so the workspace's is untouched.

use patchwork_tests::{repo_root, run_bounded};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

/// A clean fixture build compiles rmcp, reqwest and a TLS stack: generous, for a loaded 2-core machine.
const BUILD_LIMIT: Duration = Duration::from_secs(900);

fn fixture() -> PathBuf {
    repo_root().join("tests/fixtures/host")
}

fn target_dir() -> PathBuf {
    repo_root().join("target/host-fixture")
}

/// `cargo <args>` in the fixture workspace, with the fixture's own target directory.
fn cargo(args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(args)
        .current_dir(fixture())
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    run_bounded(&mut command, BUILD_LIMIT)
}

fn text(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The `ok:`/`FAILED:` lines `tls-app` printed with `features`.
fn run_tls_app(features: &[&str]) -> (bool, Vec<String>, String) {
    let features = features.join(",");
    let mut args = vec!["run", "-q", "-p", "tls-app", "--no-default-features"];
    if !features.is_empty() {
        args.extend(["--features", &features]);
    }
    let output = cargo(&args);
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with("ok: ") || line.starts_with("FAILED: "))
        .map(str::to_owned)
        .collect();
    (output.status.success(), lines, text(&output))
}

#[test]
fn adding_patchwork_with_default_features_leaves_every_http_client_of_the_host_working() {
    // The app's own reqwest: none (rmcp's client only), reqwest's defaults, rustls-no-provider alone.
    for app in [None, Some("reqwest-default"), Some("reqwest-no-provider")] {
        let without: Vec<&str> = app.into_iter().collect();
        let (ok, before, output) = run_tls_app(&without);
        assert!(
            ok,
            "the fixture works without patchwork ({app:?}):\n{output}"
        );
        assert!(!before.is_empty(), "{output}");

        let with: Vec<&str> = app.into_iter().chain(["patchwork"]).collect();
        let (ok, after, output) = run_tls_app(&with);
        assert!(
            ok && after == before,
            "adding patchwork changed the host's HTTP clients ({app:?}): without it {before:?}, with it:\n{output}"
        );
    }
}

#[test]
fn a_hand_written_crate_compiles_whatever_other_crates_turn_on() {
    let alone = cargo(&["build", "-q", "-p", "hand-written"]);
    assert!(alone.status.success(), "alone:\n{}", text(&alone));
    // Together with a crate whose dependency turns on patchwork-runtime's `rmcp`: one build, features unified.
    let unified = cargo(&[
        "build",
        "-q",
        "-p",
        "hand-written",
        "-p",
        "tls-app",
        "--features",
        "tls-app/patchwork",
    ]);
    assert!(
        unified.status.success(),
        "with patchwork-runtime/rmcp on elsewhere in the build:\n{}",
        text(&unified)
    );
    let ran = run_bounded(
        &mut Command::new(target_dir().join("debug/hand-written")),
        Duration::from_secs(60),
    );
    assert!(
        String::from_utf8_lossy(&ran.stdout).contains("tool: \"feedback\""),
        "{}",
        text(&ran)
    );
}

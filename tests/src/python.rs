//! The independent Python side: the official MCP Python SDK (`mcp` on PyPI) and the OpenTelemetry protobuf bindings
//! (`opentelemetry-proto`), pinned in `e2e/requirements.txt`, in `<repo>/.venv` (created when missing; git-ignored),
//! or the interpreter `PATCHWORK_PYTHON` names.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::run_bounded;

/// The packages the harness is written against, one `name==version` a line (shared with `.ci/run`).
pub const REQUIREMENTS: &str = include_str!("../e2e/requirements.txt");

/// The pins of [`REQUIREMENTS`]: `(name, version)`.
pub fn pins() -> impl Iterator<Item = (&'static str, &'static str)> {
    REQUIREMENTS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            line.split_once("==")
                .expect("requirements.txt pins name==version")
        })
}

/// A Python with the pinned packages: `PATCHWORK_PYTHON`, else `<repo>/.venv`, created when missing.
pub fn python_with_sdk() -> PathBuf {
    let repo = crate::repo_root();
    if let Some(python) = std::env::var_os("PATCHWORK_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = repo.join(".venv");
    let python = venv.join("bin/python");
    let wanted = REQUIREMENTS.trim().replace('\n', ", ");
    if !has_pins(&python) {
        if !python.exists() {
            let created = run_bounded(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                Duration::from_secs(300),
            );
            if !created.status.success() {
                // A failed `venv` (no ensurepip, say) leaves an interpreter without pip behind; remove what this
                // run created so the next run starts clean instead of failing in `pip install`.
                let _ = std::fs::remove_dir_all(&venv);
                panic!(
                    "python3 -m venv {} failed (install Python 3 with venv and pip, e.g. `apt-get install \
                     python3-venv`, or set PATCHWORK_PYTHON to a Python that has {wanted}):\n{}",
                    venv.display(),
                    String::from_utf8_lossy(&created.stderr)
                );
            }
        }
        let installed = run_bounded(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(repo.join("tests/e2e/requirements.txt")),
            Duration::from_secs(600),
        );
        assert!(
            installed.status.success(),
            "pip install {wanted} into {} failed (PyPI must be reachable; delete that directory to start over, \
             or set PATCHWORK_PYTHON):\n{}",
            venv.display(),
            String::from_utf8_lossy(&installed.stderr)
        );
        assert!(
            has_pins(&python),
            "{wanted} are not installed after pip install"
        );
    }
    python
}

/// Whether `python` has every pinned package at its pinned version.
fn has_pins(python: &Path) -> bool {
    if !python.exists() {
        return false;
    }
    let (names, versions): (Vec<&str>, Vec<&str>) = pins().unzip();
    let found = run_bounded(
        Command::new(python)
            .args([
                "-c",
                // A package not installed stops the list short (and the exit code says so): no match.
                "import importlib.metadata as m, sys; [print(m.version(n)) for n in sys.argv[1:]]",
            ])
            .args(&names),
        Duration::from_secs(120),
    );
    String::from_utf8_lossy(&found.stdout)
        .lines()
        .eq(versions.iter().copied())
}

//! The independent Python client: the official MCP Python SDK (`mcp` on PyPI), pinned in `e2e/requirements.txt`,
//! in `<repo>/.venv` (created when missing; git-ignored), or the interpreter `PATCHWORK_PYTHON` names.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::run_bounded;

/// The SDK version the harness is written against (one pin, shared with `.ci/run`).
pub const MCP_SDK: &str = include_str!("../e2e/requirements.txt").trim_ascii();

/// A Python with the pinned SDK: `PATCHWORK_PYTHON`, else `<repo>/.venv`, created when missing.
pub fn python_with_sdk() -> PathBuf {
    let repo = crate::repo_root();
    if let Some(python) = std::env::var_os("PATCHWORK_PYTHON") {
        return PathBuf::from(python);
    }
    let venv = repo.join(".venv");
    let python = venv.join("bin/python");
    if !has_sdk(&python) {
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
                     python3-venv`, or set PATCHWORK_PYTHON to a Python that has {MCP_SDK}):\n{}",
                    venv.display(),
                    String::from_utf8_lossy(&created.stderr)
                );
            }
        }
        let installed = run_bounded(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MCP_SDK,
            ]),
            Duration::from_secs(600),
        );
        assert!(
            installed.status.success(),
            "pip install {MCP_SDK} into {} failed (PyPI must be reachable; delete that directory to start over, \
             or set PATCHWORK_PYTHON):\n{}",
            venv.display(),
            String::from_utf8_lossy(&installed.stderr)
        );
        assert!(
            has_sdk(&python),
            "{MCP_SDK} is not importable after pip install"
        );
    }
    python
}

fn has_sdk(python: &Path) -> bool {
    let wanted = MCP_SDK.trim_start_matches("mcp==");
    python.exists()
        && run_bounded(
            Command::new(python).args([
                "-c",
                "import importlib.metadata as m, mcp; print(m.version('mcp'))",
            ]),
            Duration::from_secs(120),
        )
        .stdout
        .trim_ascii()
            == wanted.as_bytes()
}

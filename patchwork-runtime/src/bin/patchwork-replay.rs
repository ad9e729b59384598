//! `patchwork-replay`: re-sends feedback that was not delivered.
//!
//! ```text
//! patchwork-replay [--outbox DIR | --no-outbox] [FILE | -]...
//! ```
//! Sends what the outbox holds (`PATCHWORKMCP_OUTBOX`, else the per-user default), then every
//! `PATCHWORKMCP_UNSENT_FEEDBACK` line found in the FILEs (`-` is stdin), to `PATCHWORKMCP_URL`
//! with `PATCHWORKMCP_API_KEY`. Feedback delivered before is skipped. Prints the counts; exits 1
//! if some feedback could not be delivered, 2 on a usage or configuration error.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use patchwork_runtime::ResolvedOptions;
use patchwork_runtime::outbox::{Outbox, OutboxSetting};
use patchwork_runtime::replay::replay;

const USAGE: &str = "usage: patchwork-replay [--outbox DIR | --no-outbox] [FILE | -]...";

fn main() -> ExitCode {
    let mut setting = OutboxSetting::from_env();
    let mut files = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--outbox") => match args.next() {
                Some(dir) => setting = OutboxSetting::Dir(PathBuf::from(dir)),
                None => return usage("--outbox needs a directory"),
            },
            Some("--no-outbox") => setting = OutboxSetting::Off,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some(flag) if flag.starts_with("--") => {
                return usage(&format!("unknown option {flag}"));
            }
            _ => files.push(PathBuf::from(arg)),
        }
    }
    let mut inputs: Vec<Box<dyn BufRead>> = Vec::new();
    for file in files {
        if file.as_os_str() == "-" {
            inputs.push(Box::new(std::io::stdin().lock()));
            continue;
        }
        match std::fs::File::open(&file) {
            Ok(opened) => inputs.push(Box::new(std::io::BufReader::new(opened))),
            Err(error) => return usage(&format!("cannot read {}: {error}", file.display())),
        }
    }
    let outbox = match setting.resolve() {
        Some(dir) if dir.exists() => match Outbox::open(&dir, Default::default()) {
            Ok(outbox) => Some(outbox),
            Err(error) => {
                return usage(&format!(
                    "cannot open the outbox {}: {error}",
                    dir.display()
                ));
            }
        },
        _ => None,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return usage(&format!("cannot start: {error}")),
    };
    let resolved = ResolvedOptions::resolve(None);
    match runtime.block_on(replay(outbox.as_ref(), inputs, &resolved)) {
        Ok(report) => {
            println!("{report}");
            if report.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => usage(&error),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("patchwork-replay: {problem}\n{USAGE}");
    ExitCode::from(2)
}

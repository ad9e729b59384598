//! `patchwork-replay`: re-sends feedback that was not delivered, checks the settings (`check`) and tells what
//! waits in the outbox (`status`). Run `patchwork-replay --help`.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use patchwork_runtime::Replay;

const HELP: &str = "\
usage: patchwork-replay [--outbox DIR | --no-outbox] [FILE | -]...
       patchwork-replay check [--tools NAME,...] [--offline] [--outbox DIR]
       patchwork-replay status [--outbox DIR]

install: cargo install --locked --path patchwork-runtime --bin patchwork-replay   (in a checkout)
         cargo install --locked patchwork-runtime --bin patchwork-replay   (from crates.io, once published)

Re-sends feedback that was not delivered: first what the outbox holds, then every
PATCHWORKMCP_UNSENT_FEEDBACK line found in the FILEs (`-` reads stdin; log lines may carry
timestamps or other prefixes). Each feedback is sent with its idempotency key; keys the outbox's
ledger records as delivered are skipped, so replaying twice sends nothing twice. (To replay a
file named `check` or `status`, write `./check`.)

options:
  --outbox DIR   the outbox to replay (it must exist)
  --no-outbox    replay only the FILEs, without an outbox or its ledger
  -h, --help     this text

environment:
  PATCHWORKMCP_API_KEY      the key to send with (required); only outbox items accepted under
                            this key are sent, the rest are left for their owner
  PATCHWORKMCP_URL          the service's base URL (default https://patchworkmcp.com)
  PATCHWORKMCP_SERVER_SLUG  not needed: each feedback carries its own slug
  PATCHWORKMCP_OUTBOX       the outbox when --outbox is not given (default: the per-user state
                            directory, skipped if it does not exist)

output: one line of counts:
  delivered            sent and accepted now
  already delivered    skipped: the ledger says delivered, or a repeat within the input
  failed               not accepted after retries (service unreachable, 429/5xx); outbox items stay
  refused              refused for good (4xx); outbox items move to rejected/
  unreadable           lines or items that look like feedback but do not parse (torn) or are
                       too long (over 256 KiB)
  for another owner    outbox items accepted under another API key or for another service URL,
                       left for their owner (replay with that key and URL to send them)

exit status: 0 when nothing failed, 1 when some feedback could not be delivered, 2 on a usage or
configuration error.

check: one line per check (ok, warning, FAILED or skipped), from the same environment a server
reads (PATCHWORKMCP_URL, PATCHWORKMCP_API_KEY, PATCHWORKMCP_SERVER_SLUG, PATCHWORKMCP_OUTBOX):
  url      the base URL passes the URL policy (https, or http to loopback only)
  key      an API key is set (only its fingerprint is shown, never the key)
  slug     a server slug is set
  service  PatchworkMCP accepts the key and the slug: one heartbeat for the slug with the tool
           names --tools gives (the server's tools, the feedback tool included: a heartbeat tells
           the service which tools the server has); skipped without --tools and with --offline
  outbox   the directory is yours and others cannot write it (or it does not exist yet)
exit status: 0 when every check passed (warnings and skipped checks included), 1 when a check
failed (the service refused or did not answer, the outbox is not safe), 2 on a usage error or
when the settings are incomplete (no key, no slug, a refused URL).

status: what waits in the outbox, read without changing it: pending items per service URL and
key fingerprint (marked `this key` for PATCHWORKMCP_API_KEY's), with the oldest one's age, and
how many are in rejected/ and corrupt/. Never an item's contents, never the key.
exit status: 0 when nothing is pending, 1 when items are pending, 2 on a usage error or when the
outbox is off or cannot be read.";

/// What the command line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Replay,
    Check,
    Status,
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).peekable();
    let command = match args.peek().and_then(|arg| arg.to_str()) {
        Some("check") => Command::Check,
        Some("status") => Command::Status,
        _ => Command::Replay,
    };
    if command != Command::Replay {
        args.next();
    }
    let (replay, offline) = match parse(command, args) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    match command {
        Command::Replay => run_replay(replay),
        Command::Check => check(replay, offline),
        Command::Status => status(replay),
    }
}

/// The replay the options and FILEs describe, and whether `--offline` was given; `Err` with the exit code when
/// the command line says to stop (help, a usage error).
fn parse(
    command: Command,
    mut args: impl Iterator<Item = std::ffi::OsString>,
) -> Result<(Replay, bool), ExitCode> {
    let (mut replay, mut offline) = (Replay::new(), false);
    while let Some(arg) = args.next() {
        match (arg.to_str(), command) {
            (Some("--outbox"), _) => match args.next() {
                Some(dir) => replay = replay.outbox_dir(PathBuf::from(dir)),
                None => return Err(usage("--outbox needs a directory")),
            },
            (Some("--no-outbox"), Command::Replay) => replay = replay.no_outbox(),
            (Some("--offline"), Command::Check) => offline = true,
            (Some("--tools"), Command::Check) => match args.next() {
                Some(list) => {
                    let list = list.to_string_lossy().into_owned();
                    let names = list.split(',').map(str::trim).filter(|n| !n.is_empty());
                    replay = replay.tool_names(names.map(str::to_owned));
                }
                None => {
                    return Err(usage(
                        "--tools needs the server's tool names, e.g. search,feedback",
                    ));
                }
            },
            (Some("-h" | "--help"), _) => {
                println!("{HELP}");
                return Err(ExitCode::SUCCESS);
            }
            (Some(flag), _) if flag.starts_with("--") => {
                return Err(usage(&format!("unknown option {flag}")));
            }
            (_, Command::Replay) if arg == "-" => {
                replay = replay.input(std::io::BufReader::new(std::io::stdin()));
            }
            (_, Command::Replay) => {
                let file = PathBuf::from(arg);
                match std::fs::File::open(&file) {
                    Ok(opened) => {
                        replay = replay
                            .input(Box::new(std::io::BufReader::new(opened)) as Box<dyn BufRead>)
                    }
                    Err(error) => {
                        return Err(usage(&format!("cannot read {}: {error}", file.display())));
                    }
                }
            }
            (_, _) => return Err(usage(&format!("unexpected {}", arg.to_string_lossy()))),
        }
    }
    Ok((replay, offline))
}

fn run_replay(replay: Replay) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(replay.run()) {
        Ok(report) => {
            println!("{report}");
            if report.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(reason) => usage(&format!("nothing replayed: {}", explain(&reason))),
    }
}

/// `check`: 2 when the settings are incomplete, 1 when a check failed.
fn check(replay: Replay, offline: bool) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let report = runtime.block_on(replay.check(offline));
    println!("{report}");
    if !report.settings_complete() {
        ExitCode::from(2)
    } else if !report.passed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `status`: 1 when items are pending.
fn status(replay: Replay) -> ExitCode {
    match replay.status() {
        Ok(status) => {
            println!("{status}");
            if status.waiting() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => usage(&format!("cannot read the outbox: {error}")),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| usage(&format!("cannot start: {error}")))
}

fn explain(reason: &patchwork_runtime::Reason) -> String {
    match reason {
        patchwork_runtime::Reason::MissingApiKey => {
            "no API key: set PATCHWORKMCP_API_KEY".to_string()
        }
        patchwork_runtime::Reason::OutboxUnavailable => {
            "the outbox directory does not exist or cannot be opened".to_string()
        }
        other => format!("{other} (check PATCHWORKMCP_URL)"),
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("patchwork-replay: {problem}\nrun `patchwork-replay --help` for usage");
    ExitCode::from(2)
}

//! `patchwork-replay`: re-sends feedback that was not delivered. Run `patchwork-replay --help`.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use patchwork_runtime::Replay;

const HELP: &str = "\
usage: patchwork-replay [--outbox DIR | --no-outbox] [FILE | -]...

install: cargo install --locked --path patchwork-runtime --bin patchwork-replay   (in a checkout)

Re-sends feedback that was not delivered: first what the outbox holds, then every
PATCHWORKMCP_UNSENT_FEEDBACK line found in the FILEs (`-` reads stdin; log lines may carry
timestamps or other prefixes). Each feedback is sent with its idempotency key; keys the outbox's
ledger records as delivered are skipped, so replaying twice sends nothing twice.

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
configuration error.";

fn main() -> ExitCode {
    let mut replay = Replay::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--outbox") => match args.next() {
                Some(dir) => replay = replay.outbox_dir(PathBuf::from(dir)),
                None => return usage("--outbox needs a directory"),
            },
            Some("--no-outbox") => replay = replay.no_outbox(),
            Some("-h" | "--help") => {
                println!("{HELP}");
                return ExitCode::SUCCESS;
            }
            Some(flag) if flag.starts_with("--") => {
                return usage(&format!("unknown option {flag}"));
            }
            _ if arg == "-" => replay = replay.input(std::io::BufReader::new(std::io::stdin())),
            _ => {
                let file = PathBuf::from(arg);
                match std::fs::File::open(&file) {
                    Ok(opened) => {
                        replay = replay
                            .input(Box::new(std::io::BufReader::new(opened)) as Box<dyn BufRead>)
                    }
                    Err(error) => {
                        return usage(&format!("cannot read {}: {error}", file.display()));
                    }
                }
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return usage(&format!("cannot start: {error}")),
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

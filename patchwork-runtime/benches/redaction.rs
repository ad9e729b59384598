//! What redaction costs per feedback payload: the four free-text fields through `Redaction::standard()`, for a
//! typical report (a few hundred bytes with two secrets), a long clean one, a worst case (every field at its
//! 8 KiB cap, dense with matches), and near misses built to make a careless scanner quadratic (a long run after
//! each of many candidate prefixes, and labels, numbers and paths that are no secret).
//!
//! `cargo bench -p patchwork-runtime --bench redaction`. A plain `harness = false` bench: it prints p50 and p99 per
//! payload over 2,000 runs of each case (release profile).

use std::hint::black_box;
use std::time::{Duration, Instant};

use patchwork_runtime::Redaction;

const RUNS: usize = 2_000;

fn typical() -> [String; 4] {
    [
        "I needed a tool that converts a meeting time between time zones for the user's trip to Lisbon.".to_owned(),
        "Tried days_between and convert_units; the user pasted their calendar token ghp_1234567890abcdefghijABCDEFGHIJ123456 and asked me to email jane.doe@example.com the result.".to_owned(),
        "Add convert_time_zone(time, from_zone, to_zone) returning ISO 8601.".to_owned(),
        "Plan a call across three time zones next Tuesday.".to_owned(),
    ]
}

fn long_clean() -> [String; 4] {
    let prose =
        "The search tool returned only the first page of results, version 2.3.1, on 2026-12-03; ";
    let field = prose.repeat(8 * 1024 / prose.len());
    [field.clone(), field.clone(), field.clone(), field]
}

fn dense() -> [String; 4] {
    let pieces = "a@b.co 4111111111111111 password=x Bearer abcdefgh12345678 postgres://u:p@h/db ";
    let field = pieces.repeat(8 * 1024 / pieces.len());
    [field.clone(), field.clone(), field.clone(), field]
}

fn near_misses() -> [String; 4] {
    let fill = |piece: &str| piece.repeat(8 * 1024 / piece.len());
    [
        format!("AKIA{}", "A".repeat(8 * 1024 - 4)),
        fill("-AIza"),
        fill("-eyJ"),
        fill("x-sk-ant-"),
    ]
}

/// Near misses of the label and personal-data rules: labels whose values are prose, dotted and grouped numbers
/// that are no address or phone, colons that are no IPv6 address, paths that are no home directory.
fn label_near_misses() -> [String; 4] {
    let fill = |piece: &str| piece.repeat(8 * 1024 / piece.len());
    [
        fill("password: none token=expired api_key: see docs --secret value secret:"),
        fill("1.2.3.4.5.6.7.8.9.10.11.12 +1 2 3 4 (555) 12-34 "),
        fill("a:b::c:d:e::f:0:1:2:3:4:5:6:7:8::: "),
        fill("/home//Users/C:\\Users\\~/ DE00 0000 GB0"),
    ]
}

fn measure(name: &str, fields: &[String; 4], rules: &Redaction) {
    // Warm up (caches, the allocator, the CPU's clock) for a tenth of the runs, as a harness would.
    for _ in 0..RUNS / 10 {
        for field in fields {
            black_box(rules.redact(black_box(field)));
        }
    }
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        for field in fields {
            black_box(rules.redact(black_box(field)));
        }
        times.push(start.elapsed());
    }
    times.sort();
    let bytes: usize = fields.iter().map(String::len).sum();
    println!(
        "| {name} | {bytes} | {:.1} µs | {:.1} µs |",
        micros(times[RUNS / 2]),
        micros(times[RUNS * 99 / 100])
    );
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Fragments that make a scanner look ahead or back at every repeat: each is timed at 4 KiB and 16 KiB of
/// repeats, and the ratio printed (4 when the time is linear in the text).
const SCALING: &[&str] = &[
    "password: none token=expired api_key: see docs --secret value secret:",
    "1.2.3.4.5.6.7.8.9.10.11.12 +1 2 3 4 (555) 12-34 ",
    "a:b::c:d:e::f:0:1:2:3:4:5:6:7:8::: ",
    "/home//Users/C:\\\\Users\\\\~/ DE00 0000 GB0",
    "AKIA",
    "-AIza",
    "-eyJ",
    "x-sk-ant-",
    "token token token ",
    "password is ",
    "| password | key |\n",
    "(password, ",
    "\"password\", ",
    "<password>",
    "pass: ",
    "a@b.co ",
    "tel 12 ",
    "\\\"password\\\":\\\"",
    "key=",
    "AKIAAAAAAAAAAAAAAAAA ",
    " -p",
    " -u x:",
    "Q~",
    "sig=",
    "@tcp(",
    "ya29.",
    "IDENTIFIED BY ",
    "~",
    "/home/",
];

fn scaling(rules: &Redaction) {
    println!("\n| repeated fragment | 4 KiB | 16 KiB | ratio |\n|---|---|---|---|");
    for piece in SCALING {
        let time = |bytes: usize| {
            let text = piece.repeat(bytes / piece.len());
            let mut times: Vec<Duration> = (0..21)
                .map(|_| {
                    let start = Instant::now();
                    black_box(rules.redact(black_box(&text)));
                    start.elapsed()
                })
                .collect();
            times.sort();
            micros(times[10])
        };
        let (small, large) = (time(4 * 1024), time(16 * 1024));
        println!(
            "| `{}` | {small:.0} µs | {large:.0} µs | {:.1} |",
            piece.escape_debug(),
            large / small
        );
    }
}

fn main() {
    let rules = Redaction::standard();
    // Compile the rules before timing (once per process in a server).
    black_box(rules.redact("warm-up a@b.co"));
    println!("| payload | bytes | p50 | p99 |\n|---|---|---|---|");
    measure("typical report, two secrets", &typical(), &rules);
    measure("4 × 8 KiB of clean prose", &long_clean(), &rules);
    measure("4 × 8 KiB dense with secrets", &dense(), &rules);
    measure("4 × 8 KiB of near misses", &near_misses(), &rules);
    measure(
        "4 × 8 KiB of label and number near misses",
        &label_near_misses(),
        &rules,
    );
    scaling(&rules);
}

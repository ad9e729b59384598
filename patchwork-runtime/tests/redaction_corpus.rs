//! The labelled redaction corpus (`tests/redaction_corpus/`: `secrets.txt`, texts with each secret marked
//! `⟦kind|value⟧`, and `clean.txt`, texts that must stay as written) through `Redaction::standard()`: precision and
//! recall per kind, printed as a table, and at least 0.98 each over all kinds.
//!
//! `cargo test -p patchwork-runtime --test redaction_corpus -- --nocapture` prints the table; set
//! `PATCHWORK_REDACTION_CORPUS` to a directory of the same two files to score another corpus.

use std::path::PathBuf;

use patchwork_runtime::Redaction;
use patchwork_runtime::testing::{LabelledText, score_redaction};

fn corpus() -> (PathBuf, Vec<LabelledText>, usize) {
    let dir = std::env::var_os("PATCHWORK_REDACTION_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/redaction_corpus"),
        PathBuf::from,
    );
    let mut texts = Vec::new();
    let mut clean = 0;
    for file in ["secrets.txt", "clean.txt"] {
        let path = dir.join(file);
        let body = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        for (number, line) in body.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let text = LabelledText::parse(line)
                .unwrap_or_else(|error| panic!("{}:{}: {error}", path.display(), number + 1));
            if file == "clean.txt" {
                assert!(
                    text.secrets.is_empty(),
                    "{}:{}: a clean text holds a marked secret",
                    path.display(),
                    number + 1
                );
                clean += 1;
            } else {
                assert!(
                    !text.secrets.is_empty(),
                    "{}:{}: a secrets text without a marked secret",
                    path.display(),
                    number + 1
                );
            }
            texts.push(text);
        }
    }
    (dir, texts, clean)
}

#[test]
fn the_corpus_is_redacted_with_precision_and_recall_of_at_least_098() {
    let (dir, texts, clean) = corpus();
    let secrets = texts.len() - clean;
    // The crate's own corpus must hold 300 of each; another one (`PATCHWORK_REDACTION_CORPUS`) is scored as it is.
    let own = std::env::var_os("PATCHWORK_REDACTION_CORPUS").is_none();
    assert!(
        !own || secrets >= 300 && clean >= 300,
        "{}: the corpus needs 300 secret and 300 clean texts at least, has {secrets} and {clean}",
        dir.display()
    );
    let score = score_redaction(&Redaction::standard(), &texts);
    println!(
        "{}: {secrets} texts with secrets, {clean} clean\n\n{score}",
        dir.display()
    );
    for mistake in &score.mistakes {
        println!("- {mistake}");
    }
    assert!(
        score.recall() >= 0.98 && score.precision() >= 0.98,
        "recall {:.3}, precision {:.3}: {} mistakes (run with --nocapture for the table)",
        score.recall(),
        score.precision(),
        score.mistakes.len()
    );
}

#[test]
fn every_kind_in_the_corpus_is_a_built_in_kind_and_every_built_in_kind_is_in_the_corpus() {
    let (_, texts, _) = corpus();
    let standard = Redaction::standard();
    let built_in = standard.kinds();
    let mut seen: Vec<&str> = texts
        .iter()
        .flat_map(|t| t.secrets.iter().map(|(kind, _)| kind.as_str()))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    for kind in &seen {
        assert!(
            built_in.contains(kind),
            "the corpus labels {kind:?}, which no built-in rule has"
        );
    }
    for kind in &built_in {
        assert!(
            seen.contains(kind),
            "no text in the corpus holds a {kind:?}"
        );
    }
}

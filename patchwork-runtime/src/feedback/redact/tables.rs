//! Secrets in tables, where the name is not beside the value: Markdown tables, and tab- or comma-separated ones
//! (TSV, CSV) under a header row of names. A column headed `password` or `api_key` (each row's cell in it), or,
//! in a Markdown or TSV row, a cell naming a secret and the next holding it (`| SENTRY_AUTH_TOKEN | 62a4… |`).
//! The values are judged as a name's value is ([`value_is_secret`]).

use std::ops::Range;

use super::judge::{Strength, strength_of, value_is_secret};
use super::scan::Hit;

/// How far back a row looks for its table's header (a table's rows are read once each per hit after them).
const MAX_TABLE_BYTES: usize = 8 * 1024;

/// How a row's cells are separated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delimiter {
    /// `| a | b |` (Markdown).
    Pipe,
    /// Tab-separated.
    Tab,
    /// Comma-separated: only under a header of names, and a name is never read beside its value (prose has commas).
    Comma,
}

/// A table row: how its cells are separated, and each cell's span (spaces, backticks and quotes trimmed). `None` for
/// a line that is no row.
struct Row {
    delimiter: Delimiter,
    cells: Vec<Range<usize>>,
}

/// The row on `line`, if it is one.
fn cells(text: &str, line: Range<usize>) -> Option<Row> {
    let row = &text[line.clone()];
    let lead = row.len() - row.trim_start().len();
    let (delimiter, separator, first) = if row[lead..].starts_with('|') {
        (Delimiter::Pipe, '|', line.start + lead + 1)
    } else if row.contains('\t') {
        (Delimiter::Tab, '\t', line.start)
    } else if row.contains(',') {
        (Delimiter::Comma, ',', line.start)
    } else {
        return None;
    };
    let mut spans = Vec::new();
    let mut start = first;
    for (i, c) in text[first..line.end].char_indices() {
        if c == separator {
            spans.push(trimmed(text, start..first + i));
            start = first + i + 1;
        }
    }
    let tail = trimmed(text, start..line.end);
    if !tail.is_empty() || delimiter != Delimiter::Pipe {
        spans.push(tail);
    }
    Some(Row {
        delimiter,
        cells: spans,
    })
}

/// Whether a row of a tab- or comma-separated table can be its header: every cell a name (`user`, `db_password`;
/// `API Key` between tabs), so a sentence with commas is none.
fn names_only(text: &str, row: &Row) -> bool {
    // A CSV header's names are single words (`user,password`); prose is not.
    let words = if row.delimiter == Delimiter::Comma {
        1
    } else {
        2
    };
    row.delimiter == Delimiter::Pipe
        || row.cells.len() >= 2
            && row.cells.iter().all(|cell| {
                let name = &text[cell.clone()];
                (1..=40).contains(&name.len())
                    && name.starts_with(|c: char| c.is_alphabetic())
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
                    && name.split(' ').count() <= words
            })
}

/// `span` without the spaces and backticks around it.
fn trimmed(text: &str, span: Range<usize>) -> Range<usize> {
    let cell = &text[span.clone()];
    let edge = |c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'');
    let inner = cell.trim_matches(edge);
    let start = span.start + (cell.len() - cell.trim_start_matches(edge).len());
    start..start + inner.len()
}

/// The span of the line that holds `at`.
fn line_at(text: &str, at: usize) -> Range<usize> {
    let start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let end = text[at..].find('\n').map_or(text.len(), |p| at + p);
    start..end
}

/// The first secret of `strength` in a table at or after `from`.
fn table_secret(text: &str, from: usize, strength: Strength) -> Option<Hit> {
    let mut line = line_at(text, from.min(text.len()));
    // The header of the table `from` is in: the first row above it of the same kind (within MAX_TABLE_BYTES).
    let mut header: Option<Row> = None;
    if let Some(here) = cells(text, line.clone()) {
        let mut up = line.clone();
        while up.start > 0 && line.start - up.start < MAX_TABLE_BYTES {
            let above = line_at(text, up.start - 1);
            match cells(text, above.clone()) {
                Some(row) if row.delimiter == here.delimiter => up = above,
                _ => break,
            }
        }
        if up.start < line.start {
            header = cells(text, up).filter(|head| names_only(text, head));
        }
    }
    loop {
        match cells(text, line.clone()) {
            Some(row)
                if header
                    .as_ref()
                    .is_none_or(|head| head.delimiter == row.delimiter) =>
            {
                let columns: Vec<usize> = header
                    .iter()
                    .filter(|head| {
                        head.delimiter == Delimiter::Pipe || head.cells.len() == row.cells.len()
                    })
                    .flat_map(|head| {
                        head.cells
                            .iter()
                            .enumerate()
                            .filter(|(_, name)| {
                                strength_of(&text[(*name).clone()]) == Some(strength)
                            })
                            .map(|(i, _)| i)
                    })
                    .collect();
                let in_column = columns.iter().filter_map(|&i| row.cells.get(i));
                let beside_name = row
                    .cells
                    .windows(2)
                    .filter(|pair| {
                        let name = &text[pair[0].clone()];
                        row.delimiter != Delimiter::Comma
                            && !name.contains(super::MARKER_PREFIX)
                            && strength_of(name) == Some(strength)
                    })
                    .map(|pair| &pair[1]);
                let mut found: Vec<&Range<usize>> = in_column.chain(beside_name).collect();
                found.sort_by_key(|span| span.start);
                if let Some(value) = found.into_iter().find(|value| {
                    value.start >= from
                        && !value.is_empty()
                        && value_is_secret(&text[(*value).clone()], None, strength)
                }) {
                    return Some(Hit {
                        span: value.clone(),
                        redact: Some(value.clone()),
                    });
                }
                if header.is_none() && names_only(text, &row) {
                    header = Some(row);
                }
            }
            _ => header = None,
        }
        if line.end >= text.len() {
            return None;
        }
        line = line_at(text, line.end + 1);
    }
}

/// A password in a table (a `password` column, or a cell beside a password's name).
pub(super) fn table_password(text: &str, from: usize) -> Option<Hit> {
    table_secret(text, from, Strength::Password)
}

/// Another secret in a table (a `token`/`api_key` column, or a cell beside its name).
pub(super) fn table_generic(text: &str, from: usize) -> Option<Hit> {
    table_secret(text, from, Strength::Generic)
}

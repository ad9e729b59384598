//! Secrets in Markdown tables, where the name is not beside the value: a column headed `password` or `api_key`
//! (each row's cell in it), or a row that names a secret in one cell and holds it in the next
//! (`| SENTRY_AUTH_TOKEN | 62a4… |`). The values are judged as a name's value is ([`value_is_secret`]).

use std::ops::Range;

use super::judge::{Strength, strength_of, value_is_secret};
use super::scan::Hit;

/// How far back a row looks for its table's header (a table's rows are read once each per hit after them).
const MAX_TABLE_BYTES: usize = 8 * 1024;

/// The cells of a table row (a line whose first non-space char is `|`): each cell's span, spaces and backticks
/// trimmed. `None` for a line that is no row.
fn cells(text: &str, line: Range<usize>) -> Option<Vec<Range<usize>>> {
    let row = &text[line.clone()];
    let lead = row.len() - row.trim_start().len();
    if !row[lead..].starts_with('|') {
        return None;
    }
    let mut spans = Vec::new();
    let mut start = line.start + lead + 1;
    for (i, c) in row[lead + 1..].char_indices() {
        if c == '|' {
            let at = line.start + lead + 1 + i;
            spans.push(trimmed(text, start..at));
            start = at + 1;
        }
    }
    let tail = trimmed(text, start..line.end);
    if !tail.is_empty() {
        spans.push(tail);
    }
    Some(spans)
}

/// `span` without the spaces and backticks around it.
fn trimmed(text: &str, span: Range<usize>) -> Range<usize> {
    let cell = &text[span.clone()];
    let inner = cell.trim_matches(|c: char| c.is_whitespace() || c == '`');
    let start = span.start
        + (cell.len()
            - cell
                .trim_start_matches(|c: char| c.is_whitespace() || c == '`')
                .len());
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
    // The header of the table `from` is in: the first row above it (within MAX_TABLE_BYTES).
    let mut header: Option<Vec<Range<usize>>> = None;
    let mut up = line.clone();
    while cells(text, up.clone()).is_some()
        && up.start > 0
        && line.start - up.start < MAX_TABLE_BYTES
    {
        let above = line_at(text, up.start - 1);
        if cells(text, above.clone()).is_none() {
            break;
        }
        up = above;
    }
    if up.start < line.start {
        header = cells(text, up);
    }
    loop {
        match cells(text, line.clone()) {
            None => header = None,
            Some(row) => {
                let columns: Vec<usize> = header
                    .iter()
                    .flat_map(|head| {
                        head.iter()
                            .enumerate()
                            .filter(|(_, name)| {
                                strength_of(&text[(*name).clone()]) == Some(strength)
                            })
                            .map(|(i, _)| i)
                    })
                    .collect();
                let in_column = columns.iter().filter_map(|&i| row.get(i));
                let beside_name = row
                    .windows(2)
                    .filter(|pair| strength_of(&text[pair[0].clone()]) == Some(strength))
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
                if header.is_none() {
                    header = Some(row);
                }
            }
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

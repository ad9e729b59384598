//! What a replay input line holds: read with a bound (a log may hold an endless line), and parsed into a
//! feedback's key and body, prepared as a tool call prepares it (redacted, capped, closed enums).

use std::io::{self, BufRead};

use super::ReplayReport;
use crate::delivery::IdempotencyKey;
use crate::feedback::redact::{Filled, Redaction};
use crate::feedback::unsent::{is_unsent_record, parse_unsent_line};
use crate::feedback::{FeedbackPayload, Origin, Prepared};
use crate::outbox::{MAX_ITEM_FILE_BYTES, OutboxItem};

/// The longest line read whole: an outbox item line, or an unsent line with a log store's prefix, fits.
const MAX_LINE_BYTES: usize = 2 * MAX_ITEM_FILE_BYTES as usize;

/// Reads the next line into `line` (cleared first), keeping at most [`MAX_LINE_BYTES`] of it and passing over
/// the rest: `Some(true)` for a whole line, `Some(false)` for the head of a longer one, `None` at the end.
pub(super) fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let (mut any, mut whole) = (false, true);
    // Each round consumes at least one byte, so the rounds are bounded by the input.
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            return Ok(any.then_some(whole));
        }
        any = true;
        let end = available.iter().position(|&b| b == b'\n');
        let taken = end.map_or(available.len(), |at| at + 1);
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        if taken > room {
            whole = false;
        }
        line.extend_from_slice(&available[..taken.min(room)]);
        input.consume(taken);
        if end.is_some() {
            return Ok(Some(whole));
        }
    }
}

/// A feedback's key and prepared body from one input line (`whole` false: only its head was kept): an unsent
/// line (anywhere in a log line) or an outbox item line, with the item's own key. Other lines, patchwork's own
/// log lines about unsent feedback among them, are not feedback and are passed over. `redaction`: the standard
/// rules with the replaying key redacted first.
pub(super) fn parse_line(
    line: &str,
    whole: bool,
    redaction: &Redaction,
    report: &mut ReplayReport,
) -> Option<(IdempotencyKey, String, Origin)> {
    let item_line = line.trim_start().starts_with("{\"key\"");
    if !is_unsent_record(line) && !item_line {
        return None;
    }
    if !whole {
        tracing::warn!("skipped a feedback line longer than {MAX_LINE_BYTES} bytes");
        report.unreadable += 1;
        return None;
    }
    let parsed = if item_line {
        serde_json::from_str::<OutboxItem>(line)
            .ok()
            .and_then(|item| {
                let payload = serde_json::from_str::<FeedbackPayload>(item.payload.get()).ok()?;
                Some((item.key, payload, item.origin))
            })
    } else {
        // The key the reporter used when it logged the line: derived from the body as logged.
        parse_unsent_line(line).map(|parsed| {
            let key = IdempotencyKey::from_content(parsed.json.as_bytes());
            (key, parsed.payload, parsed.origin)
        })
    };
    let Some((key, payload, origin)) = parsed else {
        tracing::warn!("skipped a feedback line that does not parse (torn?)");
        report.unreadable += 1;
        return None;
    };
    Some((
        key,
        Prepared::new(payload, redaction, Filled::default()).body,
        origin,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_endless_line_is_kept_to_the_bound_and_the_next_line_read_whole() {
        let endless = std::io::repeat(b'y').take(4 * MAX_LINE_BYTES as u64);
        let mut input = io::BufReader::new(endless.chain(&b"\nnext\n"[..]));
        let mut line = Vec::new();
        assert_eq!(read_line(&mut input, &mut line).expect("read"), Some(false));
        assert_eq!(line.len(), MAX_LINE_BYTES);
        assert_eq!(read_line(&mut input, &mut line).expect("read"), Some(true));
        assert_eq!(line, b"next\n");
        assert_eq!(read_line(&mut input, &mut line).expect("read"), None);
    }
}

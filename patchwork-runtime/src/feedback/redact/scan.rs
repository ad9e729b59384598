//! The few primitives the built-in rules are written in: word boundaries (Unicode words, as `\b`), runs of a byte
//! class, ASCII case-insensitive literals, and a leftmost scan over candidate positions. Every function takes byte
//! offsets that are char boundaries and returns char boundaries; none panics on any input.

use std::ops::Range;

/// One match of a rule: the span it consumed, and the part that becomes the marker (`None` when a check such as
/// Luhn failed: the text stays, and the search goes on after the span, as a regex `replace_all` would).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hit {
    pub(super) span: Range<usize>,
    pub(super) redact: Option<Range<usize>>,
}

impl Hit {
    /// A match replaced whole.
    pub(super) fn whole(span: Range<usize>) -> Self {
        Self {
            redact: Some(span.clone()),
            span,
        }
    }

    /// A match replaced whole if `passes`, else kept.
    pub(super) fn checked(span: Range<usize>, passes: bool) -> Self {
        Self {
            redact: passes.then(|| span.clone()),
            span,
        }
    }
}

/// Whether `c` is a word character for `\b`: letters (Unicode's `Alphabetic`, as regex's `\w` has them), ASCII
/// digits and `_`. Where this differs from `\w` it leans towards redacting: `²`, `½` or `①` (numeric but not
/// decimal digits, which `char::is_alphanumeric` would count) are not word characters, so a footnote mark beside a
/// secret does not hide it; non-ASCII decimal digits, combining marks and joiners are not either, so a secret
/// beside one is redacted where `\w` would have seen no boundary.
pub(super) fn is_word(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit() || c == '_'
}

/// `\w` read generously, for a label's run (`aws…secret`), where stopping early would miss a secret: any letter or
/// number, `_` and the other connector punctuation, and the zero-width joiners.
pub(super) fn is_label_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'
                ..='\u{FE4F}' | '\u{FF3F}' | '\u{200C}' | '\u{200D}'
        )
}

/// Whether the char before `at` is a word character. The end of one of our markers is not: a marker may stand
/// for text that ended in a word or not, and reading it as a boundary keeps what follows it in reach of the rules
/// (`-----END PRIVATE KEY-----a@b.co` keeps its address redacted).
pub(super) fn word_before(text: &str, at: usize) -> bool {
    text.get(..at)
        .and_then(|head| head.chars().next_back())
        .is_some_and(is_word)
}

/// Whether the char at `at` is a word character.
pub(super) fn word_at(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|tail| tail.chars().next())
        .is_some_and(is_word)
}

/// The end of the run of ASCII bytes in `class` that starts at `at`.
pub(super) fn run(text: &str, at: usize, class: impl Fn(u8) -> bool) -> usize {
    run_upto(text, at, usize::MAX, class)
}

/// The start of the run of ASCII bytes in `class` that ends at `at`, not before `floor`.
pub(super) fn run_back(text: &str, at: usize, floor: usize, class: impl Fn(u8) -> bool) -> usize {
    let bytes = text.as_bytes();
    let mut start = at.min(bytes.len());
    while start > floor && class(bytes[start - 1]) {
        start -= 1;
    }
    start
}

/// The end of the run of at most `max` ASCII bytes in `class` that starts at `at`: a bounded look ahead, for a rule
/// that needs a fixed number of them (reading the whole run at every candidate would be quadratic).
pub(super) fn run_upto(text: &str, at: usize, max: usize, class: impl Fn(u8) -> bool) -> usize {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(at.saturating_add(max));
    let mut end = at.min(limit);
    while end < limit && class(bytes[end]) {
        end += 1;
    }
    end
}

/// The end of the run of at most `max` chars satisfying `class` that starts at `at`, and how many chars it holds.
pub(super) fn run_chars(
    text: &str,
    at: usize,
    max: usize,
    class: impl Fn(char) -> bool,
) -> (usize, usize) {
    let mut end = at;
    let mut count = 0;
    for c in text.get(at..).unwrap_or("").chars() {
        if count == max || !class(c) {
            break;
        }
        end += c.len_utf8();
        count += 1;
    }
    (end, count)
}

/// The end of the whitespace (`\s*`) that starts at `at`.
pub(super) fn spaces(text: &str, at: usize) -> usize {
    run_chars(text, at, usize::MAX, char::is_whitespace).0
}

/// Whether `text` holds `literal` at `at`, ASCII case ignored.
pub(super) fn has_ci(text: &str, at: usize, literal: &str) -> bool {
    text.as_bytes()
        .get(at..at + literal.len())
        .is_some_and(|bytes| bytes.eq_ignore_ascii_case(literal.as_bytes()))
}

/// Whether `text` holds `literal` (ASCII, not empty) anywhere, ASCII case ignored.
pub(super) fn contains_ci(text: &str, literal: &str) -> bool {
    let literal = literal.as_bytes();
    let Some(&first) = literal.first() else {
        return true;
    };
    let first = first.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let last_start = bytes.len().saturating_sub(literal.len() - 1);
    (0..last_start).any(|at| {
        bytes[at].to_ascii_lowercase() == first
            && bytes[at..at + literal.len()].eq_ignore_ascii_case(literal)
    })
}

/// The text a rule's quick test looks at: the text itself (as a `str`), and its ASCII lowercase, made once for all
/// the rules that need it.
pub(super) struct Probe<'a> {
    text: &'a str,
    lower: &'a std::cell::OnceCell<String>,
    pairs: &'a std::cell::OnceCell<Pairs>,
    lower_pairs: &'a std::cell::OnceCell<Pairs>,
}

/// What the quick tests compute once for each version of the text: its lowercase, and the pairs of adjacent bytes
/// in it and in its lowercase.
#[derive(Default)]
pub(super) struct Memo {
    lower: std::cell::OnceCell<String>,
    pairs: std::cell::OnceCell<Pairs>,
    lower_pairs: std::cell::OnceCell<Pairs>,
}

/// Which pairs of adjacent bytes a text holds (hashed into 4,096 bits; a collision only makes a quick test pass).
pub(super) struct Pairs([u64; 64]);

impl Pairs {
    fn index(first: u8, second: u8) -> usize {
        (usize::from(first) * 31 + usize::from(second)) & 4095
    }

    fn of(text: &str) -> Self {
        let mut bits = [0u64; 64];
        for pair in text.as_bytes().windows(2) {
            let i = Self::index(pair[0], pair[1]);
            bits[i / 64] |= 1 << (i % 64);
        }
        Self(bits)
    }

    fn may_hold(&self, first: u8, second: u8) -> bool {
        let i = Self::index(first, second);
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

impl<'a> Probe<'a> {
    pub(super) fn new(text: &'a str, memo: &'a Memo) -> Self {
        Self {
            text,
            lower: &memo.lower,
            pairs: &memo.pairs,
            lower_pairs: &memo.lower_pairs,
        }
    }

    /// Whether the text holds `literal`, exactly: its first two bytes are looked up first, so the many rules whose
    /// prefix is absent cost a lookup rather than a search.
    pub(super) fn has(&self, literal: &str) -> bool {
        match literal.as_bytes() {
            [first, second, ..] => {
                self.pairs
                    .get_or_init(|| Pairs::of(self.text))
                    .may_hold(*first, *second)
                    && self.text.contains(literal)
            }
            _ => self.text.contains(literal),
        }
    }

    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    /// Whether the text holds `literal` (lowercase), ASCII case ignored: its first two bytes are looked up in the
    /// lowercase text's pairs first.
    pub(super) fn contains_ci(&self, literal: &str) -> bool {
        let lower = self.lower.get_or_init(|| self.text.to_ascii_lowercase());
        match literal.as_bytes() {
            [first, second, ..] => {
                self.lower_pairs
                    .get_or_init(|| Pairs::of(lower))
                    .may_hold(*first, *second)
                    && lower.contains(literal)
            }
            _ => lower.contains(literal),
        }
    }
}

impl std::ops::Deref for Probe<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.text
    }
}

/// Whether `text` holds `literal` at `at`, exactly.
pub(super) fn has(text: &str, at: usize, literal: &str) -> bool {
    text.as_bytes()
        .get(at..at + literal.len())
        .is_some_and(|bytes| bytes == literal.as_bytes())
}

/// The byte at `at`, if any.
pub(super) fn byte(text: &str, at: usize) -> Option<u8> {
    text.as_bytes().get(at).copied()
}

/// The first match at or after `from`: `try_at` is asked at each position whose byte passes `first` (an ASCII
/// byte, so a char boundary), in order. Linear in the text when `try_at` looks a bounded distance ahead.
pub(super) fn leftmost(
    text: &str,
    from: usize,
    first: impl Fn(u8) -> bool,
    try_at: impl Fn(usize) -> Option<Hit>,
) -> Option<Hit> {
    let bytes = text.as_bytes();
    (from..bytes.len())
        .filter(|&at| first(bytes[at]))
        .find_map(try_at)
}

/// Every match of `find` (a "first match at or after" function), without overlaps, left to right.
pub(super) fn all(text: &str, find: impl Fn(&str, usize) -> Option<Hit>) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut from = 0;
    while let Some(hit) = find(text, from) {
        // Every rule consumes at least one byte; a rule that did not would be stepped past, not looped on.
        from = if hit.span.end > from {
            hit.span.end
        } else {
            (from + 1..=text.len())
                .find(|&at| text.is_char_boundary(at))
                .unwrap_or(text.len())
        };
        hits.push(hit);
        if from >= text.len() {
            break;
        }
    }
    hits
}

/// The text of `at`'s line before it, at most `max` bytes back (cut forward to a char boundary): the context a
/// rule reads for a label (`Authorization:` before `Basic …`, `SSN` before nine digits).
pub(super) fn line_before(text: &str, at: usize, max: usize) -> &str {
    let at = at.min(text.len());
    let mut start = at.saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let mut window = &text[start..at];
    if let Some(newline) = window.rfind('\n') {
        window = &window[newline + 1..];
    }
    // A marker ends the context: its kind (`[REDACTED:phone]`) is no label of what follows, even when the window
    // starts inside it.
    if let Some(close) = window.rfind(']') {
        let absolute = at - window.len() + close;
        let mut from = absolute.saturating_sub(64);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        if text[from..absolute]
            .rfind(super::MARKER_PREFIX)
            .is_some_and(|m| !text[from + m..absolute].contains(']'))
        {
            window = &window[close + 1..];
        }
    }
    window
}

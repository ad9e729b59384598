//! The aggregation window: signals counted per kind, target and detail, with first and last seen, bounded in
//! what it holds and in how many reports it lets out an hour. What the caps leave out is counted and said, never
//! dropped silently.

use std::collections::HashMap;

use super::{Signal, SignalKind};

/// Most distinct (kind, target, detail) counted in one window; later new ones are counted as `overflow`.
pub(crate) const MAX_KEYS_PER_WINDOW: usize = 50;
/// Most signal reports let out in an hour; the rest are counted as `over_rate`.
pub(crate) const MAX_REPORTS_PER_HOUR: u32 = 120;
const HOUR_MS: u64 = 3_600_000;

/// One (kind, target, detail) over a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Aggregate {
    pub(crate) kind: SignalKind,
    pub(crate) target: String,
    pub(crate) detail: String,
    pub(crate) count: u64,
    /// Milliseconds since the Unix epoch.
    pub(crate) first_ms: u64,
    pub(crate) last_ms: u64,
    /// The one client every occurrence came from; `None` when unknown or when several clients made them.
    pub(crate) client: Option<String>,
    /// Whether occurrences came from more than one client (or from known and unknown ones).
    mixed_clients: bool,
}

/// What a window held when it was taken.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Taken {
    /// The aggregates to report, oldest first.
    pub(crate) aggregates: Vec<Aggregate>,
    /// Signals not itemised because the window held [`MAX_KEYS_PER_WINDOW`] distinct ones already.
    pub(crate) overflow: u64,
    /// Aggregates not reported because the hour's [`MAX_REPORTS_PER_HOUR`] were used.
    pub(crate) over_rate: u64,
}

type Key = (SignalKind, String, String);

/// The open window and the hour's count of reports let out.
#[derive(Debug, Default)]
pub(crate) struct Window {
    entries: HashMap<Key, Aggregate>,
    order: Vec<Key>,
    overflow: u64,
    hour_start_ms: u64,
    reports_this_hour: u32,
}

impl Window {
    /// Counts `signal` seen at `now_ms`. `true` when it opened the window (the caller schedules its close).
    pub(crate) fn record(&mut self, signal: Signal, now_ms: u64) -> bool {
        let opened = self.is_empty();
        let key = (signal.kind, signal.target, signal.detail);
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.count = entry.count.saturating_add(1);
            entry.last_ms = entry.last_ms.max(now_ms);
            if entry.client != signal.client {
                entry.mixed_clients = true;
            }
            return opened;
        }
        if self.entries.len() >= MAX_KEYS_PER_WINDOW {
            self.overflow = self.overflow.saturating_add(1);
            return opened;
        }
        let aggregate = Aggregate {
            kind: key.0,
            target: key.1.clone(),
            detail: key.2.clone(),
            count: 1,
            first_ms: now_ms,
            last_ms: now_ms,
            client: signal.client,
            mixed_clients: false,
        };
        self.order.push(key.clone());
        self.entries.insert(key, aggregate);
        opened
    }

    /// Whether the window holds nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.overflow == 0
    }

    /// Closes the window at `now_ms`: what it held, within the hour's rate.
    pub(crate) fn take(&mut self, now_ms: u64) -> Taken {
        if now_ms.saturating_sub(self.hour_start_ms) >= HOUR_MS {
            self.hour_start_ms = now_ms;
            self.reports_this_hour = 0;
        }
        let mut entries = std::mem::take(&mut self.entries);
        let mut taken = Taken {
            overflow: std::mem::take(&mut self.overflow),
            ..Taken::default()
        };
        for key in std::mem::take(&mut self.order) {
            let Some(mut aggregate) = entries.remove(&key) else {
                continue;
            };
            if self.reports_this_hour >= MAX_REPORTS_PER_HOUR {
                taken.over_rate += 1;
                continue;
            }
            self.reports_this_hour += 1;
            if aggregate.mixed_clients {
                aggregate.client = None;
            }
            taken.aggregates.push(aggregate);
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(tool: &str, client: Option<&str>) -> Signal {
        Signal::new(SignalKind::UnknownTool, tool, "", client.map(str::to_owned))
    }

    #[test]
    fn signals_are_counted_per_kind_target_and_detail_with_first_and_last_seen() {
        let mut window = Window::default();
        assert!(window.record(unknown("search", Some("cursor/1")), 1_000));
        assert!(!window.record(unknown("search", Some("cursor/1")), 3_000));
        assert!(!window.record(unknown("lookup", None), 2_000));
        let bad = |path: &str| {
            Signal::new(
                SignalKind::InvalidArguments,
                "search",
                &format!("missing_field at {path}"),
                None,
            )
        };
        window.record(bad("query"), 2_500);
        window.record(bad("query"), 2_600);
        window.record(bad("limit"), 2_700);
        let taken = window.take(4_000);
        let summary: Vec<_> = taken
            .aggregates
            .iter()
            .map(|a| {
                (
                    a.kind.as_str(),
                    a.target.as_str(),
                    a.detail.as_str(),
                    a.count,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("unknown_tool", "search", "", 2),
                ("unknown_tool", "lookup", "", 1),
                ("invalid_arguments", "search", "missing_field at query", 2),
                ("invalid_arguments", "search", "missing_field at limit", 1),
            ]
        );
        let search = &taken.aggregates[0];
        assert_eq!((search.first_ms, search.last_ms), (1_000, 3_000));
        assert_eq!(search.client.as_deref(), Some("cursor/1"));
        assert!(window.is_empty(), "taking empties the window");
        assert!(
            window.record(unknown("search", None), 5_000),
            "the next signal opens a new window"
        );
    }

    #[test]
    fn a_client_is_named_only_when_every_occurrence_came_from_it() {
        let mut window = Window::default();
        window.record(unknown("a", Some("cursor/1")), 1);
        window.record(unknown("a", Some("claude-code/2")), 2);
        window.record(unknown("b", Some("cursor/1")), 3);
        window.record(unknown("b", None), 4);
        let taken = window.take(5);
        assert!(taken.aggregates.iter().all(|a| a.client.is_none()));
    }

    #[test]
    fn past_the_key_cap_signals_are_counted_as_overflow_not_dropped() {
        let mut window = Window::default();
        for i in 0..MAX_KEYS_PER_WINDOW + 7 {
            window.record(unknown(&format!("tool{i}"), None), 1);
        }
        window.record(unknown("tool0", None), 2);
        let taken = window.take(3);
        assert_eq!(taken.aggregates.len(), MAX_KEYS_PER_WINDOW);
        assert_eq!(taken.overflow, 7);
        assert_eq!(taken.aggregates[0].count, 2, "known keys still count");
    }

    #[test]
    fn the_hourly_rate_holds_back_reports_and_says_how_many_then_resets() {
        let mut window = Window::default();
        let mut reported = 0;
        let mut over = 0;
        for round in 0..3 {
            for i in 0..MAX_KEYS_PER_WINDOW {
                window.record(unknown(&format!("t{round}-{i}"), None), 10);
            }
            let taken = window.take(10);
            reported += taken.aggregates.len();
            over += taken.over_rate;
        }
        assert_eq!(reported, MAX_REPORTS_PER_HOUR as usize);
        assert_eq!(over as usize, 3 * MAX_KEYS_PER_WINDOW - reported);
        window.record(unknown("later", None), 10 + HOUR_MS);
        assert_eq!(window.take(10 + HOUR_MS).aggregates.len(), 1, "a new hour");
    }
}

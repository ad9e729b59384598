//! Ceilings on how many reports are recorded: per session (an agent in a loop with slightly varied text) and per
//! process (a burst from many sessions at once). Fixed windows, counted in memory, bounded: at most
//! [`MAX_SESSIONS`] sessions are tracked; beyond that the oldest window is forgotten.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::feedback::caps::floor_char_boundary;

/// Most sessions tracked at once.
pub(crate) const MAX_SESSIONS: usize = 10_000;
/// Longest session key kept, in bytes.
const MAX_KEY_BYTES: usize = 128;

/// The default ceiling per session: reports an hour.
pub(crate) const DEFAULT_PER_SESSION: u32 = 20;
/// The session window.
pub(crate) const SESSION_WINDOW: Duration = Duration::from_secs(3600);
/// The default ceiling for the whole process: reports a minute.
pub(crate) const DEFAULT_PER_PROCESS: u32 = 120;
/// The process window.
pub(crate) const PROCESS_WINDOW: Duration = Duration::from_secs(60);

/// Which ceiling a report hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit {
    Session,
    Process,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

impl Window {
    /// Counts one more in the window that holds `now`; false when the window is full.
    fn admit(&mut self, limit: u32, length: Duration, now: Instant) -> bool {
        if now.saturating_duration_since(self.started) >= length {
            *self = Window {
                started: now,
                count: 0,
            };
        }
        if self.count >= limit {
            return false;
        }
        self.count += 1;
        true
    }
}

/// The ceilings of one client.
#[derive(Debug)]
pub(crate) struct Ceilings {
    per_session: u32,
    per_process: u32,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    sessions: HashMap<String, Window>,
    process: Window,
}

impl Ceilings {
    pub(crate) fn new(per_session: u32, per_process: u32) -> Self {
        let now = Instant::now();
        Self {
            per_session,
            per_process,
            state: Mutex::new(State {
                sessions: HashMap::new(),
                process: Window {
                    started: now,
                    count: 0,
                },
            }),
        }
    }

    /// Counts one report of the transport `session` (without one, only the process ceiling applies) at `now`;
    /// `Err` names the ceiling it hit (and nothing is counted then).
    pub(crate) fn admit(&self, session: Option<&str>, now: Instant) -> Result<(), Hit> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let State { sessions, process } = &mut *state;
        let Some(session) = session else {
            return if process.admit(self.per_process, PROCESS_WINDOW, now) {
                Ok(())
            } else {
                Err(Hit::Process)
            };
        };
        // Session ids are short; a longer one is cut so the table's memory stays bounded.
        let session = &session[..floor_char_boundary(session, MAX_KEY_BYTES)];
        if !sessions.contains_key(session) && sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, w| now.saturating_duration_since(w.started) < SESSION_WINDOW);
            if sessions.len() >= MAX_SESSIONS
                && let Some(oldest) = sessions
                    .iter()
                    .min_by_key(|(_, w)| w.started)
                    .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        let window = sessions.entry(session.to_string()).or_insert(Window {
            started: now,
            count: 0,
        });
        let mut trial = *window;
        if !trial.admit(self.per_session, SESSION_WINDOW, now) {
            return Err(Hit::Session);
        }
        if !process.admit(self.per_process, PROCESS_WINDOW, now) {
            return Err(Hit::Process);
        }
        *window = trial;
        Ok(())
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .sessions
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_past_its_ceiling_is_refused_and_others_are_not() {
        let ceilings = Ceilings::new(3, 1000);
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(ceilings.admit(Some("loop"), now), Ok(()));
        }
        assert_eq!(ceilings.admit(Some("loop"), now), Err(Hit::Session));
        assert_eq!(ceilings.admit(Some("other"), now), Ok(()));
        // A new hour, a new window.
        assert_eq!(ceilings.admit(Some("loop"), now + SESSION_WINDOW), Ok(()));
    }

    #[test]
    fn the_process_ceiling_holds_across_sessions_and_refused_reports_do_not_count() {
        let ceilings = Ceilings::new(1000, 5);
        let now = Instant::now();
        for n in 0..5 {
            assert_eq!(ceilings.admit(Some(&format!("s{n}")), now), Ok(()));
        }
        assert_eq!(ceilings.admit(Some("s9"), now), Err(Hit::Process));
        assert_eq!(ceilings.admit(Some("s9"), now + PROCESS_WINDOW), Ok(()));
        let tight = Ceilings::new(1, 1000);
        assert_eq!(tight.admit(Some("a"), now), Ok(()));
        assert_eq!(tight.admit(Some("a"), now), Err(Hit::Session));
        assert_eq!(
            tight.admit(Some("b"), now),
            Ok(()),
            "a refusal used no process room"
        );
    }

    #[test]
    fn memory_is_bounded_by_the_number_of_sessions_tracked() {
        let ceilings = Ceilings::new(20, u32::MAX);
        let now = Instant::now();
        for n in 0..(MAX_SESSIONS + 500) {
            assert_eq!(ceilings.admit(Some(&format!("session-{n}")), now), Ok(()));
        }
        assert!(ceilings.tracked() <= MAX_SESSIONS);
    }
}

//! Ceilings on how many reports are recorded: per session (an agent in a loop with slightly varied text), per
//! process (a burst from many sessions at once), and each caller's share of the process ceiling (so one busy client
//! cannot use it up for every user of an HTTP server). Fixed windows, counted in memory, bounded: at most
//! [`MAX_SESSIONS`] sessions (and as many shares) are tracked; beyond that the oldest window is forgotten.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::feedback::Caller;
use crate::feedback::caps::floor_char_boundary;

/// Most sessions (and shares) tracked at once.
pub(crate) const MAX_SESSIONS: usize = 10_000;
/// Longest session key kept, in bytes.
const MAX_KEY_BYTES: usize = 128;

/// The default ceiling per session: reports an hour.
pub(crate) const DEFAULT_PER_SESSION: u32 = 20;
/// The session window.
pub(crate) const SESSION_WINDOW: Duration = Duration::from_secs(3600);
/// The default ceiling for the whole process: reports a minute.
pub(crate) const DEFAULT_PER_PROCESS: u32 = 120;
/// The process window (also each caller's share's).
pub(crate) const PROCESS_WINDOW: Duration = Duration::from_secs(60);
/// One caller (a session, else a client, else all callers nothing is known about) may take at most this part of
/// the process ceiling: a quarter, rounded up.
const SHARE_DIVISOR: u32 = 4;

/// Which ceiling a report hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit {
    Session,
    Share,
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
    /// Whether each [`Hit`] was already logged at warn.
    warned: [AtomicBool; 3],
}

#[derive(Debug)]
struct State {
    sessions: HashMap<String, Window>,
    shares: HashMap<String, Window>,
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
                shares: HashMap::new(),
                process: Window {
                    started: now,
                    count: 0,
                },
            }),
            warned: [const { AtomicBool::new(false) }; 3],
        }
    }

    /// The ceiling per session, an hour.
    pub(crate) fn per_session(&self) -> u32 {
        self.per_session
    }

    /// The ceiling for the whole process, a minute.
    pub(crate) fn per_process(&self) -> u32 {
        self.per_process
    }

    /// One caller's share of the process ceiling, a minute.
    pub(crate) fn share(&self) -> u32 {
        self.per_process.div_ceil(SHARE_DIVISOR).max(1)
    }

    /// Counts one report of `caller` at `now`: its session's ceiling (when the server knows a session), its share
    /// of the process ceiling, and the process ceiling. `Err` names the ceiling it hit (and nothing is counted
    /// then).
    pub(crate) fn admit(&self, caller: &Caller, now: Instant) -> Result<(), Hit> {
        let mut state = crate::sync::lock(&self.state);
        let State {
            sessions,
            shares,
            process,
        } = &mut *state;
        let mut session = caller
            .session()
            .map(|key| (key, *window_of(sessions, key, SESSION_WINDOW, now)));
        if let Some((_, trial)) = &mut session
            && !trial.admit(self.per_session, SESSION_WINDOW, now)
        {
            return Err(Hit::Session);
        }
        let share_key = caller.share();
        let mut share = share_key
            .as_deref()
            .map(|key| *window_of(shares, key, PROCESS_WINDOW, now));
        if let Some(trial) = &mut share
            && !trial.admit(self.share(), PROCESS_WINDOW, now)
        {
            return Err(Hit::Share);
        }
        if !process.admit(self.per_process, PROCESS_WINDOW, now) {
            return Err(Hit::Process);
        }
        if let (Some(key), Some(trial)) = (share_key.as_deref(), share) {
            *window_of(shares, key, PROCESS_WINDOW, now) = trial;
        }
        if let Some((key, trial)) = session {
            *window_of(sessions, key, SESSION_WINDOW, now) = trial;
        }
        Ok(())
    }

    /// True the first time `hit` happens (it is then logged at warn; later hits at debug).
    pub(crate) fn first(&self, hit: Hit) -> bool {
        !self.warned[hit as usize].swap(true, Ordering::Relaxed)
    }

    #[cfg(test)]
    fn tracked(&self) -> (usize, usize) {
        let state = crate::sync::lock(&self.state);
        (state.sessions.len(), state.shares.len())
    }
}

/// The window of `key` in `table` (a new one when absent), keeping the table within [`MAX_SESSIONS`]: expired
/// windows go first, then the oldest. Keys are cut to [`MAX_KEY_BYTES`].
fn window_of<'a>(
    table: &'a mut HashMap<String, Window>,
    key: &str,
    length: Duration,
    now: Instant,
) -> &'a mut Window {
    // Session ids are short; a longer one is cut so the table's memory stays bounded.
    let key = &key[..floor_char_boundary(key, MAX_KEY_BYTES)];
    if !table.contains_key(key) && table.len() >= MAX_SESSIONS {
        table.retain(|_, w| now.saturating_duration_since(w.started) < length);
        if table.len() >= MAX_SESSIONS
            && let Some(oldest) = table
                .iter()
                .min_by_key(|(_, w)| w.started)
                .map(|(k, _)| k.clone())
        {
            table.remove(&oldest);
        }
    }
    table.entry(key.to_string()).or_insert(Window {
        started: now,
        count: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str) -> Caller {
        Caller::Session(id.to_owned())
    }

    #[test]
    fn a_session_past_its_ceiling_is_refused_and_others_are_not() {
        let ceilings = Ceilings::new(3, 1000);
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(ceilings.admit(&session("loop"), now), Ok(()));
        }
        assert_eq!(ceilings.admit(&session("loop"), now), Err(Hit::Session));
        assert_eq!(ceilings.admit(&session("other"), now), Ok(()));
        // A new hour, a new window.
        assert_eq!(
            ceilings.admit(&session("loop"), now + SESSION_WINDOW),
            Ok(())
        );
    }

    #[test]
    fn a_process_with_one_session_has_the_session_ceiling() {
        let ceilings = Ceilings::new(20, 120);
        let now = Instant::now();
        for n in 0..20 {
            // Spread over the hour, so only the session ceiling can refuse.
            let at = now + Duration::from_secs(n * 120);
            assert_eq!(ceilings.admit(&Caller::Process, at), Ok(()), "report {n}");
        }
        assert_eq!(
            ceilings.admit(&Caller::Process, now + Duration::from_secs(3000)),
            Err(Hit::Session)
        );
    }

    #[test]
    fn the_process_ceiling_holds_across_sessions_and_refused_reports_do_not_count() {
        let ceilings = Ceilings::new(1000, 5);
        let now = Instant::now();
        for n in 0..5 {
            assert_eq!(ceilings.admit(&session(&format!("s{n}")), now), Ok(()));
        }
        assert_eq!(ceilings.admit(&session("s9"), now), Err(Hit::Process));
        assert_eq!(ceilings.admit(&session("s9"), now + PROCESS_WINDOW), Ok(()));
        let tight = Ceilings::new(1, 1000);
        assert_eq!(tight.admit(&session("a"), now), Ok(()));
        assert_eq!(tight.admit(&session("a"), now), Err(Hit::Session));
        assert_eq!(
            tight.admit(&session("b"), now),
            Ok(()),
            "a refusal used no process room"
        );
    }

    #[test]
    fn one_busy_client_without_a_session_cannot_use_up_the_process_ceiling() {
        let ceilings = Ceilings::new(20, 120);
        let now = Instant::now();
        let busy = Caller::Client("busy/1.0".to_owned());
        let admitted = (0..200)
            .filter(|_| ceilings.admit(&busy, now).is_ok())
            .count();
        assert_eq!(admitted, 30, "a quarter of the process ceiling");
        assert_eq!(ceilings.admit(&busy, now), Err(Hit::Share));
        // The others still have room: a named client, callers nothing is known about, a session.
        assert_eq!(
            ceilings.admit(&Caller::Client("other/2.0".to_owned()), now),
            Ok(())
        );
        assert_eq!(ceilings.admit(&Caller::Unknown, now), Ok(()));
        assert_eq!(ceilings.admit(&session("s"), now), Ok(()));
        assert_eq!(ceilings.admit(&busy, now + PROCESS_WINDOW), Ok(()));
        // The application's own calls have the whole process ceiling.
        let own = Ceilings::new(20, 8);
        let admitted = (0..10)
            .filter(|_| own.admit(&Caller::Application, now).is_ok())
            .count();
        assert_eq!(admitted, 8);
    }

    #[test]
    fn each_ceiling_is_first_hit_once() {
        let ceilings = Ceilings::new(1, 1);
        assert!(ceilings.first(Hit::Session));
        assert!(!ceilings.first(Hit::Session));
        assert!(ceilings.first(Hit::Process));
        assert!(ceilings.first(Hit::Share));
        assert!(!ceilings.first(Hit::Share));
    }

    #[test]
    fn memory_is_bounded_by_the_number_of_sessions_tracked() {
        let ceilings = Ceilings::new(20, u32::MAX);
        let now = Instant::now();
        for n in 0..(MAX_SESSIONS + 500) {
            assert_eq!(
                ceilings.admit(&session(&format!("session-{n}")), now),
                Ok(())
            );
        }
        let (sessions, shares) = ceilings.tracked();
        assert!(sessions <= MAX_SESSIONS && shares <= MAX_SESSIONS);
    }
}

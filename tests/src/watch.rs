//! Watching a child server's stderr: every line is kept, and a test can wait (bounded, without polling) for the
//! line that says the server reached a state, such as `listening on …` or a diagnostic.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The lines a child wrote to stderr, read on a thread of their own until the pipe closes.
pub struct StderrWatch {
    lines: Arc<Mutex<Vec<String>>>,
    arrivals: mpsc::Receiver<String>,
}

impl StderrWatch {
    /// Starts reading `stderr` (a std `ChildStderr`, or a tokio one turned into a `File`).
    pub fn new(stderr: impl Read + Send + 'static) -> Self {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (arrive, arrivals) = mpsc::channel();
        let kept = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(line.clone());
                let _ = arrive.send(line);
            }
        });
        Self { lines, arrivals }
    }

    /// [`new`](Self::new) for a tokio child's stderr.
    #[cfg(unix)]
    pub fn of_tokio(stderr: tokio::process::ChildStderr) -> Self {
        let fd = stderr
            .into_owned_fd()
            .expect("a tokio stderr pipe turns into a file");
        Self::new(std::fs::File::from(fd))
    }

    /// Waits until a line containing `needle` arrives (lines an earlier wait went past do not count; lines that
    /// arrived since do) and returns it;
    /// panics with everything the child wrote when `limit` passes or the child closes stderr first.
    pub fn wait_for(&self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let left = limit.saturating_sub(start.elapsed());
            match self.arrivals.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no stderr line with {needle:?} within {limit:?}; the child wrote:\n{}",
                    self.text()
                ),
            }
        }
    }

    /// Everything read so far, one line each.
    pub fn text(&self) -> String {
        self.lines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n")
    }
}

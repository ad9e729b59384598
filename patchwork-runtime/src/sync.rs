//! The one way patchwork takes a lock: a panic on another thread while it held the lock does not make every later
//! call panic too (the data behind patchwork's locks stays valid whatever a holder did).

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking the data of a poisoned one as it is.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

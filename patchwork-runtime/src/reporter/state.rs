//! The state the reporter's submitters, worker and delivery tasks share, one field per concern: what it runs
//! with (settings, outbox, HTTP client, runtime), where items go (`routes.rs`), what is in the worker's hands
//! (`hands.rs`), repeats (`flood.rs`), how fast it sends (`pacing.rs`), and what it tells the operator
//! (`health.rs`).

use std::sync::{Arc, Mutex};

use super::ReporterConfig;
use super::flood::FloodGuard;
use super::hands::Hands;
use super::health::Health;
use super::pacing::Pacing;
use super::routes::Routes;
use crate::delivery::Client;
use crate::outbox::Outbox;

/// Where recorded items are kept.
#[derive(Debug)]
pub(super) enum Storage {
    /// The durable outbox.
    Outbox(Arc<Outbox>),
    /// None: turned off (`PATCHWORKMCP_OUTBOX=off`, `Builder::no_outbox`), or no default directory (no home
    /// directory): items are held in memory while the process runs.
    Memory,
    /// One was configured but refused or could not be opened: feedback is logged as it arrives.
    Refused,
}

/// State shared by submitters, the worker and its tasks.
pub(super) struct Shared {
    pub(super) config: ReporterConfig,
    pub(super) storage: Storage,
    pub(super) client: Option<Client>,
    pub(super) runtime: Option<tokio::runtime::Handle>,
    pub(super) routes: Routes,
    pub(super) hands: Hands,
    pub(super) flood: Mutex<FloodGuard>,
    pub(super) pacing: Pacing,
    pub(super) health: Health,
}

impl Shared {
    pub(super) fn new(
        config: ReporterConfig,
        storage: Storage,
        client: Option<Client>,
        runtime: Option<tokio::runtime::Handle>,
    ) -> Self {
        Self {
            flood: Mutex::new(FloodGuard::new(config.flood_window, config.flood_capacity)),
            hands: Hands::new(config.queue_capacity),
            pacing: Pacing::new(config.max_concurrent),
            config,
            storage,
            client,
            runtime,
            routes: Routes::default(),
            health: Health::default(),
        }
    }

    /// The outbox, when items are kept in one.
    pub(super) fn outbox(&self) -> Option<&Arc<Outbox>> {
        match &self.storage {
            Storage::Outbox(outbox) => Some(outbox),
            Storage::Memory | Storage::Refused => None,
        }
    }

    /// Whether the worker runs (its thread and HTTP client started): else nothing is taken into its hands.
    pub(super) fn runs(&self) -> bool {
        self.runtime.is_some() && self.client.is_some()
    }
}

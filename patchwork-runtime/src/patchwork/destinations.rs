//! A client's resolved destinations: the settings for each attribute layer it was asked for (its own layer, then
//! the attribute's, then the builder's attribute, then the environment), resolved once per client and layer, with
//! the feedback target and its key fingerprint. A call of a generated tool looks its destination up; it neither
//! reads the environment nor fingerprints the key again.

use std::sync::{Arc, Mutex};

use crate::config::Layer;
use crate::delivery::Destination;
use crate::sync::lock;

/// How many layers a client remembers: one per `#[patchwork_feedback]` block that calls through it, and the
/// client's own. Past it (a program with more blocks than that), a layer is resolved on each call.
const MOST_LAYERS: usize = 64;

#[derive(Default)]
pub(super) struct Destinations {
    resolved: Mutex<Vec<(Layer, Arc<Destination>)>>,
}

impl Destinations {
    /// The destination for `attribute`: the one resolved before, else `resolve`'s (remembered; `fresh` is
    /// called with it once, when it is new).
    pub(super) fn get(
        &self,
        attribute: &Layer,
        resolve: impl FnOnce() -> Destination,
        fresh: impl FnOnce(&Destination),
    ) -> Arc<Destination> {
        let held = || lock(&self.resolved);
        if let Some((_, known)) = held().iter().find(|(layer, _)| layer == attribute) {
            return Arc::clone(known);
        }
        let destination = Arc::new(resolve());
        let mut resolved = held();
        // Another call may have resolved it meanwhile: keep the first, so every call agrees.
        if let Some((_, known)) = resolved.iter().find(|(layer, _)| layer == attribute) {
            return Arc::clone(known);
        }
        if resolved.len() < MOST_LAYERS {
            resolved.push((attribute.clone(), Arc::clone(&destination)));
        }
        drop(resolved);
        fresh(&destination);
        destination
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Options, resolve};
    use std::cell::Cell;

    fn layer(slug: &str) -> Layer {
        Layer::from(&Options {
            server_slug: Some(slug.to_string()),
            ..Options::default()
        })
    }

    #[test]
    fn each_layer_is_resolved_once_and_new_ones_are_announced_once() {
        let destinations = Destinations::default();
        let (resolutions, announced) = (Cell::new(0), Cell::new(0));
        let get = |slug: &str| {
            destinations.get(
                &layer(slug),
                || {
                    resolutions.set(resolutions.get() + 1);
                    Destination::new(resolve(&[&layer(slug)], &|_| None))
                },
                |_| announced.set(announced.get() + 1),
            )
        };
        let first = get("a");
        let again = get("a");
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.settings.slug.as_deref(), Some("a"));
        let other = get("b");
        assert_eq!(other.settings.slug.as_deref(), Some("b"));
        assert_eq!((resolutions.get(), announced.get()), (2, 2));
    }

    #[test]
    fn past_the_cap_layers_are_resolved_per_call_and_still_right() {
        let destinations = Destinations::default();
        for n in 0..MOST_LAYERS {
            destinations.get(
                &layer(&n.to_string()),
                || Destination::new(resolve(&[&layer(&n.to_string())], &|_| None)),
                |_| {},
            );
        }
        let resolutions = Cell::new(0);
        for _ in 0..2 {
            let extra = destinations.get(
                &layer("extra"),
                || {
                    resolutions.set(resolutions.get() + 1);
                    Destination::new(resolve(&[&layer("extra")], &|_| None))
                },
                |_| {},
            );
            assert_eq!(extra.settings.slug.as_deref(), Some("extra"));
        }
        assert_eq!(resolutions.get(), 2);
    }
}

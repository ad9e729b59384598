//! Shared helpers for patchwork's cross-crate tests.

// @generated from patchwork-runtime/src/contract/mod.rs by tests/tests/sourcegen.rs: edit the original, then run UPDATE_SOURCEGEN=1 cargo test -p patchwork-tests --test sourcegen
//! The PatchworkMCP contract: the one definition of everything the macro and the runtime must agree on.
//!
//! The tool's fields (name, kind, required, description), the size caps, the tool's name, title,
//! description, directive and annotations, the environment variables, the endpoint paths, the rules for
//! names and slugs, and the service-URL policy.
//!
//! This folder is plain `std` Rust with no imports outside itself, because it is compiled twice: here, and
//! as a byte-for-byte copy in `patchwork-macros/src/contract/` (the macro cannot depend on the runtime,
//! which depends on it). `tests/tests/sourcegen.rs` fails when the copy differs and rewrites it with
//! `UPDATE_SOURCEGEN=1`: edit the files here, never the copy.

pub(crate) mod fields;
pub(crate) mod names;
pub(crate) mod texts;
pub(crate) mod url;
#[cfg(test)]
pub(crate) mod url_table;

//! A local PatchworkMCP collector for tests (feature `test-util`). Work in progress.

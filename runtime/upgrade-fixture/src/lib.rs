//! # Runtime upgrade fixture
//!
//! The Infera runtime built with its `upgrade-fixture` feature: identical code, with
//! `spec_version` one higher than the runtime the node embeds. It stands in for "the next
//! release" in the end-to-end test of a runtime upgrade by referendum
//! (`tests/e2e/governance.test.mjs`), which reads the blob from [`WASM_BINARY_PATH`]'s file.
//!
//! Never use it on a real network: a real upgrade is built from the next release's sources.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(not(feature = "std"))]
pub use infera_runtime::*;

//! Unit tests, one file per concern. Every test ends with the registry's `try_state`.

mod curation;
mod invariants;
mod json;
mod lineage;
mod migrations;
mod owners;
mod registration;
mod routing;
mod usage;
mod versions;

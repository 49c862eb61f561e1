//! Weights of the polkadot-sdk pallets, measured on this runtime by
//! `scripts/benchmark-weights` (each file's header has the command). Infera's own pallets
//! keep theirs in `pallets/<name>/src/weights.rs`.

pub mod pallet_conviction_voting;
pub mod pallet_multisig;
pub mod pallet_parameters;
pub mod pallet_preimage;
pub mod pallet_proxy;
pub mod pallet_referenda;
pub mod pallet_scheduler;
pub mod pallet_treasury;
pub mod pallet_utility;

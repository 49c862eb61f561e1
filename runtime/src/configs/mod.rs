//! Pallet configuration, one file per concern.

mod accounts;
mod admin;
mod consensus;
mod data;
mod governance;
mod jobs;
mod models;
mod monetary;
mod offchain;
mod parameters;
pub mod tracks;
mod treasury;
pub(crate) mod system;

pub use accounts::ProxyType;
pub use parameters::{dynamic_params, RuntimeParameters, RuntimeParametersKey};
pub use treasury::{TreasuryAccount, TreasurySpendOrigin};
#[cfg(feature = "runtime-benchmarks")]
pub use treasury::TreasuryBenchmarkHelper;
pub use monetary::{LengthFeePerByte, WeightFeePerRefTimeUnit};
pub use consensus::{BABE_GENESIS_EPOCH_CONFIG, EPOCH_DURATION_IN_SLOTS};
pub use system::RuntimeBlockWeights;

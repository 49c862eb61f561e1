//! Pallet configuration, one file per concern.

mod admin;
mod consensus;
mod jobs;
mod models;
mod monetary;
mod offchain;
pub(crate) mod system;

pub use jobs::TreasuryAccount;
pub use monetary::{LengthFeePerByte, WeightFeePerRefTimeUnit};
pub use system::RuntimeBlockWeights;

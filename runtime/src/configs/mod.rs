//! Pallet configuration, one file per concern.

mod admin;
mod consensus;
mod data;
mod jobs;
mod models;
mod monetary;
mod offchain;
pub(crate) mod system;

pub use data::{DataEraLength, DataReviewWindow};
pub use jobs::TreasuryAccount;
pub use monetary::{LengthFeePerByte, WeightFeePerRefTimeUnit};
pub use system::RuntimeBlockWeights;

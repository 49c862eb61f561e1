//! Pallet configuration, one file per concern.

mod admin;
mod consensus;
mod models;
mod monetary;
mod system;

pub use monetary::{LengthFeePerByte, WeightFeePerRefTimeUnit};
pub use system::RuntimeBlockWeights;

//! # Infera test support
//!
//! What the pallets' unit tests and the runtime's integration tests would otherwise copy
//! from one another. A dev-dependency only.
//!
//! - [`mock_runtime!`]: a pallet's mock runtime — `System` and `Balances` at their
//!   `TestDefaultConfig` (through `#[derive_impl]`), plus the pallets under test.
//! - [`impl_model_registry_config!`]: the model registry's configuration at the small
//!   bounds every mock uses, for the mocks that hold a real registry.
//! - [`ext`]: genesis with funded accounts at block 1, the `try_state` check that ends
//!   every test, and the one way tests step blocks ([`run_to_block`], over
//!   `frame_system`'s `run_to_block`).
//! - [`minilm`]: the all-MiniLM-L6-v2 artifacts (digests, size, where they live) every
//!   registration in the tests names, and [`minilm_artifacts!`] to build them.
//! - [`rng`]: the small seedable generator of the random-sequence tests.
//!
//! The crate depends on none of the project's pallets: a pallet's unit tests compile the
//! pallet a second time (with `cfg(test)`), and a pallet type reached through this crate
//! would be the other compilation's. What needs a pallet's types is therefore a macro,
//! expanded in the crate that tests the pallet.

pub mod ext;
pub mod minilm;
mod registry;
pub mod rng;
mod runtime;

pub use ext::{run_to_block, run_to_block_with};
pub use rng::Rng;

/// What the macros name through `$crate`, so callers need no extra dependency for it.
#[doc(hidden)]
pub mod __private {
	pub use frame_support::{traits::ConstU32, BoundedVec};
	pub use frame_system::EnsureRoot;
	pub use sp_runtime::traits::IdentityLookup;

	pub use crate::registry::{AgreementWeight, LatencyWeight, PriceWeight};
}

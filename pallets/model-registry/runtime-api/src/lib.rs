//! Runtime API of the model registry. The node's `infera_*` JSON-RPC methods call it; any
//! client can call it directly through `state_call`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_model_registry::{
	routing::RankedModel,
	views::{DigestLocation, ModelDetails, VersionDetails, VersionStatus},
	ModelId, TaskKind, UsageStats, VersionId,
};
use sp_core::H256;

sp_api::decl_runtime_apis! {
	/// Reads the model registry.
	pub trait ModelRegistryApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A model with its versions and usage statistics, if registered.
		fn model(model_id: ModelId) -> Option<ModelDetails<AccountId, Balance, BlockNumber>>;

		/// Up to `limit` models with id ≥ `start` (optionally of one task), in id order.
		fn models(
			start: ModelId,
			limit: u32,
			task: Option<TaskKind>,
		) -> Vec<ModelDetails<AccountId, Balance, BlockNumber>>;

		/// The model an unpinned job for `task` at `max_price` would run (the best-scoring
		/// candidate), with its score; `None` if no approved model qualifies.
		fn best_model(task: TaskKind, max_price: Balance) -> Option<RankedModel<Balance>>;

		/// The models an unpinned job for `task` at `max_price` could run, best first, with
		/// their routing scores. The first is what `best_model` picks.
		fn rank_models(task: TaskKind, max_price: Balance) -> Vec<RankedModel<Balance>>;

		/// The model version registered with this weights digest, if any.
		fn model_by_digest(weights: H256) -> Option<DigestLocation<BlockNumber>>;
	}
}

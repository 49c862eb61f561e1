//! Runtime API of the data-rewards pallet. The node's `infera_dataset`,
//! `infera_contributions` and `infera_pendingRewards` JSON-RPC methods call it; any client
//! can call it directly through `state_call`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_data_rewards::{
	views::{
		ContributionDetails, ContributionState, ContributionsOf, DatasetDetails, PendingReward,
		PendingRewards,
	},
	ContributionId, CuratorStanding, DatasetId, EraIndex, RejectReason, Vote,
};

sp_api::decl_runtime_apis! {
	/// Reads datasets, contributions and rewards.
	pub trait DataRewardsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A dataset, unless unknown.
		fn dataset(dataset: DatasetId) -> Option<DatasetDetails<AccountId, Balance, BlockNumber>>;

		/// Up to `limit` contributions with id ≥ `start` of a dataset or of an account, in id
		/// order.
		fn contributions(
			of: ContributionsOf<AccountId>,
			start: ContributionId,
			limit: u32,
		) -> Vec<ContributionDetails<AccountId, Balance, BlockNumber>>;

		/// The rewards `account`'s accepted contributions have not been paid yet.
		fn pending_rewards(account: AccountId) -> PendingRewards<Balance>;
	}
}

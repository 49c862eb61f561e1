//! Data rewards: deposits and curator limits (era length, review window and rejection
//! penalty are protocol parameters, see `parameters.rs`).

use crate::{deposit, Balance, Balances, Runtime, RuntimeHoldReason};
use frame_support::{parameter_types, traits::ConstU32, PalletId};

parameter_types! {
	/// Dataset accounts are sub-accounts of `py/datar`.
	pub const DataRewardsPalletId: PalletId = PalletId(*b"py/datar");
	/// Paid into a new dataset's account and kept there: one item, 0.1 INFR.
	pub const DatasetDeposit: Balance = deposit(1, 0);
	/// Held per contribution until decided: one item, 0.1 INFR.
	pub const ContributionDeposit: Balance = deposit(1, 0);
}

impl pallet_data_rewards::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	/// The `treasurer` track (up to 100,000 INFR per public dataset, as its treasury spends)
	/// or root: treasury money leaves only under the treasurer's rules. Not the `curator`
	/// track, whose lower bar could otherwise empty the treasury into curators it names.
	type TreasuryOrigin = super::TreasurySpendOrigin;
	type PalletId = DataRewardsPalletId;
	type TreasuryAccount = super::TreasuryAccount;
	type DatasetDeposit = DatasetDeposit;
	type ContributionDeposit = ContributionDeposit;
	type RejectionPenalty = super::dynamic_params::data::RejectionPenalty;
	type ReviewWindow = super::dynamic_params::data::ReviewWindow;
	type EraLength = super::dynamic_params::data::EraLength;
	type MaxCurators = ConstU32<16>;
	type CuratorStrikeLimit = ConstU32<5>;
	type MaxContributionsPerEra = ConstU32<50>;
	type MaxReviewsPerBlock = ConstU32<64>;
	/// Rejected and expired contributions stay readable for a week after their review.
	type ContributionRetention = ConstU32<{ 7 * crate::DAYS }>;
	type MaxNameLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<1024>;
	type MaxUrlLen = ConstU32<256>;
	type MaxLabelLen = ConstU32<128>;
	type WeightInfo = pallet_data_rewards::weights::SubstrateWeight<Runtime>;
}

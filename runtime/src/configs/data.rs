//! Data rewards: deposits, review and era lengths, curator limits.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeHoldReason, DAYS, MILLI_UNIT,
};
use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;
use sp_runtime::Permill;

parameter_types! {
	/// Dataset accounts are sub-accounts of `py/datar`.
	pub const DataRewardsPalletId: PalletId = PalletId(*b"py/datar");
	/// Paid into a new dataset's account and kept there: 0.1 INFR.
	pub const DatasetDeposit: Balance = 100 * MILLI_UNIT;
	/// Held per contribution until decided: 0.1 INFR.
	pub const ContributionDeposit: Balance = 100 * MILLI_UNIT;
	/// A rejected contribution loses half its deposit to the dataset's pot.
	pub const RejectionPenalty: Permill = Permill::from_percent(50);
	/// Blocks per reward era: one day at network block time. Root can change it with
	/// `system.setStorage` at the key `twox128(":DataEraLength:")` (the dev chain's tests
	/// shorten it); governance-set parameters replace this with OpenGov.
	pub storage DataEraLength: BlockNumber = DAYS;
	/// Blocks curators have to decide a contribution: three days at network block time.
	/// Settable like [`DataEraLength`] at `twox128(":DataReviewWindow:")`.
	pub storage DataReviewWindow: BlockNumber = 3 * DAYS;
}

impl pallet_data_rewards::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	/// Root until the governance tracks land: sudo on dev and local chains.
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = DataRewardsPalletId;
	type TreasuryAccount = super::TreasuryAccount;
	type DatasetDeposit = DatasetDeposit;
	type ContributionDeposit = ContributionDeposit;
	type RejectionPenalty = RejectionPenalty;
	type ReviewWindow = DataReviewWindow;
	type EraLength = DataEraLength;
	type MaxCurators = ConstU32<16>;
	type CuratorStrikeLimit = ConstU32<5>;
	type MaxContributionsPerEra = ConstU32<50>;
	type MaxReviewsPerBlock = ConstU32<64>;
	type MaxNameLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<1024>;
	type MaxUrlLen = ConstU32<256>;
	type MaxLabelLen = ConstU32<128>;
	type WeightInfo = pallet_data_rewards::weights::SubstrateWeight<Runtime>;
}

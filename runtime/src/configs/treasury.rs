//! The treasury: receives the protocol's fee share and slashes, and pays spends approved by
//! the `treasurer` referendum track (up to 100,000 INFR each) or by root, e.g. into a
//! dataset's pot.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, System, Treasury, DAYS, UNIT,
};
use frame_support::{
	parameter_types,
	traits::tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
	PalletId,
};
use frame_support::traits::EitherOf;
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureWithSuccess};
use pallet_governance::EnsureTreasurer;
use sp_runtime::{traits::IdentityLookup, Permill};

parameter_types! {
	/// The conventional treasury id: its account is `py/trsry`'s.
	pub const TreasuryPalletId: PalletId = PalletId(*b"py/trsry");
	/// The treasury's account.
	pub TreasuryAccount: AccountId = Treasury::account_id();
	/// Approved `spendLocal` proposals are paid once a day (network blocks).
	pub const SpendPeriod: BlockNumber = DAYS;
	/// Nothing is burned between spend periods.
	pub const Burn: Permill = Permill::zero();
	/// A `spend` must be paid out within 30 days of becoming valid.
	pub const PayoutPeriod: BlockNumber = 30 * DAYS;
	/// Root (the `root` track) may spend any amount.
	pub const MaxSpend: Balance = Balance::MAX;
	/// The `treasurer` track may spend up to 100,000 INFR per spend.
	pub const TreasurerMaxSpend: Balance = 100_000 * UNIT;
}

/// Who may spend treasury money, and how much at once: root any amount, the `treasurer`
/// track up to [`TreasurerMaxSpend`]. The treasury's spends and public datasets' budgets
/// both answer to it.
pub type TreasurySpendOrigin = EitherOf<
	EnsureRootWithSuccess<AccountId, MaxSpend>,
	EnsureWithSuccess<EnsureTreasurer, AccountId, TreasurerMaxSpend>,
>;

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EitherOf<EnsureRoot<AccountId>, EnsureTreasurer>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = Burn;
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	/// The SDK's reference weights: the pallet's `payout` benchmark pays 100 planck to a new
	/// account, below INFR's existential deposit, so it cannot run on this runtime.
	/// Measured on this runtime (`scripts/benchmark-weights pallet_treasury`).
	type WeightInfo = crate::weights::pallet_treasury::WeightInfo<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = frame_support::traits::ConstU32<100>;
	type SpendOrigin = TreasurySpendOrigin;
	/// Only the native token.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	type BlockNumberProvider = System;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TreasuryBenchmarkHelper;
}

/// Arguments for the treasury's benchmarks at INFR's existential deposit: the SDK's
/// benchmarks spend 100 planck, below it, so the beneficiary is funded with the
/// existential deposit first and the payout lands as it would for a real beneficiary.
#[cfg(feature = "runtime-benchmarks")]
pub struct TreasuryBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_treasury::ArgumentsFactory<(), AccountId> for TreasuryBenchmarkHelper {
	fn create_asset_kind(_seed: u32) {}

	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		use frame_support::traits::fungible::{Inspect, Mutate};
		let beneficiary = AccountId::from(seed);
		if Balances::balance(&beneficiary) < Balances::minimum_balance() {
			let _ = Balances::mint_into(&beneficiary, Balances::minimum_balance());
		}
		beneficiary
	}
}

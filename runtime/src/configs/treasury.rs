//! The treasury: receives the protocol's fee share and slashes, and pays spends approved by
//! root (sudo on dev and local chains; an OpenGov track later), e.g. into a dataset's pot.

use crate::{AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, System, Treasury, DAYS};
use frame_support::{
	parameter_types,
	traits::tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess};
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
	/// Root may spend any amount.
	pub const MaxSpend: Balance = Balance::MAX;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EnsureRoot<AccountId>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = Burn;
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = frame_support::traits::ConstU32<100>;
	type SpendOrigin = EnsureRootWithSuccess<AccountId, MaxSpend>;
	/// Only the native token.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	type BlockNumberProvider = System;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

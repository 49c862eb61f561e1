//! The INFR token and transaction fees.

use crate::{
	Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	EXISTENTIAL_DEPOSIT,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU8, VariantCountOf},
	weights::ConstantMultiplier,
};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{traits::Bounded, FixedPointNumber, Perquintill};

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = crate::System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Planck charged per unit of ref-time weight (1 unit = 1 ps of reference hardware):
	/// a balance transfer (~5.2·10^8 units plus the ~1.1·10^8 base extrinsic weight)
	/// costs about 0.0064 INFR in all.
	pub const WeightFeePerRefTimeUnit: Balance = 10;
	/// Planck charged per byte of encoded extrinsic (1 µINFR).
	pub const LengthFeePerByte: Balance = 1_000_000;
	/// Congestion pricing (polkadot-sdk's `TargetedFeeAdjustment`, Polkadot's shape): the
	/// fee multiplier moves each block towards keeping normal-class blocks 25 % full.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast it moves: Polkadot's 0.000075. Each completely full block raises fees by
	/// about 0.0056 % (×1.1 after an hour of full 2 s blocks, ×2 after ~12,300 full
	/// blocks); each empty block lowers them by about 0.0019 %, down to the floor.
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// Fees never fall below the base schedule (multiplier 1, the genesis value): unlike
	/// Polkadot's 0.1 floor, a quiet chain keeps the documented prices, and only congestion
	/// moves them.
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_integer(1);
	/// No ceiling: a spammer filling blocks pays ever more.
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

/// The fee multiplier update: `TargetedFeeAdjustment` with the parameters above.
pub type FeeMultiplierUpdate = TargetedFeeAdjustment<
	Runtime,
	TargetBlockFullness,
	AdjustmentVariable,
	MinimumMultiplier,
	MaximumMultiplier,
>;

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees and tips are burned: they are a cost of block space, not income. The treasury
	/// is funded by its share of every job (`TreasuryShare`), worker slashes and the
	/// deposits of killed referenda; validators are not paid per block yet (no authorship
	/// or staking pallet), so there is no author to pay a tip to. A tip still raises a
	/// transaction's priority in the pool.
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = ConstantMultiplier<Balance, WeightFeePerRefTimeUnit>;
	type LengthToFee = ConstantMultiplier<Balance, LengthFeePerByte>;
	type FeeMultiplierUpdate = FeeMultiplierUpdate;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

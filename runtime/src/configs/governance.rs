//! OpenGov: preimages, the scheduler, referenda with conviction voting, and the track
//! origins of `pallet-governance`. The tracks themselves are in `tracks.rs`.
//!
//! Every period is in blocks and comes in two timings (see `pallet_governance::Timing`):
//! production periods for networks and fast ones for development and local chains, chosen
//! by the genesis preset.

use crate::{
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler,
	System, Treasury, DAYS, UNIT,
};
use core::marker::PhantomData;
use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::currency::ActiveIssuanceOf, AsEnsureOriginWithArg,
		ConstU32, EqualPrivilegeOnly, Get, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::{EnsureRoot, EnsureSigned};
use pallet_governance::Timing;
use super::RuntimeBlockWeights;
use sp_runtime::Perbill;

/// `P` on chains with production timing, `F` on chains with fast timing.
pub struct ByTiming<P, F>(PhantomData<(P, F)>);

impl<P: Get<BlockNumber>, F: Get<BlockNumber>> Get<BlockNumber> for ByTiming<P, F> {
	fn get() -> BlockNumber {
		match pallet_governance::Pallet::<Runtime>::timing() {
			Timing::Production => P::get(),
			Timing::Fast => F::get(),
		}
	}
}

impl pallet_governance::Config for Runtime {}

parameter_types! {
	/// Held for every noted preimage: 1 INFR …
	pub const PreimageBaseDeposit: Balance = UNIT;
	/// … plus 10 µINFR per byte (a 600 KB runtime holds about 7 INFR).
	pub const PreimageByteDeposit: Balance = 10 * crate::MICRO_UNIT;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_preimage::WeightInfo<Runtime>;
	type Currency = Balances;
	/// Root may request (and so pin) preimages without a deposit.
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Scheduled calls (enacted referenda) may use 80 % of a block.
	pub MaximumSchedulerWeight: Weight = Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only referenda (through root) schedule calls.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = ConstU32<50>;
	type WeightInfo = crate::weights::pallet_scheduler::WeightInfo<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// Production: a vote with conviction 1× stays locked 7 days after the referendum ends.
	pub const ProductionVoteLockingPeriod: BlockNumber = 7 * DAYS;
	/// Fast: 10 blocks.
	pub const FastVoteLockingPeriod: BlockNumber = 10;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_conviction_voting::WeightInfo<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	/// Support is measured against the active issuance.
	type MaxTurnout = ActiveIssuanceOf<Balances, AccountId>;
	/// Referenda one account may vote on at once per track.
	type MaxVotes = ConstU32<512>;
	type VoteLockingPeriod = ByTiming<ProductionVoteLockingPeriod, FastVoteLockingPeriod>;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

parameter_types! {
	/// Held from the proposer until the referendum ends: 10 INFR.
	pub const SubmissionDeposit: Balance = 10 * UNIT;
	/// Production: a referendum whose decision deposit is not placed within 14 days times out.
	pub const ProductionUndecidingTimeout: BlockNumber = 14 * DAYS;
	/// Fast: within 50 blocks.
	pub const FastUndecidingTimeout: BlockNumber = 50;
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_referenda::WeightInfo<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	/// Any account may propose, on any track.
	type SubmitOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type CancelOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	/// Deposits of killed referenda go to the treasury.
	type Slash = Treasury;
	type Votes = pallet_conviction_voting::VotesOf<Runtime>;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = ByTiming<ProductionUndecidingTimeout, FastUndecidingTimeout>;
	/// Alarms are checked every block.
	type AlarmInterval = ConstU32<1>;
	type Tracks = super::tracks::TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

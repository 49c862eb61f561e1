//! Block production (Aura), finality (GRANDPA) and time.

use crate::{Runtime, RuntimeEvent, MILLI_SECS_PER_BLOCK};
use frame_support::traits::{ConstBool, ConstU32, ConstU64};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

/// Upper bound on the validator set size.
pub type MaxAuthorities = ConstU32<32>;

impl pallet_block_time::Config for Runtime {
	type DefaultSlotDuration = ConstU64<MILLI_SECS_PER_BLOCK>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = crate::Aura;
	/// Half the slot duration, read from genesis state by `pallet-block-time`.
	type MinimumPeriod = pallet_block_time::MinimumPeriod<Runtime>;
	type WeightInfo = ();
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = MaxAuthorities;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No session/staking pallet yet, hence no key-ownership proofs or offence reports.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

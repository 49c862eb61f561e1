//! Block production (BABE), finality (GRANDPA) and time.
//!
//! BABE assigns slots by VRF; every block carries its author's VRF output, which
//! `pallet-compute-jobs` folds into its draw beacon (`pallet_babe::ParentBlockRandomness`),
//! so workers are drawn from randomness nobody knew when a job was submitted.

use crate::{Runtime, RuntimeEvent, HOURS, MILLI_SECS_PER_BLOCK};
use frame_support::traits::{ConstU32, ConstU64, Get};
use sp_consensus_babe::{AllowedSlots, BabeEpochConfiguration};

/// Upper bound on the validator set size.
pub type MaxAuthorities = ConstU32<32>;

impl pallet_block_time::Config for Runtime {
	type DefaultSlotDuration = ConstU64<MILLI_SECS_PER_BLOCK>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = crate::Babe;
	/// Half the slot duration, read from genesis state by `pallet-block-time`.
	type MinimumPeriod = pallet_block_time::MinimumPeriod<Runtime>;
	type WeightInfo = ();
}

/// Slots per BABE epoch: one hour at the production block time (20 minutes with the
/// development preset's 2 s slots). Fixed for the life of a chain.
pub const EPOCH_DURATION_IN_SLOTS: u64 = HOURS as u64;

/// The genesis epoch configuration: a slot has a primary author with probability 1/4
/// per validator's share, and every other slot a secondary author chosen round-robin who
/// also proves a VRF output, so every block carries fresh randomness.
pub const BABE_GENESIS_EPOCH_CONFIG: BabeEpochConfiguration = BabeEpochConfiguration {
	c: (1, 4),
	allowed_slots: AllowedSlots::PrimaryAndSecondaryVRFSlots,
};

/// The expected block time: the slot duration, which is genesis state (`pallet-block-time`).
pub struct ExpectedBlockTime;
impl Get<u64> for ExpectedBlockTime {
	fn get() -> u64 {
		crate::Babe::slot_duration()
	}
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = ConstU64<EPOCH_DURATION_IN_SLOTS>;
	type ExpectedBlockTime = ExpectedBlockTime;
	// No session or staking pallet yet: the genesis authorities stay for every epoch.
	type EpochChangeTrigger = pallet_babe::SameAuthoritiesForever;
	type DisabledValidators = ();
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	// Without a session pallet equivocations cannot be proven to an owner yet.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
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

//! Test runtime: System and BlockTime.

use crate as pallet_block_time;
use frame_support::{derive_impl, traits::ConstU64};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type BlockTime = pallet_block_time;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The default slot duration of the test runtime.
pub const DEFAULT_SLOT: u64 = 6000;

impl pallet_block_time::Config for Test {
	type DefaultSlotDuration = ConstU64<DEFAULT_SLOT>;
}

/// Externalities built from a genesis that sets `slot_duration_millis`.
pub fn new_test_ext(slot_duration_millis: u64) -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		block_time: pallet_block_time::GenesisConfig { slot_duration_millis, ..Default::default() },
	}
	.build_storage()
	.expect("valid genesis");
	storage.into()
}

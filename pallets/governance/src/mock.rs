//! Test runtime: System and Governance.

use crate as pallet_governance;
use frame_support::derive_impl;
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
	pub type Governance = pallet_governance;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_governance::Config for Test {}

/// Externalities built from a genesis with the given track timing.
pub fn new_test_ext(timing: pallet_governance::Timing) -> sp_io::TestExternalities {
	RuntimeGenesisConfig {
		system: Default::default(),
		governance: pallet_governance::GenesisConfig { timing, ..Default::default() },
	}
	.build_storage()
	.expect("valid genesis")
	.into()
}

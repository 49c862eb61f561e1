//! Genesis, the end of a test and blocks: test externalities with funded accounts at block
//! 1, the invariants checked after a test, and the one way tests move the chain forward.

use frame_support::{
	traits::{OnFinalize, OnIdle, OnInitialize},
	weights::Weight,
};
use frame_system::{pallet_prelude::BlockNumberFor, RunToBlockHooks};
use sp_runtime::{BuildStorage, TryRuntimeError};

/// Test externalities whose genesis funds `balances` (and nothing else), at block 1 so that
/// events are recorded.
pub fn funded<T: pallet_balances::Config>(
	balances: Vec<(T::AccountId, T::Balance)>,
) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<T>::default().build_storage().expect("system genesis builds");
	pallet_balances::GenesisConfig::<T> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.expect("balances genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| frame_system::Pallet::<T>::set_block_number(1u32.into()));
	ext
}

/// Runs `test` in `ext`, then the pallet's `try_state` (its `do_try_state`): what each
/// pallet's `ExtBuilder::build_and_execute` does, so that every test ends by checking the
/// invariants.
pub fn execute_and_check(
	mut ext: sp_io::TestExternalities,
	test: impl FnOnce(),
	try_state: impl FnOnce() -> Result<(), TryRuntimeError>,
) {
	ext.execute_with(|| {
		test();
		try_state().expect("the pallet's invariants hold after the test");
	});
}

/// Runs the blocks up to `n` through the hooks of `AllPallets` (a runtime's
/// `AllPalletsWithSystem`, or the pallets a test steps), as blocks with no extrinsics
/// would: the current block ends with `on_idle` (all the block's weight left) and
/// `on_finalize`, then each next block starts with `on_initialize`. Like `frame_system`'s
/// `run_to_block`, which it wraps, it leaves block `n` initialized and open for the test's
/// calls.
pub fn run_to_block<T, AllPallets>(n: BlockNumberFor<T>)
where
	T: frame_system::Config,
	AllPallets: OnInitialize<BlockNumberFor<T>> + OnIdle<BlockNumberFor<T>> + OnFinalize<BlockNumberFor<T>>,
{
	run_to_block_with::<T, AllPallets>(n, |_| {});
}

/// [`run_to_block`], calling `before_initialize` with each new block's number before the
/// block's `on_initialize`: for what a real block's header would carry (a VRF output).
pub fn run_to_block_with<T, AllPallets>(n: BlockNumberFor<T>, before_initialize: impl FnMut(BlockNumberFor<T>))
where
	T: frame_system::Config,
	AllPallets: OnInitialize<BlockNumberFor<T>> + OnIdle<BlockNumberFor<T>> + OnFinalize<BlockNumberFor<T>>,
{
	frame_system::Pallet::<T>::run_to_block_with::<AllPallets>(
		n,
		RunToBlockHooks::default().before_initialize(before_initialize).before_finalize(|block| {
			AllPallets::on_idle(block, Weight::MAX);
		}),
	);
}

//! Congestion pricing at the real configuration (issue 14, finding 5): full blocks raise the
//! fee multiplier, quiet ones bring it back to the base schedule and never below it.

use frame_support::dispatch::DispatchClass;
use frame_system::RunToBlockHooks;
use infera_runtime::{configs::RuntimeBlockWeights, Runtime, System, TransactionPayment};
use pallet_transaction_payment::{Multiplier, NextFeeMultiplier};
use sp_runtime::{FixedPointNumber, FixedU128};

mod common;
use common::preset_ext;

/// Ends `count` blocks, from the current one on, whose normal class used `fullness` of its
/// limit.
fn blocks(count: u32, fullness: sp_runtime::Perbill) {
	let normal = RuntimeBlockWeights::get().get(DispatchClass::Normal).max_total.unwrap();
	System::run_to_block_with::<TransactionPayment>(
		System::block_number() + count,
		RunToBlockHooks::default().before_finalize(|_| {
			frame_system::BlockWeight::<Runtime>::kill();
			System::register_extra_weight_unchecked(normal * fullness, DispatchClass::Normal);
		}),
	);
}

#[test]
fn full_blocks_raise_fees_and_quiet_blocks_bring_them_back_to_the_base() {
	preset_ext("development").execute_with(|| {
		System::set_block_number(1);
		let one = Multiplier::saturating_from_integer(1);
		assert_eq!(NextFeeMultiplier::<Runtime>::get(), one);
		// A spammer fills 1,000 blocks: fees rise (v = 0.000075, 75 % over the target).
		blocks(1_000, sp_runtime::Perbill::one());
		let congested = NextFeeMultiplier::<Runtime>::get();
		assert!(congested > FixedU128::saturating_from_rational(105, 100), "{congested}");
		assert!(congested < FixedU128::saturating_from_rational(106, 100), "{congested}");
		// At the 25 % target nothing moves.
		blocks(100, sp_runtime::Perbill::from_percent(25));
		assert_eq!(NextFeeMultiplier::<Runtime>::get(), congested);
		// Quiet blocks bring it down, to the base schedule and never below.
		blocks(5_000, sp_runtime::Perbill::zero());
		assert_eq!(NextFeeMultiplier::<Runtime>::get(), one);
	});
}

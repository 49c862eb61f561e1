//! The treasury's benchmarks at the real configuration (issue 14, finding 7).
//!
//! polkadot-sdk's treasury benchmarks spend and pay out 100 planck. That is below INFR's
//! existential deposit, so with the SDK's default argument factory the `payout` benchmark
//! failed on this runtime and the treasury ran on the SDK's reference weights. The
//! runtime's `TreasuryBenchmarkHelper` funds each beneficiary first; this test plays the
//! benchmark's payout at the `development` genesis both ways. The weights themselves are
//! measured by `scripts/benchmark-weights pallet_treasury`
//! (`runtime/src/weights/pallet_treasury.rs`).
//!
//!     SKIP_WASM_BUILD=1 cargo test --release -p infera-runtime --features runtime-benchmarks \
//!         --test treasury_benchmarks
#![cfg(feature = "runtime-benchmarks")]

use frame_support::{assert_ok, traits::fungible::Inspect};
use infera_runtime::{
	configs::TreasuryBenchmarkHelper, AccountId, Balances, Runtime, RuntimeOrigin, Treasury,
};
use pallet_treasury::ArgumentsFactory;
use sp_keyring::Sr25519Keyring;

mod common;

/// The benchmark's spend: 100 planck to `beneficiary`, approved by root, then paid out.
fn spend_and_pay(beneficiary: &AccountId) -> sp_runtime::DispatchResult {
	let index = pallet_treasury::SpendCount::<Runtime>::get();
	assert_ok!(Treasury::spend(RuntimeOrigin::root(), Box::new(()), 100, Box::new(beneficiary.clone()), None));
	Treasury::payout(RuntimeOrigin::signed(Sr25519Keyring::Alice.to_account_id()), index)
}

#[test]
fn the_benchmarks_payout_lands_with_the_runtimes_helper_and_not_without() {
	common::preset_ext("development").execute_with(|| {
		let ed = Balances::minimum_balance();
		assert!(ed > 100, "the SDK's 100-planck payout is below the existential deposit");

		// The SDK's default factory: a fresh beneficiary, which 100 planck cannot create.
		let fresh = AccountId::from([7u8; 32]);
		assert_eq!(Balances::balance(&fresh), 0);
		assert_eq!(
			spend_and_pay(&fresh),
			Err(pallet_treasury::Error::<Runtime>::PayoutError.into()),
			"the benchmark's payout fails here with the SDK's factory"
		);
		assert_eq!(Balances::balance(&fresh), 0);

		// The runtime's factory funds the beneficiary with the existential deposit first.
		let funded = <TreasuryBenchmarkHelper as ArgumentsFactory<(), AccountId>>::create_beneficiary([9; 32]);
		assert_eq!(Balances::balance(&funded), ed);
		assert_ok!(spend_and_pay(&funded));
		assert_eq!(Balances::balance(&funded), ed + 100, "the payout landed");
	});
}

//! Compute jobs inside the real runtime: the treasury can receive from genesis, and the
//! worst-case per-block work of the pallet fits comfortably in a block.

use frame_support::traits::fungible::Inspect;
use infera_runtime::{
	configs::{RuntimeBlockWeights, TreasuryAccount},
	Balances, Runtime, UNIT,
};
use pallet_compute_jobs::WeightInfo;

mod common;
use common::preset_ext;

#[test]
fn the_treasury_account_exists_in_every_preset() {
	for preset in ["development", "local_testnet"] {
		preset_ext(preset).execute_with(|| {
			assert_eq!(Balances::balance(&TreasuryAccount::get()), UNIT, "{preset}");
		});
	}
}

#[test]
fn worst_case_deadline_processing_fits_in_a_block() {
	type Weights = pallet_compute_jobs::weights::SubstrateWeight<Runtime>;
	let max_jobs = <Runtime as pallet_compute_jobs::Config>::MaxJobsPerBlock::get();
	let max_queued = <Runtime as pallet_compute_jobs::Config>::MaxQueuedJobs::get();
	let worst = Weights::on_initialize(max_jobs, max_queued);
	let block = RuntimeBlockWeights::get().max_block;
	assert!(
		worst.ref_time() * 2 < block.ref_time(),
		"on_initialize({max_jobs}, {max_queued}) = {worst:?} must stay under half of {block:?}"
	);
	assert!(worst.proof_size() * 2 < block.proof_size());
	// Every call fits with room to spare.
	let reveal = Weights::reveal_result(5);
	assert!(reveal.ref_time() * 10 < block.ref_time(), "{reveal:?}");
}

use frame_support::traits::Get;

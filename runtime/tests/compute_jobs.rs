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
	for preset in ["development", "local_testnet", "testnet"] {
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
	type Config = <Runtime as frame_system::Config>::DbWeight;
	let replicas: u32 = <Runtime as pallet_compute_jobs::Config>::MaxReplicas::get();
	let replicas = u64::from(replicas);
	let per_model: u32 = <Runtime as pallet_compute_jobs::Config>::MaxWorkersPerModel::get();
	let per_model = u64::from(per_model);
	let concluded = u64::from(max_jobs) * replicas;
	// What on_initialize charges at most (see its doc): benchmarks plus uncached reads.
	let worst = Weights::close_expired(max_jobs)
		.saturating_add(Config::get().reads_writes(3 * concluded, 4 * concluded))
		.saturating_add(Weights::assign_queued(max_queued))
		.saturating_add(Config::get().reads(u64::from(max_queued) * per_model));
	let block = RuntimeBlockWeights::get().max_block;
	assert!(
		worst.ref_time() * 2 < block.ref_time(),
		"close_expired({max_jobs}) + assign_queued({max_queued}) = {worst:?} must stay under half of {block:?}"
	);
	// An idle block's hook costs under 1 % of the block.
	let idle = Weights::close_expired(0).saturating_add(Weights::assign_queued(0));
	assert!(idle.ref_time() * 100 < block.ref_time(), "{idle:?}");
	// Pruning one job is a small step of on_idle.
	assert!(Weights::prune_job().ref_time() * 10_000 < block.ref_time());
	assert!(worst.proof_size() * 2 < block.proof_size());
	// Every call fits with room to spare.
	let reveal = Weights::reveal_result(5);
	assert!(reveal.ref_time() * 10 < block.ref_time(), "{reveal:?}");
}

use frame_support::traits::Get;

//! The job market at the real configuration, as the tests set it up: MiniLM registered
//! through the registry's calls, datasets, bonded workers, and blocks that carry a BABE
//! VRF output.
#![allow(dead_code)]

use frame_support::{
	traits::{Get, OnFinalize, OnIdle, OnInitialize, UnfilteredDispatchable},
	BoundedVec,
};
use infera_runtime::{
	AccountId, Balance, BlockNumber, ComputeJobs, DataRewards, Runtime, RuntimeCall, RuntimeOrigin, UNIT,
};
use infera_test_support::minilm;
use pallet_data_rewards::{DatasetId, DatasetSpec, ReviewPolicy};
use pallet_model_registry::{Artifacts, TaskKind};
use sp_core::H256;

/// `bytes` as a bounded vector, cut at its bound.
pub fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(bytes.to_vec())
}

/// The MiniLM artifacts, with their real digests.
pub fn minilm() -> Artifacts<Runtime> {
	infera_test_support::minilm_artifacts!(pallet_model_registry)
}

/// The call registering MiniLM as a text-embedding model at `price`, its version 1 trained
/// on `datasets`.
pub fn register_minilm_call(price: Balance, datasets: Vec<DatasetId>) -> RuntimeCall {
	RuntimeCall::ModelRegistry(pallet_model_registry::Call::register_model {
		name: bounded(minilm::NAME),
		task: TaskKind::TextEmbedding,
		licence: bounded(minilm::LICENCE),
		price,
		parent: None,
		datasets: BoundedVec::truncate_from(datasets),
		artifacts: minilm(),
	})
}

/// `owner` registers MiniLM (see [`register_minilm_call`]).
pub fn register_minilm(owner: &AccountId, price: Balance, datasets: Vec<DatasetId>) -> sp_runtime::DispatchResult {
	register_minilm_call(price, datasets)
		.dispatch_bypass_filter(RuntimeOrigin::signed(owner.clone()))
		.map(|_| ())
		.map_err(|error| error.error)
}

/// `who` bonds the minimum and serves model 0, with room for four jobs, and its node holds
/// version 1 (it is marked ready, as its off-chain worker would once the files verify).
pub fn register_worker(who: &AccountId) {
	let bond: Balance = <Runtime as pallet_compute_jobs::Config>::MinWorkerBond::get();
	frame_support::assert_ok!(ComputeJobs::register_worker(
		RuntimeOrigin::signed(who.clone()),
		bond,
		BoundedVec::truncate_from(vec![0]),
		4
	));
	frame_support::assert_ok!(ComputeJobs::set_readiness(RuntimeOrigin::signed(who.clone()), 0, 1, true));
}

/// A dataset `name` sponsored by `sponsor` with 1 INFR in its pot, reviewed by `curator`
/// alone; returns its id.
pub fn create_dataset(sponsor: &AccountId, curator: &AccountId, name: &str) -> DatasetId {
	let id = pallet_data_rewards::NextDatasetId::<Runtime>::get();
	frame_support::assert_ok!(DataRewards::create_dataset(
		RuntimeOrigin::signed(sponsor.clone()),
		DatasetSpec {
			name: bounded(name.as_bytes()),
			description: bounded(b"training data"),
			licence: bounded(b"CC-BY-4.0"),
			format: bounded(b"jsonl"),
			rules: bounded(b"one record per line"),
			rules_digest: H256::repeat_byte(1),
		},
		ReviewPolicy { curators: BoundedVec::truncate_from(vec![curator.clone()]), quorum: 1, reward_per_era: None },
		UNIT,
	));
	id
}

/// Runs the blocks up to `n` through the hooks of `Pallets` (see
/// [`infera_test_support::run_to_block`]), each block carrying a BABE VRF output as a real
/// block's pre-digest would. `Pallets` are those a test steps (`ComputeJobs`, `Scheduler`,
/// ...): the runtime's `AllPalletsWithSystem` would also want each block's timestamp
/// inherent and BABE pre-digest, which only a block built by `Executive` has.
pub fn run_to_block<Pallets>(n: BlockNumber)
where
	Pallets: OnInitialize<BlockNumber> + OnIdle<BlockNumber> + OnFinalize<BlockNumber>,
{
	infera_test_support::run_to_block_with::<Runtime, Pallets>(n, |block| {
		pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some(sp_io::hashing::blake2_256(&block.to_le_bytes())));
	});
}

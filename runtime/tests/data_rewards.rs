//! Data rewards inside the real runtime: the model registry and the compute-jobs pallet are
//! connected to it, its era length is a root-settable parameter, and its per-block work
//! fits a block.

use frame_support::{assert_noop, assert_ok, traits::Get};
use pallet_data_rewards::LineageRewards;
use infera_runtime::{
	configs::RuntimeBlockWeights, DataRewards, Runtime, RuntimeOrigin, System, DAYS, MILLI_UNIT,
};
use pallet_data_rewards::WeightInfo;
use sp_keyring::Sr25519Keyring;

mod common;
use common::{
	market::{create_dataset, register_minilm, run_to_block},
	preset_ext,
};

#[test]
fn models_claim_existing_datasets_whose_pots_take_the_lineage_share() {
	preset_ext("development").execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_noop!(
			register_minilm(&alice, 2 * MILLI_UNIT, vec![0]),
			pallet_model_registry::Error::<Runtime>::UnknownDataset
		);
		create_dataset(&alice, &Sr25519Keyring::Bob.to_account_id(), "reviews-en");
		assert_ok!(register_minilm(&alice, 2 * MILLI_UNIT, vec![0]));
		type Lineage = <Runtime as pallet_compute_jobs::Config>::Lineage;
		assert_eq!(Lineage::lineage_account(0), Some(DataRewards::dataset_account(0)));
		assert_eq!(Lineage::lineage_account(1), None);
	});
}

#[test]
fn root_sets_the_era_length_as_a_protocol_parameter() {
	preset_ext("development").execute_with(|| {
		use infera_runtime::{
			configs::{dynamic_params::data, RuntimeParameters},
			Parameters,
		};
		assert_eq!(data::EraLength::get(), DAYS);
		let ten_blocks = || RuntimeParameters::Data(data::Parameters::EraLength(data::EraLength, Some(10)));
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_noop!(
			Parameters::set_parameter(RuntimeOrigin::signed(alice), ten_blocks()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Parameters::set_parameter(RuntimeOrigin::root(), ten_blocks()));
		assert_eq!(data::EraLength::get(), 10);
		assert_eq!(<Runtime as pallet_data_rewards::Config>::EraLength::get(), 10);
		// Eras count from their start: the new length applies from the next era on.
		for (block, era) in [(9, 0), (10, 1), (19, 1), (20, 2)] {
			run_to_block::<DataRewards>(block);
			assert_eq!(DataRewards::current_era(), era, "block {block}");
		}
	});
}

#[test]
fn review_expiry_and_the_largest_calls_fit_in_a_block() {
	type Weights = pallet_data_rewards::weights::SubstrateWeight<Runtime>;
	let block = RuntimeBlockWeights::get().max_block;
	let per_block: u32 = <Runtime as pallet_data_rewards::Config>::MaxReviewsPerBlock::get();
	let curators: u32 = <Runtime as pallet_data_rewards::Config>::MaxCurators::get();
	let expiry = Weights::expire_reviews(per_block);
	assert!(expiry.ref_time() * 10 < block.ref_time(), "{expiry:?}");
	assert!(expiry.proof_size() * 10 < block.proof_size(), "{expiry:?}");
	assert!(Weights::expire_reviews(0).ref_time() * 100 < block.ref_time());
	for weight in [Weights::review(curators), Weights::create_dataset(curators), Weights::claim(), Weights::contribute()] {
		assert!(weight.ref_time() * 20 < block.ref_time(), "{weight:?}");
	}
}

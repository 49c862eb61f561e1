//! Data rewards inside the real runtime: the model registry and the compute-jobs pallet are
//! connected to it, its era length is a root-settable parameter, and its per-block work
//! fits a block.

use frame_support::{assert_noop, assert_ok, traits::Get, BoundedVec};
use pallet_data_rewards::LineageRewards;
use infera_runtime::{
	configs::RuntimeBlockWeights, DataRewards, ModelRegistry, Runtime, RuntimeOrigin, System, DAYS,
	MILLI_UNIT, UNIT,
};
use pallet_data_rewards::{DatasetSpec, ReviewPolicy, WeightInfo};
use pallet_model_registry::{ArtifactFormat, ArtifactLocation, Artifacts, TaskKind};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;

mod common;
use common::preset_ext;

fn bounded<S: Get<u32>>(text: &str) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

fn create_dataset(sponsor: &sp_runtime::AccountId32) {
	assert_ok!(DataRewards::create_dataset(
		RuntimeOrigin::signed(sponsor.clone()),
		DatasetSpec {
			name: bounded("reviews-en"),
			description: bounded("English product reviews"),
			licence: bounded("CC-BY-4.0"),
			format: bounded("jsonl"),
			rules: bounded("one review per line"),
			rules_digest: H256::repeat_byte(1),
		},
		ReviewPolicy {
			curators: BoundedVec::truncate_from(vec![Sr25519Keyring::Bob.to_account_id()]),
			quorum: 1,
			reward_per_era: None,
		},
		UNIT,
	));
}

fn register_model(owner: &sp_runtime::AccountId32, datasets: Vec<u32>) -> sp_runtime::DispatchResult {
	ModelRegistry::register_model(
		RuntimeOrigin::signed(owner.clone()),
		bounded("all-MiniLM-L6-v2"),
		TaskKind::TextEmbedding,
		bounded("Apache-2.0"),
		2 * MILLI_UNIT,
		None,
		BoundedVec::truncate_from(datasets),
		Artifacts {
			format: ArtifactFormat::Safetensors,
			weights: H256::repeat_byte(0x53),
			tokenizer: Some(H256::repeat_byte(0xbe)),
			config: Some(H256::repeat_byte(0x95)),
			size_bytes: 91_335_235,
			location: ArtifactLocation { url: Some(bounded("file:///models/minilm")), cid: None },
		},
	)
}

#[test]
fn models_claim_existing_datasets_whose_pots_take_the_lineage_share() {
	preset_ext("development").execute_with(|| {
		System::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		assert_noop!(
			register_model(&alice, vec![0]),
			pallet_model_registry::Error::<Runtime>::UnknownDataset
		);
		create_dataset(&alice);
		assert_ok!(register_model(&alice, vec![0]));
		type Lineage = <Runtime as pallet_compute_jobs::Config>::Lineage;
		assert_eq!(Lineage::lineage_account(0), Some(DataRewards::dataset_account(0)));
		assert_eq!(Lineage::lineage_account(1), None);
	});
}

#[test]
fn root_sets_the_era_length_as_a_protocol_parameter() {
	preset_ext("development").execute_with(|| {
		use frame_support::traits::Hooks;
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
			System::set_block_number(block);
			DataRewards::on_initialize(block);
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

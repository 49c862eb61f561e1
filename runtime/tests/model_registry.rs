//! The model registry inside the real runtime: deposits and fees at the configured
//! prices, weights that fit a block, curation by root and by the `curator` track (lineage
//! amendments included), and the runtime API views.

use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{fungible::InspectHold, UnfilteredDispatchable},
	BoundedVec,
};
use infera_runtime::{
	configs::RuntimeBlockWeights, Balances, ModelRegistry, Runtime, RuntimeCall, RuntimeHoldReason,
	RuntimeOrigin, TransactionPayment, MILLI_UNIT, UNIT,
};
use pallet_model_registry::{ArtifactFormat, ArtifactLocation, Artifacts, ModelRegistry as _, TaskKind};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;

mod common;
use common::preset_ext;

fn minilm() -> Artifacts<Runtime> {
	Artifacts {
		format: ArtifactFormat::Safetensors,
		weights: H256::repeat_byte(0x53),
		tokenizer: Some(H256::repeat_byte(0xbe)),
		config: Some(H256::repeat_byte(0x95)),
		size_bytes: 91_335_235,
		location: ArtifactLocation {
			url: Some(BoundedVec::truncate_from(b"file:///var/lib/infera/models/minilm".to_vec())),
			cid: None,
		},
	}
}

fn register_call() -> RuntimeCall {
	RuntimeCall::ModelRegistry(pallet_model_registry::Call::register_model {
		name: BoundedVec::truncate_from(b"all-MiniLM-L6-v2".to_vec()),
		task: TaskKind::TextEmbedding,
		licence: BoundedVec::truncate_from(b"Apache-2.0".to_vec()),
		price: 2 * MILLI_UNIT,
		parent: None,
		datasets: BoundedVec::new(),
		artifacts: minilm(),
	})
}

#[test]
fn registering_a_model_costs_a_fraction_of_an_infr_and_fits_easily_in_a_block() {
	preset_ext("development").execute_with(|| {
		let info = register_call().get_dispatch_info();
		let max_block = RuntimeBlockWeights::get().max_block;
		assert!(
			info.call_weight.ref_time() * 100 < max_block.ref_time(),
			"register_model weight {:?} should be under 1 % of a block",
			info.call_weight
		);
		// About 250 bytes on the wire.
		let fee = TransactionPayment::compute_fee(250, &info, 0);
		assert!(fee < 10 * MILLI_UNIT, "register_model fee {fee} planck");

		let alice = Sr25519Keyring::Alice.to_account_id();
		frame_system::Pallet::<Runtime>::set_block_number(1);
		assert_ok!(register_call().dispatch_bypass_filter(RuntimeOrigin::signed(alice.clone())));
		let held = Balances::balance_on_hold(
			&RuntimeHoldReason::ModelRegistry(pallet_model_registry::HoldReason::ModelDeposit),
			&alice,
		);
		// Two records at 0.1 INFR each plus 100 µINFR per byte.
		assert!(held > UNIT / 5 && held < UNIT / 2, "deposit {held} planck");
	});
}

#[test]
fn root_curates_and_the_runtime_api_views_follow() {
	preset_ext("development").execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		frame_system::Pallet::<Runtime>::set_block_number(1);
		assert_ok!(register_call().dispatch_bypass_filter(RuntimeOrigin::signed(alice.clone())));
		assert_noop!(
			ModelRegistry::approve_version(RuntimeOrigin::signed(alice.clone()), 0, 1),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(ModelRegistry::approve_version(RuntimeOrigin::root(), 0, 1));

		let details = ModelRegistry::model_details(0).unwrap();
		assert_eq!(details.owner, alice);
		assert_eq!(details.current_version, Some(1));
		let ranked = ModelRegistry::rank_models(TaskKind::TextEmbedding, 4 * MILLI_UNIT);
		assert_eq!(ranked.len(), 1);
		assert_eq!(ModelRegistry::best_model(TaskKind::TextEmbedding, 4 * MILLI_UNIT), Some(0));
		assert_eq!(ModelRegistry::best_model(TaskKind::TextEmbedding, MILLI_UNIT), None);
	});
}

fn text<S: frame_support::traits::Get<u32>>(t: &str) -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(t.as_bytes().to_vec())
}

/// A dataset sponsored by `sponsor` with a budget of 1 INFR; returns its id.
fn create_dataset(sponsor: &sp_runtime::AccountId32, name: &str) -> u32 {
	use pallet_data_rewards::{DatasetSpec, ReviewPolicy};
	let id = pallet_data_rewards::NextDatasetId::<Runtime>::get();
	assert_ok!(infera_runtime::DataRewards::create_dataset(
		RuntimeOrigin::signed(sponsor.clone()),
		DatasetSpec {
			name: text(name),
			description: text("training data"),
			licence: text("CC-BY-4.0"),
			format: text("jsonl"),
			rules: text("one record per line"),
			rules_digest: H256::repeat_byte(1),
		},
		ReviewPolicy {
			curators: BoundedVec::truncate_from(vec![sponsor.clone()]),
			quorum: 1,
			reward_per_era: None,
		},
		UNIT,
	));
	id
}

/// Issue 14, finding 2, at the real configuration: Alice registers MiniLM naming a sham
/// dataset she sponsors herself, to keep the data share. The `curator` track amends the
/// lineage to Dave's real dataset (Alice's own attempt is a bad origin), and the job that
/// follows pays the data share into the real dataset's pot, none into the sham's.
#[test]
fn the_curator_track_amends_a_sham_lineage_and_the_next_job_pays_the_real_dataset() {
	use pallet_compute_jobs::{results::commitment_of, JobOutput, ModelChoice, Verdict};
	preset_ext("development").execute_with(|| {
		let who = |k: Sr25519Keyring| k.to_account_id();
		let (alice, bob, charlie, dave) = (
			who(Sr25519Keyring::Alice),
			who(Sr25519Keyring::Bob),
			who(Sr25519Keyring::Charlie),
			who(Sr25519Keyring::Dave),
		);
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let sham = create_dataset(&alice, "sham");
		let real = create_dataset(&dave, "reviews-en");
		let RuntimeCall::ModelRegistry(pallet_model_registry::Call::register_model {
			name, task, licence, price, parent, artifacts, ..
		}) = register_call()
		else {
			unreachable!()
		};
		assert_ok!(ModelRegistry::register_model(
			RuntimeOrigin::signed(alice.clone()),
			name,
			task,
			licence,
			price,
			parent,
			BoundedVec::truncate_from(vec![sham]),
			artifacts,
		));
		let curator = || RuntimeOrigin::from(pallet_governance::Origin::Curator);
		assert_ok!(ModelRegistry::approve_version(curator(), 0, 1));
		assert_eq!(ModelRegistry::job_terms(0, None).unwrap().datasets, vec![sham]);

		let lineage = || BoundedVec::truncate_from(vec![real]);
		assert_noop!(
			ModelRegistry::amend_lineage(RuntimeOrigin::signed(alice.clone()), 0, 1, lineage()),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(ModelRegistry::amend_lineage(curator(), 0, 1, lineage()));
		frame_system::Pallet::<Runtime>::assert_last_event(
			pallet_model_registry::Event::<Runtime>::LineageAmended {
				model_id: 0,
				version: 1,
				datasets: lineage(),
			}
			.into(),
		);
		assert_eq!(ModelRegistry::model_details(0).unwrap().versions[0].datasets, vec![real]);

		// Bob works, Charlie submits a one-replica job; Bob's result settles it.
		let bond: u128 = <Runtime as pallet_compute_jobs::Config>::MinWorkerBond::get();
		assert_ok!(infera_runtime::ComputeJobs::register_worker(
			RuntimeOrigin::signed(bob.clone()),
			bond,
			BoundedVec::truncate_from(vec![0]),
			4
		));
		let job = pallet_compute_jobs::NextJobId::<Runtime>::get();
		assert_ok!(infera_runtime::ComputeJobs::submit_job(
			RuntimeOrigin::signed(charlie),
			ModelChoice::Model { model_id: 0, version: None, max_price: price },
			pallet_compute_jobs::JobInput::Inline(BoundedVec::truncate_from(b"great product".to_vec())),
			20 * MILLI_UNIT,
			1,
			30,
		));
		assert_eq!(pallet_compute_jobs::Jobs::<Runtime>::get(job).unwrap().datasets.to_vec(), vec![real]);
		let now = frame_system::Pallet::<Runtime>::block_number();
		for block in now + 1..=now + pallet_compute_jobs::DRAW_DELAY {
			frame_system::Pallet::<Runtime>::set_block_number(block);
			pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some(sp_io::hashing::blake2_256(
				&block.to_le_bytes(),
			)));
			<infera_runtime::ComputeJobs as frame_support::traits::Hooks<u32>>::on_initialize(block);
		}
		let verdict =
			Verdict::<Runtime>::Output(JobOutput::<Runtime>::Embedding(BoundedVec::truncate_from(vec![1, 2, 3])));
		let salt = [9u8; 32];
		assert_ok!(infera_runtime::ComputeJobs::commit_result(
			RuntimeOrigin::signed(bob.clone()),
			job,
			commitment_of::<Runtime>(job, &bob, &verdict, &salt),
		));
		assert_ok!(infera_runtime::ComputeJobs::reveal_result(
			RuntimeOrigin::signed(bob),
			job,
			verdict,
			salt
		));

		use frame_support::traits::Get;
		let share = infera_runtime::configs::dynamic_params::jobs::DataShare::get() * price;
		assert!(share > 0);
		let income =
			|dataset| pallet_data_rewards::Datasets::<Runtime>::get(dataset).unwrap().lineage_income;
		assert_eq!(income(real), share);
		assert_eq!(income(sham), 0);
	});
}

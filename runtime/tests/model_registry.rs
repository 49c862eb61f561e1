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
	configs::RuntimeBlockWeights, Balances, ComputeJobs, ModelRegistry, Runtime, RuntimeHoldReason, RuntimeOrigin,
	TransactionPayment, MILLI_UNIT, UNIT,
};
use pallet_model_registry::{ModelRegistry as _, TaskKind};
use sp_keyring::Sr25519Keyring;

mod common;
use common::{
	market::{create_dataset, register_minilm, register_minilm_call, register_worker, run_to_block},
	preset_ext,
};

fn register_call() -> infera_runtime::RuntimeCall {
	register_minilm_call(2 * MILLI_UNIT, vec![])
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
		let sham = create_dataset(&alice, &alice, "sham");
		let real = create_dataset(&dave, &dave, "reviews-en");
		let price = 2 * MILLI_UNIT;
		assert_ok!(register_minilm(&alice, price, vec![sham]));
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
		register_worker(&bob);
		let job = pallet_compute_jobs::NextJobId::<Runtime>::get();
		assert_ok!(ComputeJobs::submit_job(
			RuntimeOrigin::signed(charlie),
			ModelChoice::Model { model_id: 0, version: None, max_price: price },
			pallet_compute_jobs::JobInput::Inline(BoundedVec::truncate_from(b"great product".to_vec())),
			20 * MILLI_UNIT,
			1,
			30,
		));
		assert_eq!(pallet_compute_jobs::Jobs::<Runtime>::get(job).unwrap().datasets.to_vec(), vec![real]);
		run_to_block::<ComputeJobs>(
			frame_system::Pallet::<Runtime>::block_number() + pallet_compute_jobs::DRAW_DELAY,
		);
		let verdict =
			Verdict::<Runtime>::Output(JobOutput::<Runtime>::Embedding(BoundedVec::truncate_from(vec![1, 2, 3])));
		let salt = [9u8; 32];
		assert_ok!(ComputeJobs::commit_result(
			RuntimeOrigin::signed(bob.clone()),
			job,
			commitment_of::<Runtime>(job, &bob, &verdict, &salt),
		));
		assert_ok!(ComputeJobs::reveal_result(
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

//! The model registry inside the real runtime: deposits and fees at the configured
//! prices, weights that fit a block, curation by root, and the runtime API views.

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

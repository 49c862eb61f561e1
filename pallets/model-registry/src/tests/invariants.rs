//! `try_state` catches each kind of corruption it claims to check.

use crate::{mock::*, *};
use frame_support::{assert_ok, traits::fungible::MutateHold, BoundedVec};
use sp_core::H256;

/// Builds a registry with two owners, several versions and a routable model.
fn populated() {
	let first = register_approved(ALICE, 1, 10);
	assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), first, artifacts(2), datasets(&[1, 2])));
	register(BOB, 3, 20);
	Registry::do_try_state().expect("a consistent registry passes");
}

fn fails_with(message: &'static str) {
	let error = Registry::do_try_state().expect_err("corruption is detected");
	assert_eq!(error, message.into());
}

#[test]
fn a_digest_index_entry_pointing_elsewhere_is_caught() {
	new_test_ext().execute_with(|| {
		populated();
		DigestIndex::<Test>::mutate(H256::repeat_byte(2), |record| record.as_mut().unwrap().version = 1);
		fails_with("digest index points at another version");
	});
}

#[test]
fn a_missing_or_stray_digest_index_entry_is_caught() {
	new_test_ext().execute_with(|| {
		populated();
		DigestIndex::<Test>::remove(H256::repeat_byte(3));
		fails_with("version's weights are not in the digest index");
	});
	new_test_ext().execute_with(|| {
		populated();
		let stray = DigestRecord { model_id: 0, version: 1, registered_at: 1 };
		DigestIndex::<Test>::insert(H256::repeat_byte(9), stray);
		fails_with("digest index entries without a version");
	});
}

#[test]
fn held_funds_that_differ_from_the_deposits_are_caught() {
	new_test_ext().execute_with(|| {
		populated();
		Models::<Test>::mutate(0, |model| model.as_mut().unwrap().deposit += 1);
		fails_with("held deposit differs from model deposits");
	});
	new_test_ext().execute_with(|| {
		populated();
		assert_ok!(<Balances as MutateHold<_>>::hold(
			&HoldReason::ModelDeposit.into(),
			&CHARLIE,
			5
		));
		fails_with("deposit held by an account owning no model");
	});
}

#[test]
fn a_wrong_current_version_or_routing_entry_is_caught() {
	new_test_ext().execute_with(|| {
		populated();
		Models::<Test>::mutate(0, |model| model.as_mut().unwrap().current_version = Some(2));
		fails_with("current is not newest approved");
	});
	new_test_ext().execute_with(|| {
		populated();
		Routable::<Test>::mutate(TaskKind::TextEmbedding, |models| models.clear());
		fails_with("routing index disagrees with the model");
	});
}

#[test]
fn versions_or_usage_of_unknown_models_are_caught() {
	new_test_ext().execute_with(|| {
		populated();
		let orphan = Versions::<Test>::get(0, 1).unwrap();
		Versions::<Test>::insert(7, 1, orphan);
		fails_with("versions stored for unknown models");
	});
	new_test_ext().execute_with(|| {
		populated();
		Usage::<Test>::insert(7, UsageStats::default());
		fails_with("usage of an unregistered model");
	});
}

#[test]
fn a_version_lineage_with_a_duplicate_or_unknown_dataset_is_caught() {
	new_test_ext().execute_with(|| {
		populated();
		Versions::<Test>::mutate(0, 2, |record| record.as_mut().unwrap().datasets = datasets(&[1, 1]));
		fails_with("a version's lineage names a dataset twice");
	});
	new_test_ext().execute_with(|| {
		populated();
		// Datasets 0..10 exist in the mock.
		Versions::<Test>::mutate(0, 1, |record| {
			record.as_mut().unwrap().datasets = BoundedVec::truncate_from(vec![2, 10])
		});
		fails_with("a version's lineage names an unknown dataset");
	});
}

//! `try_state` catches each kind of corruption it claims to check.

use crate::{mock::*, *};
use frame_support::{assert_ok, traits::fungible::MutateHold, BoundedVec};
use sp_core::H256;

/// A registry with two owners, several versions and a routable model, built but not run:
/// each test corrupts it on purpose, so no `try_state` is expected to pass at its end.
fn populated() -> sp_io::TestExternalities {
	let mut ext = ExtBuilder::default().with_approved_model(ALICE, 1, 10).with_model(BOB, 3, 20).build();
	ext.execute_with(|| {
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));
		Registry::do_try_state().expect("a consistent registry passes");
	});
	ext
}

fn fails_with(message: &'static str) {
	let error = Registry::do_try_state().expect_err("corruption is detected");
	assert_eq!(error, message.into());
}

#[test]
fn a_digest_index_entry_pointing_elsewhere_is_caught() {
	populated().execute_with(|| {
		DigestIndex::<Test>::mutate(H256::repeat_byte(2), |record| record.as_mut().unwrap().version = 1);
		fails_with("digest index points at another version");
	});
}

#[test]
fn a_missing_or_stray_digest_index_entry_is_caught() {
	populated().execute_with(|| {
		DigestIndex::<Test>::remove(H256::repeat_byte(3));
		fails_with("version's weights are not in the digest index");
	});
	populated().execute_with(|| {
		let stray = DigestRecord { model_id: 0, version: 1, registered_at: 1 };
		DigestIndex::<Test>::insert(H256::repeat_byte(9), stray);
		fails_with("digest index entries without a version");
	});
}

#[test]
fn held_funds_that_differ_from_the_deposits_are_caught() {
	populated().execute_with(|| {
		Models::<Test>::mutate(0, |model| model.as_mut().unwrap().deposit += 1);
		fails_with("held deposit differs from model deposits");
	});
	populated().execute_with(|| {
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
	populated().execute_with(|| {
		Models::<Test>::mutate(0, |model| model.as_mut().unwrap().current_version = Some(2));
		fails_with("current is not newest approved");
	});
	populated().execute_with(|| {
		Routable::<Test>::mutate(TaskKind::TextEmbedding, |models| models.clear());
		fails_with("routing index disagrees with the model");
	});
}

#[test]
fn versions_or_usage_of_unknown_models_are_caught() {
	populated().execute_with(|| {
		let orphan = Versions::<Test>::get(0, 1).unwrap();
		Versions::<Test>::insert(7, 1, orphan);
		fails_with("versions stored for unknown models");
	});
	populated().execute_with(|| {
		Usage::<Test>::insert(7, UsageStats::default());
		fails_with("usage of an unregistered model");
	});
}

#[test]
fn a_version_lineage_with_a_duplicate_or_unknown_dataset_is_caught() {
	populated().execute_with(|| {
		Versions::<Test>::mutate(0, 2, |record| record.as_mut().unwrap().datasets = datasets(&[1, 1]));
		fails_with("a version's lineage names a dataset twice");
	});
	populated().execute_with(|| {
		// Datasets 0..10 exist in the mock.
		Versions::<Test>::mutate(0, 1, |record| {
			record.as_mut().unwrap().datasets = BoundedVec::truncate_from(vec![2, 10])
		});
		fails_with("a version's lineage names an unknown dataset");
	});
}

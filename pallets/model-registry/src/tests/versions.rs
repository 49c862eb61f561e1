//! Publishing versions; the newest approved version supersedes older ones.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;

#[test]
fn publishing_adds_a_pending_version_with_its_own_deposit() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		let before = held(ALICE);
		System::set_block_number(3);
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));

		let version = Versions::<Test>::get(MODEL, 2).unwrap();
		assert_eq!(version.status, CurationStatus::Pending);
		assert_eq!(version.datasets.to_vec(), vec![1, 2]);
		assert_eq!(version.published_at, 3);
		assert_eq!(held(ALICE), before + version.deposit);
		let model = Models::<Test>::get(MODEL).unwrap();
		assert_eq!((model.latest_version, model.current_version), (2, Some(1)));
		System::assert_last_event(
			Event::VersionPublished {
				model_id: MODEL,
				version: 2,
				weights: H256::repeat_byte(2),
				deposit: version.deposit,
			}
			.into(),
		);
	});
}

#[test]
fn an_approved_newer_version_supersedes_and_older_ones_stay_pinnable() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));
		// Pending v2 does not replace v1.
		assert_eq!(Registry::job_terms(MODEL, None).unwrap().version, 1);
		assert_noop!(Registry::job_terms(MODEL, Some(2)), Error::<Test>::VersionNotApproved);

		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 2));
		System::assert_last_event(
			Event::CurrentVersionChanged { model_id: MODEL, from: Some(1), to: Some(2) }.into(),
		);
		let terms = Registry::job_terms(MODEL, None).unwrap();
		assert_eq!((terms.version, terms.weights), (2, H256::repeat_byte(2)));
		assert_eq!(Registry::job_terms(MODEL, Some(1)).unwrap().weights, H256::repeat_byte(1));
	});
}

#[test]
fn approving_an_older_version_keeps_the_newer_current() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 2));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 1));
		System::assert_last_event(Event::VersionApproved { model_id: MODEL, version: 1 }.into());
		assert_eq!(Models::<Test>::get(MODEL).unwrap().current_version, Some(2));
	});
}

#[test]
fn publishing_is_checked() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		let publish = |who, id, seed| {
			Registry::publish_version(RuntimeOrigin::signed(who), id, artifacts(seed), datasets(&[1, 2]))
		};
		assert_noop!(publish(ALICE, 9, 2), Error::<Test>::UnknownModel);
		assert_noop!(publish(BOB, MODEL, 2), Error::<Test>::NotOwner);
		assert_noop!(publish(ALICE, MODEL, 1), Error::<Test>::DigestAlreadyRegistered);
		let mut bad = artifacts(2);
		bad.location.url = Some(bounded(b"https://has space"));
		assert_noop!(
			Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, bad, datasets(&[])),
			Error::<Test>::InvalidUrl
		);
		// The new version's lineage is checked as at registration.
		assert_noop!(
			Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[3, 10])),
			Error::<Test>::UnknownDataset
		);
		assert_noop!(
			Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[3, 3])),
			Error::<Test>::DuplicateDataset
		);
		// MaxVersions is 4.
		for seed in 2..=4 {
			assert_ok!(publish(ALICE, MODEL, seed));
		}
		assert_noop!(publish(ALICE, MODEL, 5), Error::<Test>::TooManyVersions);

		assert_ok!(Registry::deprecate(RuntimeOrigin::signed(ALICE), MODEL));
		let other = register(ALICE, 6, 10);
		assert_ok!(Registry::deprecate(RuntimeOrigin::signed(ALICE), other));
		assert_noop!(publish(ALICE, other, 7), Error::<Test>::ModelDeprecated);
	});
}

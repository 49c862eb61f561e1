//! Curation by the admin origin: approve, reject, suspend, and the routing index.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn reason() -> ReasonOf<Test> {
	bounded(b"licence does not allow resale")
}

#[test]
fn only_the_admin_origin_curates() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		let signed = RuntimeOrigin::signed(ALICE);
		assert_noop!(Registry::approve_version(signed.clone(), MODEL, 1), DispatchError::BadOrigin);
		assert_noop!(
			Registry::reject_version(signed.clone(), MODEL, 1, reason()),
			DispatchError::BadOrigin
		);
		assert_noop!(Registry::suspend_version(signed, MODEL, 1, reason()), DispatchError::BadOrigin);
	});
}

#[test]
fn approval_makes_a_model_take_jobs_and_routable() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		assert_noop!(Registry::job_terms(MODEL, None), Error::<Test>::NoApprovedVersion);
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), None);

		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 1));
		System::assert_has_event(Event::VersionApproved { model_id: MODEL, version: 1 }.into());
		System::assert_last_event(
			Event::CurrentVersionChanged { model_id: MODEL, from: None, to: Some(1) }.into(),
		);
		assert_eq!(Routable::<Test>::get(TaskKind::TextEmbedding).to_vec(), vec![MODEL]);
		let terms = Registry::job_terms(MODEL, None).unwrap();
		assert_eq!((terms.owner, terms.price, terms.version), (ALICE, 10, 1));
		assert_eq!(terms.datasets, vec![1, 2]);
	});
}

#[test]
fn curation_transitions_are_checked() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		let root = || RuntimeOrigin::root();
		assert_noop!(Registry::approve_version(root(), 9, 1), Error::<Test>::UnknownModel);
		assert_noop!(Registry::approve_version(root(), MODEL, 2), Error::<Test>::UnknownVersion);
		assert_noop!(Registry::reject_version(root(), 9, 1, reason()), Error::<Test>::UnknownModel);
		assert_noop!(Registry::reject_version(root(), MODEL, 2, reason()), Error::<Test>::UnknownVersion);
		assert_noop!(Registry::suspend_version(root(), 9, 1, reason()), Error::<Test>::UnknownModel);
		assert_noop!(Registry::suspend_version(root(), MODEL, 2, reason()), Error::<Test>::UnknownVersion);
		assert_noop!(
			Registry::reject_version(root(), MODEL, 1, bounded(b" ")),
			Error::<Test>::InvalidReason
		);
		assert_noop!(
			Registry::suspend_version(root(), MODEL, 1, bounded(b"")),
			Error::<Test>::InvalidReason
		);
		assert_noop!(
			Registry::suspend_version(root(), MODEL, 1, reason()),
			Error::<Test>::VersionNotApproved
		);

		assert_ok!(Registry::approve_version(root(), MODEL, 1));
		assert_noop!(Registry::approve_version(root(), MODEL, 1), Error::<Test>::VersionAlreadyApproved);
		assert_noop!(
			Registry::reject_version(root(), MODEL, 1, reason()),
			Error::<Test>::VersionNotPending
		);
	});
}

#[test]
fn rejection_keeps_the_record_with_its_reason() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		let deposit = held(ALICE);
		assert_ok!(Registry::reject_version(RuntimeOrigin::root(), MODEL, 1, reason()));
		System::assert_last_event(
			Event::VersionRejected { model_id: MODEL, version: 1, reason: reason() }.into(),
		);
		assert_eq!(
			Versions::<Test>::get(MODEL, 1).unwrap().status,
			CurationStatus::Rejected { reason: reason() }
		);
		// The deposit was sized for the longest reason: curation never moves it.
		assert_eq!(held(ALICE), deposit);
		assert_noop!(
			Registry::approve_version(RuntimeOrigin::root(), MODEL, 1),
			Error::<Test>::VersionRejected
		);
		assert_noop!(Registry::job_terms(MODEL, Some(1)), Error::<Test>::VersionNotApproved);
		// The owner can retire it and get everything back.
		assert_ok!(Registry::retire(RuntimeOrigin::signed(ALICE), MODEL));
		assert_eq!(free(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn suspending_the_current_version_falls_back_to_the_newest_older_approved_one() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		for seed in 2..=4 {
			assert_ok!(Registry::publish_version(
				RuntimeOrigin::signed(ALICE),
				MODEL,
				artifacts(seed),
				datasets(&[1, 2])
			));
		}
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 2));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 4));
		assert_eq!(Models::<Test>::get(MODEL).unwrap().current_version, Some(4));

		// v3 is pending, so v4 falls back to v2.
		assert_ok!(Registry::suspend_version(RuntimeOrigin::root(), MODEL, 4, reason()));
		System::assert_has_event(
			Event::VersionSuspended { model_id: MODEL, version: 4, reason: reason() }.into(),
		);
		System::assert_last_event(
			Event::CurrentVersionChanged { model_id: MODEL, from: Some(4), to: Some(2) }.into(),
		);
		assert_eq!(Registry::job_terms(MODEL, None).unwrap().version, 2);
		assert_noop!(Registry::job_terms(MODEL, Some(4)), Error::<Test>::VersionNotApproved);

		// Suspending an older approved version leaves the current one alone.
		assert_ok!(Registry::suspend_version(RuntimeOrigin::root(), MODEL, 1, reason()));
		System::assert_last_event(
			Event::VersionSuspended { model_id: MODEL, version: 1, reason: reason() }.into(),
		);
		assert_eq!(Models::<Test>::get(MODEL).unwrap().current_version, Some(2));

		// With no approved version left the model leaves routing ...
		assert_ok!(Registry::suspend_version(RuntimeOrigin::root(), MODEL, 2, reason()));
		System::assert_last_event(
			Event::CurrentVersionChanged { model_id: MODEL, from: Some(2), to: None }.into(),
		);
		assert!(Routable::<Test>::get(TaskKind::TextEmbedding).is_empty());
		assert_noop!(Registry::job_terms(MODEL, None), Error::<Test>::NoApprovedVersion);

		// ... and comes back when a suspended version is approved again.
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 4));
		assert_eq!(Routable::<Test>::get(TaskKind::TextEmbedding).to_vec(), vec![MODEL]);
	});
}

#[test]
fn the_routing_index_is_bounded_per_task() {
	ExtBuilder::default().build_and_execute(|| {
		// MaxRoutableModels is 3.
		for seed in 1..=3 {
			register_approved(ALICE, seed, 10);
		}
		let fourth = register(ALICE, 4, 10);
		assert_noop!(
			Registry::approve_version(RuntimeOrigin::root(), fourth, 1),
			Error::<Test>::TooManyRoutableModels
		);
		// Another task has its own room.
		let classifier = register_for(ALICE, 5, 10, TaskKind::TextClassification);
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), classifier, 1));
		// Deprecating one frees a slot.
		assert_ok!(Registry::deprecate(RuntimeOrigin::signed(ALICE), 0));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), fourth, 1));
	});
}

#[test]
fn approving_a_deprecated_model_does_not_route_it() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::deprecate(RuntimeOrigin::signed(ALICE), MODEL));
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), MODEL, 1));
		assert!(Routable::<Test>::get(TaskKind::TextEmbedding).is_empty());
	});
}

/// Issue 14, finding 3: registering a popular model's digest first and getting rejected
/// used to keep the digest registered, blocking the real owner until the squatter retired.
#[test]
fn a_rejected_squatter_does_not_block_the_real_owner() {
	ExtBuilder::default().build_and_execute(|| {
		let squatted = register(BOB, 7, 10);
		assert_ok!(Registry::reject_version(RuntimeOrigin::root(), squatted, 1, reason()));
		assert_eq!(DigestIndex::<Test>::get(artifacts(7).weights), None, "rejection frees the digest");
		let real = register(ALICE, 7, 10);
		assert_eq!(DigestIndex::<Test>::get(artifacts(7).weights).unwrap().model_id, real);
		// The squatter retiring later does not take the real owner's index entry with it.
		assert_ok!(Registry::retire(RuntimeOrigin::signed(BOB), squatted));
		assert_eq!(DigestIndex::<Test>::get(artifacts(7).weights).unwrap().model_id, real);
		assert_ok!(Registry::approve_version(RuntimeOrigin::root(), real, 1));
	});
}

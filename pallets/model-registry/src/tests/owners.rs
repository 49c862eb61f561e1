//! What owners do: price, metadata, ownership hand-over, deprecation and retirement.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;
use sp_runtime::TokenError;

#[test]
fn owners_set_the_price() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		assert_noop!(Registry::set_price(RuntimeOrigin::signed(BOB), MODEL, 5), Error::<Test>::NotOwner);
		assert_noop!(
			Registry::set_price(RuntimeOrigin::signed(ALICE), 9, 5),
			Error::<Test>::UnknownModel
		);
		assert_ok!(Registry::set_price(RuntimeOrigin::signed(ALICE), MODEL, 25));
		assert_eq!(Models::<Test>::get(MODEL).unwrap().price, 25);
		System::assert_last_event(
			Event::PriceChanged { model_id: MODEL, old_price: 10, new_price: 25 }.into(),
		);
	});
}

#[test]
fn metadata_updates_move_the_deposit_both_ways() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		let before = held(ALICE);
		let set = |name: &[u8], licence: &[u8]| {
			Registry::set_metadata(RuntimeOrigin::signed(ALICE), MODEL, bounded(name), bounded(licence))
		};
		// "all-MiniLM-L6-v2" (16 bytes) → "all-MiniLM-L6-v2-int8" (21): five bytes more.
		assert_ok!(set(b"all-MiniLM-L6-v2-int8", b"Apache-2.0"));
		assert_eq!(held(ALICE), before + 5);
		let model = Models::<Test>::get(MODEL).unwrap();
		assert_eq!(model.name.to_vec(), b"all-MiniLM-L6-v2-int8".to_vec());
		System::assert_last_event(Event::MetadataUpdated { model_id: MODEL, deposit: model.deposit }.into());
		assert_ok!(set(b"m", b"MIT"));
		assert_eq!(held(ALICE), before - 15 - 7);
		assert_eq!(free(ALICE) + held(ALICE), INITIAL_BALANCE);

		assert_noop!(set(b"", b"MIT"), Error::<Test>::EmptyName);
		assert_noop!(set(b"m", b"MIT;"), Error::<Test>::InvalidLicence);
		assert_noop!(
			Registry::set_metadata(RuntimeOrigin::signed(BOB), MODEL, bounded(b"m"), bounded(b"MIT")),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Registry::set_metadata(RuntimeOrigin::signed(ALICE), 9, bounded(b"m"), bounded(b"MIT")),
			Error::<Test>::UnknownModel
		);
	});
}

#[test]
fn ownership_moves_on_acceptance_with_the_whole_deposit() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));
		let deposit = held(ALICE);

		assert_ok!(Registry::offer_ownership(RuntimeOrigin::signed(ALICE), MODEL, Some(BOB)));
		System::assert_last_event(Event::OwnershipOffered { model_id: MODEL, owner: ALICE, to: BOB }.into());
		// Offers do not move the deposit.
		assert_eq!(held(ALICE), deposit);
		assert_noop!(
			Registry::accept_ownership(RuntimeOrigin::signed(CHARLIE), MODEL),
			Error::<Test>::NotPendingOwner
		);

		assert_ok!(Registry::accept_ownership(RuntimeOrigin::signed(BOB), MODEL));
		System::assert_last_event(
			Event::OwnershipTransferred { model_id: MODEL, from: ALICE, to: BOB }.into(),
		);
		assert_eq!((held(ALICE), free(ALICE)), (0, INITIAL_BALANCE));
		assert_eq!((held(BOB), free(BOB)), (deposit, INITIAL_BALANCE - deposit));
		let model = Models::<Test>::get(MODEL).unwrap();
		assert_eq!((model.owner, model.pending_owner), (BOB, None));
		assert_eq!(Registry::job_terms(MODEL, None).unwrap().owner, BOB);
	});
}

#[test]
fn ownership_offers_are_checked_and_can_be_withdrawn() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		let offer = |who, id, to| Registry::offer_ownership(RuntimeOrigin::signed(who), id, to);
		assert_noop!(offer(ALICE, 9, Some(BOB)), Error::<Test>::UnknownModel);
		assert_noop!(offer(BOB, MODEL, Some(BOB)), Error::<Test>::NotOwner);
		assert_noop!(offer(ALICE, MODEL, Some(ALICE)), Error::<Test>::AlreadyOwner);
		assert_noop!(offer(ALICE, MODEL, None), Error::<Test>::NoOwnershipOffer);
		assert_noop!(
			Registry::accept_ownership(RuntimeOrigin::signed(BOB), MODEL),
			Error::<Test>::NotPendingOwner
		);
		assert_noop!(
			Registry::accept_ownership(RuntimeOrigin::signed(BOB), 9),
			Error::<Test>::UnknownModel
		);

		assert_ok!(offer(ALICE, MODEL, Some(BOB)));
		assert_ok!(offer(ALICE, MODEL, None));
		System::assert_last_event(Event::OwnershipOfferWithdrawn { model_id: MODEL }.into());
		assert_noop!(
			Registry::accept_ownership(RuntimeOrigin::signed(BOB), MODEL),
			Error::<Test>::NotPendingOwner
		);
	});
}

#[test]
fn a_new_owner_who_cannot_cover_the_deposit_cannot_accept() {
	ExtBuilder::default().with_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::offer_ownership(RuntimeOrigin::signed(ALICE), MODEL, Some(PAUPER)));
		assert_noop!(
			Registry::accept_ownership(RuntimeOrigin::signed(PAUPER), MODEL),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn deprecation_stops_new_jobs_and_routing() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), Some(MODEL));
		assert_noop!(Registry::deprecate(RuntimeOrigin::signed(BOB), MODEL), Error::<Test>::NotOwner);
		assert_noop!(Registry::deprecate(RuntimeOrigin::signed(ALICE), 9), Error::<Test>::UnknownModel);
		assert_ok!(Registry::deprecate(RuntimeOrigin::signed(ALICE), MODEL));
		System::assert_last_event(Event::ModelDeprecated { model_id: MODEL }.into());
		assert_eq!(Registry::best_model(TaskKind::TextEmbedding, 100), None);
		assert_noop!(Registry::job_terms(MODEL, None), Error::<Test>::ModelDeprecated);
		assert_noop!(Registry::deprecate(RuntimeOrigin::signed(ALICE), MODEL), Error::<Test>::ModelDeprecated);
	});
}

#[test]
fn retirement_removes_everything_and_returns_the_deposit() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::publish_version(RuntimeOrigin::signed(ALICE), MODEL, artifacts(2), datasets(&[1, 2])));
		let deposit = held(ALICE);
		assert_noop!(Registry::retire(RuntimeOrigin::signed(BOB), MODEL), Error::<Test>::NotOwner);
		assert_noop!(Registry::retire(RuntimeOrigin::signed(ALICE), 9), Error::<Test>::UnknownModel);

		assert_ok!(Registry::retire(RuntimeOrigin::signed(ALICE), MODEL));
		System::assert_last_event(
			Event::ModelRetired { model_id: MODEL, owner: ALICE, deposit_released: deposit }.into(),
		);
		assert_eq!((held(ALICE), free(ALICE)), (0, INITIAL_BALANCE));
		assert!(Models::<Test>::get(MODEL).is_none());
		assert_eq!(Versions::<Test>::iter_prefix(MODEL).count(), 0);
		assert!(DigestIndex::<Test>::get(H256::repeat_byte(1)).is_none());
		assert!(Routable::<Test>::get(TaskKind::TextEmbedding).is_empty());
		// The weights are free to register again.
		register(BOB, 1, 10);
	});
}

#[test]
fn retirement_waits_for_open_jobs() {
	ExtBuilder::default().with_approved_model(ALICE, 1, 10).build_and_execute(|| {
		assert_ok!(Registry::note_job_opened(MODEL));
		assert_noop!(Registry::retire(RuntimeOrigin::signed(ALICE), MODEL), Error::<Test>::ModelHasOpenJobs);
		Registry::note_job_closed(MODEL, JobOutcome::Withdrawn);
		assert_ok!(Registry::retire(RuntimeOrigin::signed(ALICE), MODEL));
	});
}

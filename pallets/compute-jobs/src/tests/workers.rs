//! Worker registration, bonds, availability and leaving.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::TokenError;

#[test]
fn registering_holds_the_bond_and_lists_the_worker_under_its_models() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W1), 1_500, models(&[MODEL]), 2));
		System::assert_last_event(
			Event::WorkerRegistered { worker: W1, bond: 1_500, capacity: 2 }.into(),
		);
		assert_eq!(worker_bond(W1), 1_500);
		assert_eq!(free(W1), INITIAL_BALANCE - 1_500);
		let worker = Workers::<Test>::get(W1).unwrap();
		assert_eq!((worker.capacity, worker.assigned, worker.state), (2, 0, WorkerState::Active));
		assert_eq!(ModelWorkers::<Test>::get(MODEL).to_vec(), vec![W1]);
	});
}

#[test]
fn registration_is_checked() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		let register = |who, bond, served: &[ModelId], capacity| {
			ComputeJobs::register_worker(RuntimeOrigin::signed(who), bond, models(served), capacity)
		};
		assert_noop!(register(W1, 999, &[MODEL], 1), Error::<Test>::BondTooLow);
		assert_noop!(register(W1, 1_000, &[MODEL], 0), Error::<Test>::ZeroCapacity);
		assert_noop!(register(W1, 1_000, &[MODEL, MODEL], 1), Error::<Test>::DuplicateModel);
		assert_noop!(
			register(W1, 1_000, &[7], 1),
			pallet_model_registry::Error::<Test>::UnknownModel
		);
		assert_noop!(register(POOR, 1_000, &[MODEL], 1), TokenError::FundsUnavailable);
		assert_ok!(register(W1, 1_000, &[MODEL], 1));
		assert_noop!(register(W1, 1_000, &[MODEL], 1), Error::<Test>::AlreadyWorker);
		// MaxWorkersPerModel is 4.
		for worker in [W2, W3, W4] {
			assert_ok!(register(worker, 1_000, &[MODEL], 1));
		}
		assert_noop!(register(W5, 1_000, &[MODEL], 1), Error::<Test>::TooManyWorkersForModel);
	});
}

#[test]
fn a_pending_model_cannot_be_served() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_ok!(Registry::publish_version(
			RuntimeOrigin::signed(OWNER),
			MODEL,
			pallet_model_registry::Artifacts {
				weights: sp_core::H256::repeat_byte(2),
				..pallet_model_registry::Versions::<Test>::get(MODEL, 1).unwrap().artifacts
			},
			frame_support::BoundedVec::new()
		));
		assert_ok!(Registry::deprecate(RuntimeOrigin::signed(OWNER), MODEL));
		assert_noop!(
			ComputeJobs::register_worker(RuntimeOrigin::signed(W1), 1_000, models(&[MODEL]), 1),
			pallet_model_registry::Error::<Test>::ModelDeprecated
		);
	});
}

#[test]
fn bonds_grow_and_served_models_change() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		let other = approved_model(2, 30);
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W1), 1_000, models(&[MODEL]), 1));
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W1), 250));
		System::assert_last_event(Event::WorkerBonded { worker: W1, added: 250, bond: 1_250 }.into());
		assert_eq!(worker_bond(W1), 1_250);
		assert_noop!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 1), Error::<Test>::NotWorker);

		assert_ok!(ComputeJobs::set_served_models(RuntimeOrigin::signed(W1), models(&[other]), 3));
		System::assert_last_event(
			Event::WorkerUpdated { worker: W1, models: models(&[other]), capacity: 3 }.into(),
		);
		assert!(ModelWorkers::<Test>::get(MODEL).is_empty());
		assert_eq!(ModelWorkers::<Test>::get(other).to_vec(), vec![W1]);
		assert_noop!(
			ComputeJobs::set_served_models(RuntimeOrigin::signed(W1), models(&[other]), 0),
			Error::<Test>::ZeroCapacity
		);
		assert_noop!(
			ComputeJobs::set_served_models(RuntimeOrigin::signed(W2), models(&[other]), 1),
			Error::<Test>::NotWorker
		);
	});
}

#[test]
fn pause_and_resume() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_noop!(ComputeJobs::pause(RuntimeOrigin::signed(W1)), Error::<Test>::NotWorker);
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W1), 1_000, models(&[MODEL]), 1));
		assert_noop!(ComputeJobs::resume(RuntimeOrigin::signed(W1)), Error::<Test>::WorkerNotPaused);
		assert_ok!(ComputeJobs::pause(RuntimeOrigin::signed(W1)));
		System::assert_last_event(Event::WorkerPaused { worker: W1 }.into());
		assert_noop!(ComputeJobs::pause(RuntimeOrigin::signed(W1)), Error::<Test>::WorkerNotActive);
		assert_ok!(ComputeJobs::resume(RuntimeOrigin::signed(W1)));
		System::assert_last_event(Event::WorkerResumed { worker: W1 }.into());
		assert_eq!(Workers::<Test>::get(W1).unwrap().state, WorkerState::Active);
	});
}

#[test]
fn leaving_waits_for_the_delay_and_open_assignments() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W1), 1_000, models(&[MODEL]), 1));
		assert_noop!(ComputeJobs::withdraw_bond(RuntimeOrigin::signed(W1)), Error::<Test>::NotUnbonding);
		assert_ok!(ComputeJobs::unbond(RuntimeOrigin::signed(W1)));
		System::assert_last_event(Event::WorkerUnbonding { worker: W1, unlocks_at: 11 }.into());
		assert_noop!(ComputeJobs::unbond(RuntimeOrigin::signed(W1)), Error::<Test>::AlreadyUnbonding);
		assert_noop!(ComputeJobs::resume(RuntimeOrigin::signed(W1)), Error::<Test>::WorkerNotPaused);
		assert_noop!(ComputeJobs::withdraw_bond(RuntimeOrigin::signed(W1)), Error::<Test>::BondStillLocked);

		System::set_block_number(11);
		Workers::<Test>::mutate(W1, |worker| worker.as_mut().unwrap().assigned = 1);
		assert_noop!(
			ComputeJobs::withdraw_bond(RuntimeOrigin::signed(W1)),
			Error::<Test>::WorkerHasAssignments
		);
		Workers::<Test>::mutate(W1, |worker| worker.as_mut().unwrap().assigned = 0);

		assert_ok!(ComputeJobs::withdraw_bond(RuntimeOrigin::signed(W1)));
		System::assert_last_event(Event::WorkerLeft { worker: W1, bond: 1_000 }.into());
		assert_eq!((worker_bond(W1), free(W1)), (0, INITIAL_BALANCE));
		assert!(Workers::<Test>::get(W1).is_none());
		assert!(ModelWorkers::<Test>::get(MODEL).is_empty());
		assert_noop!(ComputeJobs::withdraw_bond(RuntimeOrigin::signed(W1)), Error::<Test>::NotWorker);
		assert_noop!(ComputeJobs::unbond(RuntimeOrigin::signed(W1)), Error::<Test>::NotWorker);
	});
}

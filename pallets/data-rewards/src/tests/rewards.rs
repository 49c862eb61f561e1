//! Eras, claims, rounding dust and the pending-rewards view.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

fn claim(id: ContributionId) -> sp_runtime::DispatchResult {
	DataRewards::claim(RuntimeOrigin::signed(20), id)
}

#[test]
fn a_finished_era_splits_its_pot_by_points_and_each_reward_is_paid_once() {
	ExtBuilder::default().with_dataset(1_000).build_and_execute(|| {
		let a = contribute(ALICE, DATASET, 1);
		let b = contribute(BOB, DATASET, 2);
		accept(a, 50); // 100 points
		accept(b, 100); // 200 points
		assert_noop!(claim(a), Error::<Test>::EraNotFinished);
		let pending = DataRewards::pending_rewards(ALICE);
		assert_eq!((pending.claimable, pending.estimated), (0, 333));
		assert!(!pending.rewards[0].claimable);

		run_to_block(ERA);
		assert_eq!(DataRewards::pending_rewards(ALICE).claimable, 333);
		assert_ok!(claim(a));
		assert!(events().contains(&Event::EraFinished { dataset: DATASET, era: 0, reward: 1_000, points: 300 }));
		System::assert_last_event(Event::RewardPaid { contribution: a, contributor: ALICE, era: 0, amount: 333 }.into());
		assert_eq!(free(ALICE), 10_333);
		let info = Datasets::<Test>::get(DATASET).unwrap();
		assert_eq!((info.pot, info.owed, info.era, info.era_points), (0, 667, 1, 0));
		assert_noop!(claim(a), Error::<Test>::AlreadyClaimed);
		assert_noop!(DataRewards::claim(RuntimeOrigin::signed(ALICE), a), Error::<Test>::AlreadyClaimed);

		// The last claim of the era returns the rounding dust to the pot.
		assert_ok!(claim(b));
		assert_eq!(free(BOB), 10_666);
		let info = Datasets::<Test>::get(DATASET).unwrap();
		assert_eq!((info.pot, info.owed), (1, 0));
		assert!(events().contains(&Event::PotFunded { dataset: DATASET, amount: 1, source: PotSource::Dust }));
		assert_eq!(EraRewards::<Test>::iter_prefix(DATASET).count(), 0);
		assert_eq!(free(DataRewards::dataset_account(DATASET)), DATASET_DEPOSIT + 1);
		assert!(DataRewards::pending_rewards(ALICE).rewards.is_empty());
	});
}

#[test]
fn reward_per_era_caps_what_an_era_takes() {
	ExtBuilder::default().build_and_execute(|| {
		let id = NextDatasetId::<Test>::get();
		assert_ok!(DataRewards::create_dataset(
			RuntimeOrigin::signed(SPONSOR),
			spec(),
			policy(&CURATORS, 2, Some(300)),
			1_000
		));
		let a = contribute(ALICE, id, 1);
		accept(a, 10);
		run_to_block(2 * ERA);
		assert_ok!(claim(a));
		assert_eq!(free(ALICE), 10_300);
		assert_eq!(Datasets::<Test>::get(id).unwrap().pot, 700);
		// Eras without accepted contributions take nothing.
		let b = contribute(BOB, id, 2);
		accept(b, 10);
		run_to_block(4 * ERA);
		assert_ok!(claim(b));
		assert_eq!(free(BOB), 10_300);
		assert_eq!(Datasets::<Test>::get(id).unwrap().pot, 400);
	});
}

#[test]
fn an_era_that_finishes_with_an_empty_pot_pays_nothing_and_keeps_nothing() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let a = contribute(ALICE, DATASET, 1);
		accept(a, 10);
		run_to_block(ERA);
		assert_ok!(claim(a));
		assert!(events().contains(&Event::EraFinished { dataset: DATASET, era: 0, reward: 0, points: 20 }));
		System::assert_last_event(Event::RewardPaid { contribution: a, contributor: ALICE, era: 0, amount: 0 }.into());
		assert_eq!(EraRewards::<Test>::iter_prefix(DATASET).count(), 0);
		assert_noop!(claim(a), Error::<Test>::AlreadyClaimed);
	});
}

#[test]
fn only_accepted_contributions_claim() {
	ExtBuilder::default().with_dataset(100).build_and_execute(|| {
		let a = contribute(ALICE, DATASET, 1);
		assert_noop!(claim(7), Error::<Test>::UnknownContribution);
		assert_noop!(claim(a), Error::<Test>::NotAccepted);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), a, Vote::Reject { reason: RejectReason::OffSchema }));
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(12), a, Vote::Reject { reason: RejectReason::OffSchema }));
		assert_noop!(claim(a), Error::<Test>::NotAccepted);
		// Past its review deadline and retention, the rejected contribution is gone.
		run_to_block(ERA);
		assert_noop!(claim(a), Error::<Test>::UnknownContribution);
	});
}

#[test]
fn rewards_of_several_eras_stay_claimable_in_any_order() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let a = contribute(ALICE, DATASET, 1);
		accept(a, 10);
		assert_ok!(DataRewards::top_up(RuntimeOrigin::signed(SPONSOR), DATASET, 90));
		run_to_block(ERA);
		let b = contribute(BOB, DATASET, 2);
		accept(b, 10);
		assert_ok!(DataRewards::top_up(RuntimeOrigin::signed(SPONSOR), DATASET, 50));
		run_to_block(2 * ERA);
		assert_ok!(claim(b));
		assert_ok!(claim(a));
		assert_eq!((free(ALICE), free(BOB)), (10_090, 10_050));
		let info = Datasets::<Test>::get(DATASET).unwrap();
		assert_eq!((info.pot, info.owed), (0, 0));
	});
}

#[test]
fn try_state_catches_a_reward_that_could_be_paid_twice_and_missing_funds() {
	// Built, not `build_and_execute`d: the test leaves the state corrupt on purpose.
	ExtBuilder::default().with_dataset(100).build().execute_with(|| {
		let a = contribute(ALICE, DATASET, 1);
		let b = contribute(BOB, DATASET, 2);
		accept(a, 10);
		accept(b, 10);
		run_to_block(ERA);
		let c = contribute(4, DATASET, 3);
		assert_ok!(claim(a));
		assert_ok!(DataRewards::do_try_state());

		// Forgetting that `a` was paid would let it claim again: its points no longer add up.
		let paid = Contributions::<Test>::get(a).unwrap();
		let mut unpaid = paid.clone();
		unpaid.status = ContributionStatus::Accepted { era: 0, points: 20, claimed: false };
		Contributions::<Test>::insert(a, unpaid);
		assert!(DataRewards::do_try_state().is_err());
		Contributions::<Test>::insert(a, paid);
		assert_ok!(DataRewards::do_try_state());

		// A pot larger than the account holds.
		Datasets::<Test>::mutate(DATASET, |info| info.as_mut().unwrap().pot += 1_000);
		assert!(DataRewards::do_try_state().is_err());
		Datasets::<Test>::mutate(DATASET, |info| info.as_mut().unwrap().pot -= 1_000);

		// A deposit released behind the pallet's back.
		use frame_support::traits::{fungible::MutateHold, tokens::Precision};
		assert_ok!(Balances::release(&HoldReason::ContributionDeposit.into(), &4, DEPOSIT, Precision::Exact));
		assert!(DataRewards::do_try_state().is_err());
		assert!(matches!(Contributions::<Test>::get(c).unwrap().status, ContributionStatus::Pending { .. }));
	});
}

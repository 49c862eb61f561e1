//! Creating datasets, funding pots and changing policies.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{traits::BadOrigin, TokenError};

#[test]
fn a_sponsor_creates_a_dataset_and_funds_its_account() {
	ExtBuilder::default().build_and_execute(|| {
		let id = create_default(500);
		let account = DataRewards::dataset_account(id);
		assert_eq!(free(SPONSOR), 10_000 - 500 - DATASET_DEPOSIT);
		assert_eq!(free(account), 500 + DATASET_DEPOSIT);
		let info = Datasets::<Test>::get(id).unwrap();
		assert_eq!((info.sponsor, info.pot, info.owed, info.era), (SPONSOR, 500, 0, 0));
		assert_eq!(info.policy.quorum, 2);
		System::assert_last_event(
			Event::DatasetCreated { dataset: id, sponsor: SPONSOR, account, budget: 500 }.into(),
		);
		assert_eq!(NextDatasetId::<Test>::get(), 1);
	});
}

#[test]
fn policies_need_distinct_curators_and_a_reachable_quorum() {
	ExtBuilder::default().build_and_execute(|| {
		let create = |policy| DataRewards::create_dataset(RuntimeOrigin::signed(SPONSOR), spec(), policy, 0);
		assert_noop!(create(mock::policy(&[], 1, None)), Error::<Test>::NoCurators);
		assert_noop!(create(mock::policy(&[11, 12, 11], 1, None)), Error::<Test>::DuplicateCurator);
		assert_noop!(create(mock::policy(&[11, 12], 0, None)), Error::<Test>::InvalidQuorum);
		assert_noop!(create(mock::policy(&[11, 12], 3, None)), Error::<Test>::InvalidQuorum);
		assert_noop!(
			DataRewards::create_dataset(RuntimeOrigin::signed(SPONSOR), spec(), policy(&[11], 1, None), 20_000),
			TokenError::FundsUnavailable
		);
		assert_eq!(NextDatasetId::<Test>::get(), 0);
	});
}

#[test]
fn governance_creates_public_datasets_paid_by_the_treasury() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			DataRewards::create_public_dataset(RuntimeOrigin::signed(SPONSOR), spec(), policy(&[11], 1, None), 1_000),
			BadOrigin
		);
		assert_ok!(DataRewards::create_public_dataset(
			RuntimeOrigin::root(),
			spec(),
			policy(&[11], 1, Some(100)),
			1_000
		));
		assert_eq!(free(TREASURY), 100_000 - 1_000 - DATASET_DEPOSIT);
		let info = Datasets::<Test>::get(0).unwrap();
		assert_eq!((info.sponsor, info.pot), (TREASURY, 1_000));
	});
}

#[test]
fn a_public_dataset_takes_no_more_from_the_treasury_than_the_origin_may_spend() {
	ExtBuilder::default().build_and_execute(|| {
		// Issue 14, finding 1: the budget was uncapped.
		assert_noop!(
			DataRewards::create_public_dataset(RuntimeOrigin::root(), spec(), policy(&[11], 1, None), PUBLIC_LIMIT + 1),
			Error::<Test>::BudgetAboveLimit
		);
		assert_ok!(DataRewards::create_public_dataset(RuntimeOrigin::root(), spec(), policy(&[11], 1, None), PUBLIC_LIMIT));
	});
}

#[test]
fn governance_cannot_redirect_a_sponsors_pot() {
	ExtBuilder::default().build_and_execute(|| {
		// Issue 14, finding 1: the admin origin could replace any sponsor's curators.
		let id = create_default(500);
		assert_noop!(
			DataRewards::update_policy(RuntimeOrigin::root(), id, policy(&[13], 1, None)),
			Error::<Test>::NotSponsor
		);
		assert_eq!(Datasets::<Test>::get(id).unwrap().policy.curators.to_vec(), CURATORS.to_vec());
		// A public dataset's policy answers to the treasury origin, not to anyone signed.
		assert_ok!(DataRewards::create_public_dataset(RuntimeOrigin::root(), spec(), policy(&[11], 1, None), 100));
		let public = id + 1;
		assert_noop!(
			DataRewards::update_policy(RuntimeOrigin::signed(SPONSOR), public, policy(&[13], 1, None)),
			Error::<Test>::NotSponsor
		);
		assert_ok!(DataRewards::update_policy(RuntimeOrigin::root(), public, policy(&[13], 1, None)));
	});
}

#[test]
fn anyone_tops_up_a_pot() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		assert_noop!(DataRewards::top_up(RuntimeOrigin::signed(ALICE), 7, 10), Error::<Test>::UnknownDataset);
		assert_noop!(DataRewards::top_up(RuntimeOrigin::signed(ALICE), DATASET, 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			DataRewards::top_up(RuntimeOrigin::signed(ALICE), DATASET, 10_000),
			TokenError::NotExpendable
		);
		assert_ok!(DataRewards::top_up(RuntimeOrigin::signed(ALICE), DATASET, 300));
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().pot, 300);
		assert_eq!(free(ALICE), 9_700);
		System::assert_last_event(Event::PotFunded { dataset: DATASET, amount: 300, source: PotSource::TopUp }.into());
	});
}

#[test]
fn only_the_sponsor_changes_its_policy() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let new = || policy(&[11, 14], 1, Some(50));
		assert_noop!(
			DataRewards::update_policy(RuntimeOrigin::signed(ALICE), DATASET, new()),
			Error::<Test>::NotSponsor
		);
		assert_noop!(
			DataRewards::update_policy(RuntimeOrigin::signed(SPONSOR), 9, new()),
			Error::<Test>::UnknownDataset
		);
		assert_noop!(
			DataRewards::update_policy(RuntimeOrigin::signed(SPONSOR), DATASET, policy(&[11], 2, None)),
			Error::<Test>::InvalidQuorum
		);
		assert_ok!(DataRewards::update_policy(RuntimeOrigin::signed(SPONSOR), DATASET, new()));
		System::assert_last_event(
			Event::PolicyUpdated { dataset: DATASET, curators: 2, quorum: 1, reward_per_era: Some(50) }.into(),
		);
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().policy.curators.to_vec(), vec![11, 14]);
	});
}

#[test]
fn funds_sent_straight_to_a_dataset_join_its_pot_on_the_next_touch() {
	ExtBuilder::default().with_dataset(100).build_and_execute(|| {
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(TREASURY),
			DataRewards::dataset_account(DATASET),
			400
		));
		assert_eq!(DataRewards::dataset_details(DATASET).unwrap().pot, 500);
		assert_ok!(DataRewards::top_up(RuntimeOrigin::signed(ALICE), DATASET, 10));
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().pot, 510);
		assert!(events().contains(&Event::PotFunded { dataset: DATASET, amount: 400, source: PotSource::Transfer }));
	});
}

#[test]
fn exhausted_ids_are_refused_without_a_trace() {
	ExtBuilder::default().build_and_execute(|| {
		NextDatasetId::<Test>::put(DatasetId::MAX);
		assert_noop!(
			DataRewards::create_dataset(RuntimeOrigin::signed(SPONSOR), spec(), policy(&[11], 1, None), 0),
			Error::<Test>::DatasetIdsExhausted
		);
		NextDatasetId::<Test>::put(0);
		let id = create_default(0);
		NextContributionId::<Test>::put(ContributionId::MAX);
		assert_noop!(
			DataRewards::contribute(RuntimeOrigin::signed(ALICE), id, digest(1), 1, text("u"), None),
			Error::<Test>::ContributionIdsExhausted
		);
		NextContributionId::<Test>::put(0);
	});
}

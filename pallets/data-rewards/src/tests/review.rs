//! Curators' votes, quorum decisions and standing.

use crate::{mock::*, review::{decide, Decision}, rewards::points_for, *};
use frame_support::{assert_noop, assert_ok};

const LOW: Vote = Vote::Reject { reason: RejectReason::LowQuality };

#[test]
fn points_weigh_quality_and_the_logarithm_of_size() {
	assert_eq!(points_for(50, 1), 50);
	assert_eq!(points_for(50, 1024), 100);
	assert_eq!(points_for(50, 3 * 1024), 150);
	assert_eq!(points_for(50, 1 << 30), 50 * 21);
	assert_eq!(points_for(100, u64::MAX), 100 * 55);
}

#[test]
fn a_quorum_of_matching_votes_decides() {
	let accept = |quality| Vote::Accept { quality };
	assert_eq!(decide(&[(1u64, accept(40))], 2), None);
	assert_eq!(decide(&[(1u64, accept(40)), (2, LOW)], 2), None);
	assert_eq!(decide(&[(1u64, accept(40)), (2, LOW), (3, accept(61))], 2), Some(Decision::Accept { quality: 50 }));
	let spam = Vote::Reject { reason: RejectReason::Malicious };
	assert_eq!(
		decide(&[(1u64, LOW), (2, spam), (3, spam)], 3),
		Some(Decision::Reject { reason: RejectReason::Malicious })
	);
	assert_eq!(decide(&[(1u64, spam), (2, LOW)], 2), Some(Decision::Reject { reason: RejectReason::Malicious }));
}

#[test]
fn acceptance_returns_the_deposit_and_earns_points_in_the_current_era() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let c = contribute(ALICE, DATASET, 1);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), c, Vote::Accept { quality: 60 }));
		assert_eq!(held(ALICE), DEPOSIT);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(12), c, Vote::Accept { quality: 80 }));
		assert_eq!((held(ALICE), free(ALICE)), (0, 10_000));
		assert_eq!(
			Contributions::<Test>::get(c).unwrap().status,
			ContributionStatus::Accepted { era: 0, points: 140, claimed: false }
		);
		let info = Datasets::<Test>::get(DATASET).unwrap();
		assert_eq!((info.era_points, info.accepted, info.pending), (140, 1, 0));
		System::assert_last_event(Event::Accepted { contribution: c, era: 0, points: 140 }.into());
		assert_noop!(
			DataRewards::review(RuntimeOrigin::signed(13), c, Vote::Accept { quality: 1 }),
			Error::<Test>::NotPending
		);
	});
}

#[test]
fn rejection_costs_part_of_the_deposit_to_the_pot() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let c = contribute(ALICE, DATASET, 1);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), c, LOW));
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(13), c, Vote::Reject { reason: RejectReason::Licence }));
		assert_eq!((held(ALICE), free(ALICE)), (0, 10_000 - DEPOSIT / 2));
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().pot, DEPOSIT / 2);
		assert_eq!(free(DataRewards::dataset_account(DATASET)), DATASET_DEPOSIT + DEPOSIT / 2);
		assert_eq!(
			Contributions::<Test>::get(c).unwrap().status,
			ContributionStatus::Rejected { reason: RejectReason::LowQuality }
		);
		System::assert_last_event(
			Event::Rejected { contribution: c, reason: RejectReason::LowQuality, penalty: DEPOSIT / 2 }.into(),
		);
		// A corrected version of the same content may be submitted again.
		assert_eq!(ContributionDigests::<Test>::get(DATASET, digest(1)), None);
		contribute(ALICE, DATASET, 1);
	});
}

#[test]
fn only_curators_vote_once_with_a_valid_score_and_never_on_their_own_data() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let c = contribute(ALICE, DATASET, 1);
		let own = contribute(11, DATASET, 2);
		let vote = |who, c, vote| DataRewards::review(RuntimeOrigin::signed(who), c, vote);
		assert_noop!(vote(11, 9, LOW), Error::<Test>::UnknownContribution);
		assert_noop!(vote(BOB, c, LOW), Error::<Test>::NotCurator);
		assert_noop!(vote(11, own, LOW), Error::<Test>::OwnContribution);
		assert_noop!(vote(11, c, Vote::Accept { quality: 0 }), Error::<Test>::InvalidQuality);
		assert_noop!(vote(11, c, Vote::Accept { quality: 101 }), Error::<Test>::InvalidQuality);
		assert_ok!(vote(11, c, Vote::Accept { quality: 100 }));
		assert_noop!(vote(11, c, LOW), Error::<Test>::AlreadyVoted);
		System::assert_last_event(
			Event::Voted { contribution: c, curator: 11, vote: Vote::Accept { quality: 100 } }.into(),
		);
	});
}

#[test]
fn curators_who_keep_voting_against_the_quorum_are_removed() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		for n in 1..=2 {
			let c = contribute(ALICE, DATASET, n);
			assert_ok!(DataRewards::review(RuntimeOrigin::signed(13), c, LOW));
			accept(c, 70);
		}
		// Two strikes removed curator 13; 11 and 12 remain, as many as the quorum.
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().policy.curators.to_vec(), vec![11, 12]);
		assert!(events().contains(&Event::CuratorRemoved { dataset: DATASET, curator: 13, strikes: 2 }));
		assert_eq!(
			CuratorStandings::<Test>::get(DATASET, 11),
			CuratorStanding { agreed: 2, disagreed: 0, strikes: 0 }
		);
		assert_eq!(CuratorStandings::<Test>::get(DATASET, 13), CuratorStanding { agreed: 0, disagreed: 2, strikes: 2 });
	});
}

#[test]
fn agreeing_votes_take_strikes_away() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let c = contribute(ALICE, DATASET, 1);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), c, LOW));
		accept_by(c, &[12, 13]);
		assert_eq!(CuratorStandings::<Test>::get(DATASET, 11), CuratorStanding { agreed: 0, disagreed: 1, strikes: 1 });
		let c = contribute(ALICE, DATASET, 2);
		accept_by(c, &[11, 12]);
		assert_eq!(CuratorStandings::<Test>::get(DATASET, 11), CuratorStanding { agreed: 1, disagreed: 1, strikes: 0 });
		assert_eq!(CuratorStandings::<Test>::get(DATASET, 13), CuratorStanding { agreed: 1, disagreed: 0, strikes: 0 });
	});
}

fn accept_by(c: ContributionId, curators: &[AccountId]) {
	for curator in curators {
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(*curator), c, Vote::Accept { quality: 20 }));
	}
}

/// Issue 14, finding 6: curators who never voted suffered nothing. Now a review that
/// expires without their vote is a strike, and absentees are removed at the strike limit
/// while more than the quorum remain, so a dataset's reviews cannot stall on them forever.
#[test]
fn curators_who_let_reviews_expire_get_strikes_and_are_removed() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		// CURATORS [11, 12, 13], quorum 2, CuratorStrikeLimit 2. Only 11 ever votes.
		let first = contribute(ALICE, DATASET, 1);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), first, Vote::Accept { quality: 50 }));
		run_to_block(2 + WINDOW);
		assert_eq!(Contributions::<Test>::get(first).unwrap().status, ContributionStatus::Expired);
		assert!(events().contains(&Event::CuratorMissedReview { dataset: DATASET, curator: 12, contribution: first }));
		assert!(events().contains(&Event::CuratorMissedReview { dataset: DATASET, curator: 13, contribution: first }));
		assert!(!events().iter().any(|e| matches!(e, Event::CuratorMissedReview { curator: 11, .. })));
		assert_eq!(CuratorStandings::<Test>::get(DATASET, 12).strikes, 1);
		assert_eq!(CuratorStandings::<Test>::get(DATASET, 11).strikes, 0);

		let second = contribute(BOB, DATASET, 2);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), second, Vote::Accept { quality: 50 }));
		run_to_block(3 + 2 * WINDOW);
		// 12 reaches the limit first and goes; 13 stays, as the quorum needs two curators.
		assert!(events().contains(&Event::CuratorRemoved { dataset: DATASET, curator: 12, strikes: 2 }));
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().policy.curators.to_vec(), vec![11, 13]);
	});
}

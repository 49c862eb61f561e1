//! Submitting contributions: deposits, duplicates, rate limits and expiry.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_contribution_holds_its_deposit_and_is_indexed() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let c = contribute(ALICE, DATASET, 1);
		assert_eq!(held(ALICE), DEPOSIT);
		let stored = Contributions::<Test>::get(c).unwrap();
		assert_eq!((stored.dataset, stored.contributor, stored.size), (DATASET, ALICE, 1024));
		assert_eq!(stored.review_until, 1 + WINDOW);
		assert_eq!(ContributionDigests::<Test>::get(DATASET, digest(1)), Some(c));
		assert!(ReviewDeadlines::<Test>::get(2 + WINDOW).contains(&c));
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().pending, 1);
		System::assert_last_event(
			Event::Contributed { contribution: c, dataset: DATASET, contributor: ALICE, digest: digest(1), size: 1024 }
				.into(),
		);
	});
}

#[test]
fn bad_contributions_are_refused_with_their_reason() {
	// Account 19 holds less than a contribution's deposit.
	ExtBuilder::default().with_dataset(0).with_balances(&[(19, 50)]).build_and_execute(|| {
		let url = || text("https://x");
		let submit = |dataset, size, url| {
			DataRewards::contribute(RuntimeOrigin::signed(ALICE), dataset, digest(5), size, url, None)
		};
		assert_noop!(submit(4, 10, url()), Error::<Test>::UnknownDataset);
		assert_noop!(submit(DATASET, 0, url()), Error::<Test>::EmptyContent);
		assert_noop!(submit(DATASET, 10, text("")), Error::<Test>::EmptyUrl);
		contribute(BOB, DATASET, 5);
		assert_noop!(submit(DATASET, 10, url()), Error::<Test>::DuplicateContribution);
		// The same content may go to another dataset.
		let other = create_default(0);
		assert_ok!(submit(other, 10, url()));
		// Without funds for the deposit nothing is recorded.
		assert_noop!(
			DataRewards::contribute(RuntimeOrigin::signed(19), DATASET, digest(6), 10, url(), None),
			sp_runtime::TokenError::FundsUnavailable
		);
	});
}

#[test]
fn each_account_contributes_at_most_the_limit_per_era() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		for n in 0..3 {
			contribute(ALICE, DATASET, n);
		}
		assert_noop!(
			DataRewards::contribute(RuntimeOrigin::signed(ALICE), DATASET, digest(9), 1, text("u"), None),
			Error::<Test>::RateLimited
		);
		run_to_block(2);
		contribute(BOB, DATASET, 9);
		run_to_block(ERA);
		contribute(ALICE, DATASET, 10);
		assert_eq!(ContributionCounts::<Test>::get(ALICE), (1, 1));
	});
}

#[test]
fn a_block_takes_a_bounded_number_of_review_deadlines() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		contribute(ALICE, DATASET, 1);
		contribute(BOB, DATASET, 2);
		contribute(4, DATASET, 3);
		assert_noop!(
			DataRewards::contribute(RuntimeOrigin::signed(5), DATASET, digest(4), 1, text("u"), None),
			Error::<Test>::ReviewQueueFull
		);
		run_to_block(2);
		contribute(5, DATASET, 4);
	});
}

#[test]
fn unreviewed_contributions_expire_with_their_deposit_returned() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let c = contribute(ALICE, DATASET, 1);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(11), c, Vote::Accept { quality: 50 }));
		run_to_block(1 + WINDOW);
		assert_ok!(DataRewards::review(RuntimeOrigin::signed(12), c, Vote::Reject { reason: RejectReason::OffSchema }));
		run_to_block(2 + WINDOW);
		assert_eq!(Contributions::<Test>::get(c).unwrap().status, ContributionStatus::Expired);
		assert_eq!((held(ALICE), free(ALICE)), (0, 10_000));
		assert!(events().contains(&Event::ReviewExpired { contribution: c }));
		assert_noop!(
			DataRewards::review(RuntimeOrigin::signed(13), c, Vote::Accept { quality: 1 }),
			Error::<Test>::NotPending
		);
		// The digest is free again.
		contribute(ALICE, DATASET, 1);
		assert_eq!(Datasets::<Test>::get(DATASET).unwrap().pending, 1);
	});
}

//! Storage that does not only grow (issue 14, finding 4): rejected and expired
//! contributions are removed `ContributionRetention` blocks after their review deadline,
//! pages of contributions are read from id-ordered indices, and the v0 → v1 migration
//! rekeys old indices.

use crate::{
	migrations::v1::{MigrateToV1, OldContributorContributions, OldDatasetContributions},
	mock::*,
	views::ContributionsOf,
	*,
};
use frame_support::{
	assert_ok,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};

fn page(by: ContributionsOf<AccountId>, start: ContributionId, limit: u32) -> Vec<ContributionId> {
	DataRewards::contributions_page(by, start, limit).into_iter().map(|c| c.id).collect()
}

/// An attacker floods a dataset with junk that curators reject (or ignore): each piece
/// costs it a deposit penalty (or nothing, if left to expire), and before this fix every
/// record stayed in storage forever. Now a rejected or expired contribution is readable
/// for `ContributionRetention` blocks after its deadline and then removed with its index
/// entries; accepted ones stay.
#[test]
fn rejected_and_expired_contributions_are_pruned_after_their_retention() {
	ExtBuilder::default().with_dataset(100).build_and_execute(|| {
		let rejected = contribute(ALICE, DATASET, 1);
		let expired = contribute(BOB, DATASET, 2);
		let accepted = contribute(ALICE, DATASET, 3);
		for curator in [11, 12] {
			assert_ok!(DataRewards::review(
				RuntimeOrigin::signed(curator),
				rejected,
				Vote::Reject { reason: RejectReason::LowQuality }
			));
		}
		accept(accepted, 80);
		let deadline = 2 + WINDOW;
		run_to_block(deadline);
		let at = deadline + 5;
		assert_eq!(PruneSchedule::<Test>::get(at).into_inner(), vec![rejected, expired]);
		assert!(matches!(Contributions::<Test>::get(expired).unwrap().status, ContributionStatus::Expired));
		// Still readable until the retention ends.
		run_to_block(at - 1);
		assert_eq!(page(ContributionsOf::Dataset(DATASET), 0, 10), vec![rejected, expired, accepted]);
		DataRewards::do_try_state().unwrap();

		run_to_block(at);
		for gone in [rejected, expired] {
			assert!(!Contributions::<Test>::contains_key(gone));
		}
		assert_eq!(page(ContributionsOf::Dataset(DATASET), 0, 10), vec![accepted]);
		assert_eq!(page(ContributionsOf::Contributor(BOB), 0, 10), Vec::<ContributionId>::new());
		assert_eq!(page(ContributionsOf::Contributor(ALICE), 0, 10), vec![accepted]);
		assert!(!PruneSchedule::<Test>::contains_key(at));
		// The rejected content may come back, corrected.
		contribute(ALICE, DATASET, 1);
	});
}

#[test]
fn try_state_catches_a_decided_contribution_that_is_never_pruned() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		let expired = contribute(ALICE, DATASET, 1);
		run_to_block(2 + WINDOW);
		PruneSchedule::<Test>::remove(2 + WINDOW + 5);
		assert!(DataRewards::do_try_state().is_err());
		PruneSchedule::<Test>::insert(2 + WINDOW + 5, frame_support::BoundedVec::truncate_from(vec![expired]));
	});
}

/// A dApp pages through a dataset's contributions: each page comes from the index in id
/// order from the id it asks for (ids on both sides of 256, where byte orders differ).
#[test]
fn contributions_are_read_a_page_at_a_time_in_id_order() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		NextContributionId::<Test>::put(254);
		// Three reviews end per block (`MaxReviewsPerBlock`): a block between each.
		let ids: Vec<_> = [ALICE, BOB, 4, 5, 6]
			.iter()
			.enumerate()
			.map(|(n, who)| {
				run_to_block(System::block_number() + 1);
				contribute(*who, DATASET, n as u64)
			})
			.collect();
		assert_eq!(ids, vec![254, 255, 256, 257, 258]);
		assert_eq!(page(ContributionsOf::Dataset(DATASET), 0, 2), vec![254, 255]);
		assert_eq!(page(ContributionsOf::Dataset(DATASET), 255, 3), vec![255, 256, 257]);
		assert_eq!(page(ContributionsOf::Dataset(DATASET), 258, 3), vec![258]);
		assert_eq!(page(ContributionsOf::Contributor(BOB), 0, 3), vec![255]);
	});
}

#[test]
fn v0_indices_are_rekeyed_and_old_decisions_pruned() {
	ExtBuilder::default().with_dataset(0).build_and_execute(|| {
		// A v0 chain: decided contributions are never scheduled for pruning.
		let old = contribute(ALICE, DATASET, 1);
		run_to_block(2 + WINDOW);
		PruneSchedule::<Test>::remove(2 + WINDOW + 5);
		let recent = contribute(BOB, DATASET, 2);
		for curator in [11, 12] {
			assert_ok!(DataRewards::review(
				RuntimeOrigin::signed(curator),
				recent,
				Vote::Reject { reason: RejectReason::Licence }
			));
		}
		let recent_deadline = 2 + WINDOW + 1 + WINDOW;
		run_to_block(recent_deadline);
		PruneSchedule::<Test>::remove(recent_deadline + 5);
		let pending = contribute(ALICE, DATASET, 3);
		run_to_block(recent_deadline + 2);
		for (c, who) in [(old, ALICE), (recent, BOB), (pending, ALICE)] {
			DatasetContributions::<Test>::remove(DATASET, OrderedId::from(c));
			ContributorContributions::<Test>::remove(who, OrderedId::from(c));
			OldDatasetContributions::<Test>::insert(DATASET, c, ());
			OldContributorContributions::<Test>::insert(who, c, ());
		}
		StorageVersion::new(0).put::<Pallet<Test>>();

		MigrateToV1::<Test>::on_runtime_upgrade();

		assert_eq!(Pallet::<Test>::on_chain_storage_version(), StorageVersion::new(1));
		assert!(!Contributions::<Test>::contains_key(old), "past its retention: removed");
		assert_eq!(PruneSchedule::<Test>::get(recent_deadline + 5).into_inner(), vec![recent]);
		assert_eq!(page(ContributionsOf::Dataset(DATASET), 0, 10), vec![recent, pending]);
		assert_eq!(page(ContributionsOf::Contributor(ALICE), 0, 10), vec![pending]);
		DataRewards::do_try_state().unwrap();
		run_to_block(recent_deadline + 5);
		assert!(!Contributions::<Test>::contains_key(recent));
	});
}

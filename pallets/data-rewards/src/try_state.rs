//! Invariants checked by `try_state` and at the end of unit tests.

use crate::{pallet::*, *};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every dataset's account holds at least its deposit, pot and what it owes;
	/// - what a dataset owes is the unpaid part of its finished eras' rewards;
	/// - each finished era's unclaimed points are those of its unclaimed contributions, and
	///   the collecting era's points those accepted in it (so no reward is paid twice);
	/// - each account's held deposits equal the deposits of its pending contributions;
	/// - the duplicate index holds exactly the pending and accepted contributions, and each
	///   pending one is due to expire when its window ends;
	/// - every rejected or expired contribution is removed in time: it waits for its review
	///   deadline or is in the prune bucket `ContributionRetention` blocks after it, and
	///   prune buckets hold nothing else; the indices name no removed contribution;
	/// - ids are below their counters and the per-dataset counts are right.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut unclaimed_points: BTreeMap<(DatasetId, EraIndex), u128> = BTreeMap::new();
		let mut pending: BTreeMap<DatasetId, u32> = BTreeMap::new();
		let mut accepted: BTreeMap<DatasetId, u32> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let next_contribution = NextContributionId::<T>::get();

		for (id, contribution) in Contributions::<T>::iter() {
			ensure!(id < next_contribution, "a contribution id is not below NextContributionId");
			let dataset = contribution.dataset;
			ensure!(Datasets::<T>::contains_key(dataset), "a contribution of an unknown dataset");
			ensure!(
				DatasetContributions::<T>::contains_key(dataset, OrderedId::from(id)) &&
					ContributorContributions::<T>::contains_key(&contribution.contributor, OrderedId::from(id)),
				"a contribution is missing from an index"
			);
			let indexed = ContributionDigests::<T>::get(dataset, contribution.digest) == Some(id);
			match &contribution.status {
				ContributionStatus::Pending { .. } => {
					ensure!(indexed, "a pending contribution is missing from the digest index");
					ensure!(
						ReviewDeadlines::<T>::get(contribution.review_until.saturating_add(One::one()))
							.contains(&id),
						"a pending contribution has no review deadline"
					);
					*pending.entry(dataset).or_default() += 1;
					let held = deposits.entry(contribution.contributor.clone()).or_insert_with(Zero::zero);
					*held = held.saturating_add(contribution.deposit);
				},
				ContributionStatus::Accepted { era, points, claimed } => {
					ensure!(indexed, "an accepted contribution is missing from the digest index");
					*accepted.entry(dataset).or_default() += 1;
					if !claimed {
						*unclaimed_points.entry((dataset, *era)).or_default() += u128::from(*points);
					}
				},
				ContributionStatus::Rejected { .. } | ContributionStatus::Expired => {
					ensure!(!indexed, "a rejected or expired contribution blocks its digest");
					// Waiting for its deadline, or scheduled for pruning after it.
					let deadline = contribution.review_until.saturating_add(One::one());
					let scheduled = if deadline > frame_system::Pallet::<T>::block_number() {
						ReviewDeadlines::<T>::get(deadline).contains(&id)
					} else {
						PruneSchedule::<T>::get(deadline.saturating_add(T::ContributionRetention::get()))
							.contains(&id)
					};
					ensure!(scheduled, "a rejected or expired contribution is never pruned");
				},
			}
		}
		let now = frame_system::Pallet::<T>::block_number();
		for (at, ids) in PruneSchedule::<T>::iter() {
			ensure!(at > now, "a prune bucket in the past");
			for id in ids {
				ensure!(
					Contributions::<T>::get(id).is_some_and(|c| matches!(
						c.status,
						ContributionStatus::Rejected { .. } | ContributionStatus::Expired
					)),
					"a prune bucket names a contribution that is not rejected or expired"
				);
			}
		}
		for (_, id) in DatasetContributions::<T>::iter_keys() {
			ensure!(Contributions::<T>::contains_key(ContributionId::from(id)), "a dataset index names a pruned contribution");
		}
		for (_, id) in ContributorContributions::<T>::iter_keys() {
			ensure!(Contributions::<T>::contains_key(ContributionId::from(id)), "a contributor index names a pruned contribution");
		}

		for (dataset, _digest, id) in ContributionDigests::<T>::iter() {
			ensure!(
				Contributions::<T>::get(id).is_some_and(|c| c.dataset == dataset),
				"the digest index points to a contribution of another dataset"
			);
		}

		for (who, held) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ContributionDeposit.into(), &who) == held,
				"held deposits differ from pending contributions' deposits"
			);
		}

		let clock = CurrentEra::<T>::get();
		ensure!(
			clock.started_at <= frame_system::Pallet::<T>::block_number(),
			"the current era starts in the future"
		);
		let next_dataset = NextDatasetId::<T>::get();
		for (dataset, info) in Datasets::<T>::iter() {
			ensure!(dataset < next_dataset, "a dataset id is not below NextDatasetId");
			let balance = T::Currency::balance(&Self::dataset_account(dataset));
			let needed = T::DatasetDeposit::get().saturating_add(info.pot).saturating_add(info.owed);
			ensure!(balance >= needed, "a dataset's account holds less than its deposit, pot and debts");
			ensure!(
				info.pending == pending.get(&dataset).copied().unwrap_or_default(),
				"a dataset's pending count is wrong"
			);
			ensure!(
				info.accepted == accepted.get(&dataset).copied().unwrap_or_default(),
				"a dataset's accepted count is wrong"
			);
			ensure!(info.era <= Self::current_era(), "a dataset's era is in the future");
			ensure!(
				info.era_points == unclaimed_points.remove(&(dataset, info.era)).unwrap_or_default(),
				"a dataset's era points differ from its accepted contributions"
			);
			let mut owed: BalanceOf<T> = Zero::zero();
			for (era, reward) in EraRewards::<T>::iter_prefix(dataset) {
				ensure!(era < info.era, "an era reward of an unfinished era");
				ensure!(reward.paid <= reward.reward, "an era paid more than its reward");
				ensure!(reward.claimed_points < reward.points, "a fully claimed era was kept");
				ensure!(
					unclaimed_points.remove(&(dataset, era)).unwrap_or_default() ==
						reward.points - reward.claimed_points,
					"an era's unclaimed points differ from its unclaimed contributions"
				);
				owed = owed.saturating_add(reward.reward.saturating_sub(reward.paid));
			}
			ensure!(owed == info.owed, "a dataset owes other than its eras' unpaid rewards");
		}
		// What is left: eras that finished with an empty pot (nothing to claim).
		for ((dataset, era), _) in unclaimed_points {
			let info = Datasets::<T>::get(dataset).ok_or("unclaimed points of an unknown dataset")?;
			ensure!(era < info.era, "unclaimed points of a running era outside it");
		}
		Ok(())
	}
}

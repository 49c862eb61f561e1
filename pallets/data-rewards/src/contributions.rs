//! Submitting contributions (deposit, duplicate check, rate limit) and expiring those not
//! reviewed in time.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use frame_support::{
	defensive, ensure,
	traits::{
		fungible::MutateHold,
		tokens::Precision,
		Get,
	},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::{
	traits::{One, Saturating},
	DispatchResult,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_contribute(
		who: T::AccountId,
		dataset: DatasetId,
		digest: H256,
		size: u64,
		url: UrlOf<T>,
		label: Option<LabelOf<T>>,
	) -> DispatchResult {
		let mut info = Self::touched_dataset(dataset)?;
		ensure!(size > 0, Error::<T>::EmptyContent);
		ensure!(!url.is_empty(), Error::<T>::EmptyUrl);
		ensure!(
			!ContributionDigests::<T>::contains_key(dataset, digest),
			Error::<T>::DuplicateContribution
		);
		let era = Self::current_era();
		ContributionCounts::<T>::try_mutate(&who, |(counted_era, count)| -> DispatchResult {
			if *counted_era != era {
				*counted_era = era;
				*count = 0;
			}
			ensure!(*count < T::MaxContributionsPerEra::get(), Error::<T>::RateLimited);
			*count += 1;
			Ok(())
		})?;

		let id = NextContributionId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::ContributionIdsExhausted)?;
		let now = frame_system::Pallet::<T>::block_number();
		let review_until = now.saturating_add(T::ReviewWindow::get());
		ReviewDeadlines::<T>::try_mutate(review_until.saturating_add(One::one()), |due| {
			due.try_push(id).map_err(|_| Error::<T>::ReviewQueueFull)
		})?;
		let deposit = T::ContributionDeposit::get();
		T::Currency::hold(&HoldReason::ContributionDeposit.into(), &who, deposit)?;

		Contributions::<T>::insert(
			id,
			Contribution::<T> {
				dataset,
				contributor: who.clone(),
				digest,
				size,
				url,
				label,
				deposit,
				submitted_at: now,
				review_until,
				status: ContributionStatus::Pending { votes: BoundedVec::new() },
			},
		);
		NextContributionId::<T>::put(next);
		ContributionDigests::<T>::insert(dataset, digest, id);
		DatasetContributions::<T>::insert(dataset, OrderedId::from(id), ());
		ContributorContributions::<T>::insert(&who, OrderedId::from(id), ());
		info.pending = info.pending.saturating_add(1);
		Datasets::<T>::insert(dataset, info);
		Self::deposit_event(Event::Contributed { contribution: id, dataset, contributor: who, digest, size });
		Ok(())
	}

	/// Expires the reviews due at `now`: deposits return, and every curator of the dataset
	/// who did not vote gets a strike. The expired and the rejected contributions of this
	/// deadline are scheduled for removal `ContributionRetention` blocks later. Returns how
	/// many contributions the deadline held and how many curators were struck.
	pub(crate) fn expire_reviews(now: BlockNumberFor<T>) -> (u32, u64) {
		let due = ReviewDeadlines::<T>::take(now);
		let count = due.len() as u32;
		let mut absences = 0u64;
		let mut prunable = Vec::new();
		for id in due {
			let Some(mut contribution) = Contributions::<T>::get(id) else {
				defensive!("a review deadline of an unknown contribution");
				continue;
			};
			match contribution.status {
				ContributionStatus::Pending { .. } => prunable.push(id),
				ContributionStatus::Rejected { .. } => {
					prunable.push(id);
					continue;
				},
				_ => continue,
			}
			Self::release_deposit(&contribution);
			ContributionDigests::<T>::remove(contribution.dataset, contribution.digest);
			let voters: Vec<T::AccountId> = match &contribution.status {
				ContributionStatus::Pending { votes } => votes.iter().map(|(who, _)| who.clone()).collect(),
				_ => Vec::new(),
			};
			Datasets::<T>::mutate(contribution.dataset, |info| {
				if let Some(info) = info {
					info.pending = info.pending.saturating_sub(1);
					let absent: Vec<T::AccountId> = info
						.policy
						.curators
						.iter()
						.filter(|curator| !voters.contains(curator) && **curator != contribution.contributor)
						.cloned()
						.collect();
					for curator in absent {
						absences += 1;
						Self::deposit_event(Event::CuratorMissedReview {
							dataset: contribution.dataset,
							curator: curator.clone(),
							contribution: id,
						});
						Self::strike(contribution.dataset, info, &curator);
					}
				}
			});
			contribution.status = ContributionStatus::Expired;
			Contributions::<T>::insert(id, contribution);
			Self::deposit_event(Event::ReviewExpired { contribution: id });
		}
		if !prunable.is_empty() {
			// One deadline's contributions fit one bucket: both are `MaxReviewsPerBlock` long.
			PruneSchedule::<T>::insert(
				now.saturating_add(T::ContributionRetention::get()),
				BoundedVec::truncate_from(prunable),
			);
		}
		(count, absences)
	}

	/// Removes the rejected and expired contributions whose retention ends at `now`, with
	/// their index entries; returns how many.
	pub(crate) fn prune_contributions(now: BlockNumberFor<T>) -> u32 {
		let due = PruneSchedule::<T>::take(now);
		for id in &due {
			let Some(contribution) = Contributions::<T>::take(id) else {
				defensive!("a pruned contribution is gone already");
				continue;
			};
			DatasetContributions::<T>::remove(contribution.dataset, OrderedId::from(*id));
			ContributorContributions::<T>::remove(&contribution.contributor, OrderedId::from(*id));
		}
		due.len() as u32
	}

	/// Releases a pending contribution's whole deposit to its contributor.
	pub(crate) fn release_deposit(contribution: &Contribution<T>) {
		if T::Currency::release(
			&HoldReason::ContributionDeposit.into(),
			&contribution.contributor,
			contribution.deposit,
			Precision::Exact,
		)
		.is_err()
		{
			defensive!("a pending contribution's deposit is held in full");
		}
	}
}

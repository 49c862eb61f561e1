//! Curators' votes, quorum decisions, deposits after a decision and curator standing.

use crate::{pallet::*, rewards::points_for, *};
use alloc::vec::Vec;
use frame_support::{
	defensive, ensure,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

/// What a set of votes decides under `quorum`, if anything.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decision {
	/// Accepted at this mean quality (1..=100).
	Accept { quality: u64 },
	/// Rejected for the most common reason among rejections (the earliest on a tie).
	Reject { reason: RejectReason },
}

/// The decision `votes` reach with `quorum` matching votes, if any.
pub fn decide<AccountId>(votes: &[(AccountId, Vote)], quorum: u32) -> Option<Decision> {
	let accepts: Vec<u64> = votes
		.iter()
		.filter_map(|(_, vote)| match vote {
			Vote::Accept { quality } => Some(u64::from(*quality)),
			Vote::Reject { .. } => None,
		})
		.collect();
	let rejects: Vec<RejectReason> = votes
		.iter()
		.filter_map(|(_, vote)| match vote {
			Vote::Reject { reason } => Some(*reason),
			Vote::Accept { .. } => None,
		})
		.collect();
	if accepts.len() as u32 >= quorum && !accepts.is_empty() {
		let quality = accepts.iter().sum::<u64>() / accepts.len() as u64;
		return Some(Decision::Accept { quality });
	}
	if rejects.len() as u32 >= quorum && !rejects.is_empty() {
		let count = |reason: &RejectReason| rejects.iter().filter(|r| *r == reason).count();
		let mut reason = rejects[0];
		for candidate in &rejects {
			if count(candidate) > count(&reason) {
				reason = *candidate;
			}
		}
		return Some(Decision::Reject { reason });
	}
	None
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_review(curator: T::AccountId, id: ContributionId, vote: Vote) -> DispatchResult {
		let mut contribution = Contributions::<T>::get(id).ok_or(Error::<T>::UnknownContribution)?;
		let ContributionStatus::Pending { mut votes } = contribution.status.clone() else {
			return Err(Error::<T>::NotPending.into());
		};
		let dataset = contribution.dataset;
		let mut info = Self::touched_dataset(dataset)?;
		ensure!(info.policy.curators.contains(&curator), Error::<T>::NotCurator);
		ensure!(curator != contribution.contributor, Error::<T>::OwnContribution);
		ensure!(votes.iter().all(|(voter, _)| *voter != curator), Error::<T>::AlreadyVoted);
		if let Vote::Accept { quality } = vote {
			ensure!((1..=MAX_QUALITY).contains(&quality), Error::<T>::InvalidQuality);
		}
		// Every voter is a curator, at most `MaxCurators` distinct ones.
		if votes.try_push((curator.clone(), vote)).is_err() {
			defensive!("distinct curators fit in MaxCurators votes");
			return Err(Error::<T>::NotCurator.into());
		}
		Self::deposit_event(Event::Voted { contribution: id, curator, vote });

		match decide(&votes, info.policy.quorum) {
			None => contribution.status = ContributionStatus::Pending { votes },
			Some(decision) => {
				info.pending = info.pending.saturating_sub(1);
				Self::update_standings(dataset, &mut info, &votes, decision);
				contribution.status = match decision {
					Decision::Accept { quality } => Self::accept(id, &contribution, &mut info, quality),
					Decision::Reject { reason } => Self::reject(id, &contribution, &mut info, reason),
				};
			},
		}
		Contributions::<T>::insert(id, contribution);
		Datasets::<T>::insert(dataset, info);
		Ok(())
	}

	/// Returns the deposit and adds the contribution's points to the dataset's era.
	fn accept(
		id: ContributionId,
		contribution: &Contribution<T>,
		info: &mut DatasetInfo<T>,
		quality: u64,
	) -> ContributionStatus<T> {
		Self::release_deposit(contribution);
		let points = points_for(quality, contribution.size);
		info.era_points = info.era_points.saturating_add(points.into());
		info.accepted = info.accepted.saturating_add(1);
		Self::deposit_event(Event::Accepted { contribution: id, era: info.era, points });
		ContributionStatus::Accepted { era: info.era, points, claimed: false }
	}

	/// Moves `RejectionPenalty` of the deposit to the dataset's pot, returns the rest, and
	/// frees the digest for a corrected resubmission.
	fn reject(
		id: ContributionId,
		contribution: &Contribution<T>,
		info: &mut DatasetInfo<T>,
		reason: RejectReason,
	) -> ContributionStatus<T> {
		let dataset = contribution.dataset;
		let penalty = T::RejectionPenalty::get().mul_floor(contribution.deposit);
		let mut taken = Zero::zero();
		if !penalty.is_zero() {
			match T::Currency::transfer_on_hold(
				&HoldReason::ContributionDeposit.into(),
				&contribution.contributor,
				&Self::dataset_account(dataset),
				penalty,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			) {
				Ok(amount) => taken = amount,
				Err(_) => {
					defensive!("a pending contribution's deposit is held in full");
				},
			}
		}
		let rest = contribution.deposit.saturating_sub(taken);
		if !rest.is_zero() &&
			T::Currency::release(
				&HoldReason::ContributionDeposit.into(),
				&contribution.contributor,
				rest,
				Precision::Exact,
			)
			.is_err()
		{
			defensive!("a pending contribution's deposit is held in full");
		}
		ContributionDigests::<T>::remove(dataset, contribution.digest);
		info.pot = info.pot.saturating_add(taken);
		if !taken.is_zero() {
			Self::deposit_event(Event::PotFunded { dataset, amount: taken, source: PotSource::Penalty });
		}
		Self::deposit_event(Event::Rejected { contribution: id, reason, penalty: taken });
		ContributionStatus::Rejected { reason }
	}

	/// Gives each voter a strike for voting against `decision` or takes one away for voting
	/// with it; removes curators at `CuratorStrikeLimit` strikes while more than `quorum`
	/// curators remain.
	fn update_standings(
		dataset: DatasetId,
		info: &mut DatasetInfo<T>,
		votes: &[(T::AccountId, Vote)],
		decision: Decision,
	) {
		let accepted = matches!(decision, Decision::Accept { .. });
		for (curator, vote) in votes {
			if vote.accepts() == accepted {
				CuratorStandings::<T>::mutate(dataset, curator, |standing| {
					standing.agreed = standing.agreed.saturating_add(1);
					standing.strikes = standing.strikes.saturating_sub(1);
				});
			} else {
				CuratorStandings::<T>::mutate(dataset, curator, |standing| {
					standing.disagreed = standing.disagreed.saturating_add(1);
				});
				Self::strike(dataset, info, curator);
			}
		}
	}

	/// Gives `curator` a strike (a vote against a decision, or a review it let expire) and
	/// removes it at `CuratorStrikeLimit` strikes while more than `quorum` curators remain.
	pub(crate) fn strike(dataset: DatasetId, info: &mut DatasetInfo<T>, curator: &T::AccountId) {
		let strikes = CuratorStandings::<T>::mutate(dataset, curator, |standing| {
			standing.strikes = standing.strikes.saturating_add(1);
			standing.strikes
		});
		let limit = T::CuratorStrikeLimit::get();
		if limit > 0 && strikes >= limit && info.policy.curators.len() as u32 > info.policy.quorum {
			if let Some(index) = info.policy.curators.iter().position(|c| c == curator) {
				info.policy.curators.remove(index);
				Self::deposit_event(Event::CuratorRemoved { dataset, curator: curator.clone(), strikes });
			}
		}
	}
}

//! Read-only views for the runtime API: datasets, contributions and pending rewards, as
//! they would be after the dataset's next touch (eras that have ended count as finished).

use crate::{pallet::*, rewards::share_of, *};
use alloc::vec::Vec;
use infera_primitives::ordered_ids_from;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::{Saturating, Zero};

/// A dataset as dApps read it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct DatasetDetails<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: DatasetId,
	/// Who created it (the treasury's account for public datasets).
	pub sponsor: AccountId,
	/// The account holding its pot: send funds here to add to the pot.
	pub account: AccountId,
	/// Name.
	pub name: Vec<u8>,
	/// Description.
	pub description: Vec<u8>,
	/// Licence of the data.
	pub licence: Vec<u8>,
	/// Format of one contribution.
	pub format: Vec<u8>,
	/// Acceptance rules, as text.
	pub rules: Vec<u8>,
	/// SHA-256 of the full rules document.
	pub rules_digest: H256,
	/// Curators with their standing.
	pub curators: Vec<(AccountId, CuratorStanding)>,
	/// Matching votes that decide.
	pub quorum: u32,
	/// Most paid per era (`None`: the whole pot).
	pub reward_per_era: Option<Balance>,
	/// Funds not yet given to an era, including funds sent straight to the account.
	pub pot: Balance,
	/// Given to finished eras and not yet claimed.
	pub owed: Balance,
	/// Total received from inference fees of models trained on it.
	pub lineage_income: Balance,
	/// The era collecting points (it may have ended and wait for the next touch).
	pub era: EraIndex,
	/// Points accepted in `era`.
	pub era_points: u128,
	/// The era of the current block.
	pub current_era: EraIndex,
	/// Contributions accepted so far.
	pub accepted: u32,
	/// Contributions waiting for review.
	pub pending: u32,
	/// Block of creation.
	pub created_at: BlockNumber,
}

/// Where a contribution is, as dApps read it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum ContributionState<AccountId> {
	/// Waiting for review; the votes so far.
	Pending { votes: Vec<(AccountId, Vote)> },
	/// Accepted in `era` with `points`; `claimed` once paid.
	Accepted { era: EraIndex, points: u64, claimed: bool },
	/// Rejected.
	Rejected { reason: RejectReason },
	/// Not decided in time.
	Expired,
}

/// A contribution as dApps read it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ContributionDetails<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: ContributionId,
	/// Its dataset.
	pub dataset: DatasetId,
	/// Who submitted it.
	pub contributor: AccountId,
	/// SHA-256 of the content.
	pub digest: H256,
	/// Size in bytes.
	pub size: u64,
	/// Where the content is.
	pub url: Vec<u8>,
	/// Optional label.
	pub label: Option<Vec<u8>>,
	/// Deposit held while pending.
	pub deposit: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Last block curators may vote in.
	pub review_until: BlockNumber,
	/// Review status.
	pub state: ContributionState<AccountId>,
}

/// The reward of one accepted, unclaimed contribution.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct PendingReward<Balance> {
	/// The contribution.
	pub contribution: ContributionId,
	/// Its dataset.
	pub dataset: DatasetId,
	/// The era it was accepted in.
	pub era: EraIndex,
	/// Its points.
	pub points: u64,
	/// What it gets: exact once the era has finished, else what it would get if the era
	/// finished now.
	pub amount: Balance,
	/// Whether `claim` pays it now (its era has finished).
	pub claimable: bool,
}

/// An account's unclaimed rewards.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct PendingRewards<Balance> {
	/// Sum of the claimable amounts.
	pub claimable: Balance,
	/// Sum of the estimates for eras still running.
	pub estimated: Balance,
	/// Per contribution.
	pub rewards: Vec<PendingReward<Balance>>,
}

impl<T: Config> Pallet<T> {
	/// The pot including funds sent straight to the dataset's account.
	fn projected_pot(dataset: DatasetId, info: &DatasetInfo<T>) -> BalanceOf<T> {
		info.pot.saturating_add(Self::unaccounted(dataset, info))
	}

	/// A dataset, unless unknown.
	pub fn dataset_details(
		dataset: DatasetId,
	) -> Option<DatasetDetails<T::AccountId, BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>> {
		let info = Datasets::<T>::get(dataset)?;
		let curators = info
			.policy
			.curators
			.iter()
			.map(|curator| (curator.clone(), CuratorStandings::<T>::get(dataset, curator)))
			.collect();
		Some(DatasetDetails {
			id: dataset,
			sponsor: info.sponsor.clone(),
			account: Self::dataset_account(dataset),
			name: info.spec.name.to_vec(),
			description: info.spec.description.to_vec(),
			licence: info.spec.licence.to_vec(),
			format: info.spec.format.to_vec(),
			rules: info.spec.rules.to_vec(),
			rules_digest: info.spec.rules_digest,
			curators,
			quorum: info.policy.quorum,
			reward_per_era: info.policy.reward_per_era,
			pot: Self::projected_pot(dataset, &info),
			owed: info.owed,
			lineage_income: info.lineage_income,
			era: info.era,
			era_points: info.era_points,
			current_era: Self::current_era(),
			accepted: info.accepted,
			pending: info.pending,
			created_at: info.created_at,
		})
	}

	/// A contribution, unless unknown.
	pub fn contribution_details(
		id: ContributionId,
	) -> Option<ContributionDetails<T::AccountId, BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>> {
		let contribution = Contributions::<T>::get(id)?;
		let state = match contribution.status {
			ContributionStatus::Pending { votes } => ContributionState::Pending { votes: votes.into_inner() },
			ContributionStatus::Accepted { era, points, claimed } =>
				ContributionState::Accepted { era, points, claimed },
			ContributionStatus::Rejected { reason } => ContributionState::Rejected { reason },
			ContributionStatus::Expired => ContributionState::Expired,
		};
		Some(ContributionDetails {
			id,
			dataset: contribution.dataset,
			contributor: contribution.contributor,
			digest: contribution.digest,
			size: contribution.size,
			url: contribution.url.into_inner(),
			label: contribution.label.map(|label| label.into_inner()),
			deposit: contribution.deposit,
			submitted_at: contribution.submitted_at,
			review_until: contribution.review_until,
			state,
		})
	}

	/// Up to `limit` contributions with id ≥ `start`, of `dataset` or of `contributor`, in
	/// id order. Reads only those: the indices sort by id ([`OrderedId`]).
	pub fn contributions_page(
		by: ContributionsOf<T::AccountId>,
		start: ContributionId,
		limit: u32,
	) -> Vec<ContributionDetails<T::AccountId, BalanceOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>>> {
		let ids: Vec<ContributionId> = match by {
			ContributionsOf::Dataset(dataset) =>
				ordered_ids_from::<DatasetContributions<T>, _>(&dataset, start).take(limit as usize).collect(),
			ContributionsOf::Contributor(who) =>
				ordered_ids_from::<ContributorContributions<T>, _>(&who, start).take(limit as usize).collect(),
		};
		ids.into_iter().filter_map(Self::contribution_details).collect()
	}

	/// What `who`'s accepted contributions have not yet been paid.
	pub fn pending_rewards(who: T::AccountId) -> PendingRewards<BalanceOf<T>> {
		let current = Self::current_era();
		let mut pending = PendingRewards::<BalanceOf<T>> { claimable: Zero::zero(), estimated: Zero::zero(), rewards: Vec::new() };
		for key in ContributorContributions::<T>::iter_key_prefix(&who) {
			let id = ContributionId::from(key);
			let Some(contribution) = Contributions::<T>::get(id) else { continue };
			let ContributionStatus::Accepted { era, points, claimed: false } = contribution.status else {
				continue;
			};
			let dataset = contribution.dataset;
			let Some(info) = Datasets::<T>::get(dataset) else { continue };
			let (amount, claimable) = if era < info.era {
				let amount = EraRewards::<T>::get(dataset, era)
					.map(|reward| share_of(reward.reward, points.into(), reward.points))
					.unwrap_or_default();
				(amount, true)
			} else {
				// The dataset's collecting era: finished if the chain has moved past it.
				let reward = info.policy.era_reward(Self::projected_pot(dataset, &info));
				(share_of(reward, points.into(), info.era_points), current > era)
			};
			if claimable {
				pending.claimable = pending.claimable.saturating_add(amount);
			} else {
				pending.estimated = pending.estimated.saturating_add(amount);
			}
			pending.rewards.push(PendingReward { contribution: id, dataset, era, points, amount, claimable });
		}
		pending.rewards.sort_by_key(|reward| reward.contribution);
		pending
	}
}

/// Whose contributions to list.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum ContributionsOf<AccountId> {
	/// A dataset's.
	Dataset(DatasetId),
	/// An account's.
	Contributor(AccountId),
}

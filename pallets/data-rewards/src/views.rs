//! Read-only views for the runtime API: datasets, contributions and pending rewards, as
//! they would be after the dataset's next touch (eras that have ended count as finished).
//! The `infera_*` JSON-RPC methods serialise them as they are (camelCase fields, balances
//! and point totals as decimal strings, accounts as SS58, texts as UTF-8; see
//! [`infera_primitives::json`]).

use crate::{pallet::*, rewards::share_of, *};
use alloc::vec::Vec;
use infera_primitives::ordered_ids_from;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::{Saturating, Zero};
#[cfg(feature = "std")]
use {
	infera_primitives::json,
	serde::{ser::SerializeStruct, Serialize, Serializer},
};

/// A dataset as dApps read it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct DatasetDetails<AccountId, Balance, BlockNumber> {
	/// Its id.
	pub id: DatasetId,
	/// Who created it (the treasury's account for public datasets).
	pub sponsor: AccountId,
	/// The account holding its pot: send funds here to add to the pot.
	pub account: AccountId,
	/// Name.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub name: Vec<u8>,
	/// Description.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub description: Vec<u8>,
	/// Licence of the data.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub licence: Vec<u8>,
	/// Format of one contribution.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub format: Vec<u8>,
	/// Acceptance rules, as text.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub rules: Vec<u8>,
	/// SHA-256 of the full rules document.
	pub rules_digest: H256,
	/// Curators with their standing; in JSON `[{"account", "agreed", "disagreed", "strikes"}]`.
	#[cfg_attr(feature = "std", serde(serialize_with = "curators_json"))]
	pub curators: Vec<(AccountId, CuratorStanding)>,
	/// Matching votes that decide.
	pub quorum: u32,
	/// Most paid per era (`None`: the whole pot).
	#[cfg_attr(feature = "std", serde(with = "json::option_balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub reward_per_era: Option<Balance>,
	/// Funds not yet given to an era, including funds sent straight to the account.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub pot: Balance,
	/// Given to finished eras and not yet claimed.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub owed: Balance,
	/// Total received from inference fees of models trained on it.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub lineage_income: Balance,
	/// The era collecting points (it may have ended and wait for the next touch).
	pub era: EraIndex,
	/// Points accepted in `era`.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
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

/// Where a contribution is, as dApps read it. In JSON its fields are flattened into the
/// contribution's: `status` (`pending`, `accepted`, `rejected` or `expired`), `votes` (so
/// far, while pending: `[{"curator", "vote": "accept" | "reject", "quality", "reason"}]`),
/// `era`, `points` and `claimed` (once accepted) and `rejectReason`, `null` where they do
/// not apply.
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
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
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
	#[cfg_attr(feature = "std", serde(rename = "sizeBytes"))]
	pub size: u64,
	/// Where the content is.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub url: Vec<u8>,
	/// Optional label.
	#[cfg_attr(feature = "std", serde(with = "json::option_text"))]
	pub label: Option<Vec<u8>>,
	/// Deposit held while pending.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub deposit: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Last block curators may vote in.
	pub review_until: BlockNumber,
	/// Review status.
	#[cfg_attr(feature = "std", serde(flatten))]
	pub state: ContributionState<AccountId>,
}

/// The reward of one accepted, unclaimed contribution.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
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
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub amount: Balance,
	/// Whether `claim` pays it now (its era has finished).
	pub claimable: bool,
}

/// An account's unclaimed rewards.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct PendingRewards<Balance> {
	/// Sum of the claimable amounts.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub claimable: Balance,
	/// Sum of the estimates for eras still running.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
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

/// Serialises `(account, standing)` pairs as `{"account", "agreed", "disagreed", "strikes"}`.
#[cfg(feature = "std")]
fn curators_json<AccountId: Serialize, S: Serializer>(
	curators: &[(AccountId, CuratorStanding)],
	serializer: S,
) -> Result<S::Ok, S::Error> {
	#[derive(Serialize)]
	struct Curator<'a, AccountId> {
		account: &'a AccountId,
		#[serde(flatten)]
		standing: &'a CuratorStanding,
	}
	serializer.collect_seq(curators.iter().map(|(account, standing)| Curator { account, standing }))
}

#[cfg(feature = "std")]
impl<AccountId: Serialize> Serialize for ContributionState<AccountId> {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		#[derive(Serialize)]
		struct CuratorVote<'a, AccountId> {
			curator: &'a AccountId,
			vote: &'static str,
			quality: Option<u8>,
			reason: Option<RejectReason>,
		}
		let votes: Vec<_> = match self {
			ContributionState::Pending { votes } => votes
				.iter()
				.map(|(curator, vote)| match *vote {
					Vote::Accept { quality } =>
						CuratorVote { curator, vote: "accept", quality: Some(quality), reason: None },
					Vote::Reject { reason } =>
						CuratorVote { curator, vote: "reject", quality: None, reason: Some(reason) },
				})
				.collect(),
			_ => Vec::new(),
		};
		let (status, accepted, reject_reason) = match self {
			ContributionState::Pending { .. } => ("pending", None, None),
			ContributionState::Accepted { era, points, claimed } => ("accepted", Some((era, points, claimed)), None),
			ContributionState::Rejected { reason } => ("rejected", None, Some(reason)),
			ContributionState::Expired => ("expired", None, None),
		};
		let mut json = serializer.serialize_struct("ContributionState", 6)?;
		json.serialize_field("status", status)?;
		json.serialize_field("votes", &votes)?;
		json.serialize_field("era", &accepted.map(|(era, _, _)| era))?;
		json.serialize_field("points", &accepted.map(|(_, points, _)| points))?;
		json.serialize_field("claimed", &accepted.map(|(_, _, claimed)| claimed))?;
		json.serialize_field("rejectReason", &reject_reason)?;
		json.end()
	}
}

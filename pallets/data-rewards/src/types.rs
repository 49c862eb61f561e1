//! Datasets, contributions, votes and era rewards as stored.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use infera_primitives::DatasetId;
use scale_info::TypeInfo;
use sp_core::H256;

/// Sequential contribution identifier.
pub type ContributionId = u64;
/// Index of a reward era: `block / EraLength`.
pub type EraIndex = u32;
/// Highest quality score a curator can give.
pub const MAX_QUALITY: u8 = 100;

/// The curators of a dataset.
pub type CuratorsOf<T> = BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxCurators>;
/// A URL of a contribution's content.
pub type UrlOf<T> = BoundedVec<u8, <T as Config>::MaxUrlLen>;
/// A contribution's optional label or metadata.
pub type LabelOf<T> = BoundedVec<u8, <T as Config>::MaxLabelLen>;

/// What a sponsor says about a dataset when creating it.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct DatasetSpec<T: Config> {
	/// Short human-readable name.
	pub name: BoundedVec<u8, T::MaxNameLen>,
	/// What the dataset is for.
	pub description: BoundedVec<u8, T::MaxDescriptionLen>,
	/// Licence of the contributed data (SPDX identifier or URL).
	pub licence: BoundedVec<u8, T::MaxNameLen>,
	/// Schema or format of one contribution (e.g. `jsonl {text,label}`).
	pub format: BoundedVec<u8, T::MaxNameLen>,
	/// Acceptance rules curators apply, as text.
	pub rules: BoundedVec<u8, T::MaxDescriptionLen>,
	/// SHA-256 of the full acceptance rules document.
	pub rules_digest: H256,
}

/// How a dataset is reviewed and paid.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ReviewPolicy<T: Config> {
	/// Accounts that review contributions.
	pub curators: CuratorsOf<T>,
	/// Matching votes that decide a contribution (`1..=curators`).
	pub quorum: u32,
	/// Most paid out of the pot for one era; `None` pays the whole pot.
	pub reward_per_era: Option<BalanceOf<T>>,
}

impl<T: Config> ReviewPolicy<T> {
	/// What a finished era takes from a pot holding `pot`: all of it, or at most the cap.
	pub fn era_reward(&self, pot: BalanceOf<T>) -> BalanceOf<T> {
		match self.reward_per_era {
			Some(cap) => cap.min(pot),
			None => pot,
		}
	}
}

/// A curated dataset.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
#[scale_info(skip_type_params(T))]
pub struct DatasetInfo<T: Config> {
	/// Who created it (the treasury's account for public datasets); may change its policy.
	pub sponsor: T::AccountId,
	/// Name, licence, format and rules.
	pub spec: DatasetSpec<T>,
	/// Curators, quorum and payout.
	pub policy: ReviewPolicy<T>,
	/// Funds in the dataset's account not yet given to an era.
	pub pot: BalanceOf<T>,
	/// Funds in the dataset's account given to finished eras and not yet claimed.
	pub owed: BalanceOf<T>,
	/// Total received from the data-lineage share of inference fees.
	pub lineage_income: BalanceOf<T>,
	/// The era whose accepted contributions are collecting points.
	pub era: EraIndex,
	/// Points accepted in `era` so far.
	pub era_points: u128,
	/// Contributions accepted so far.
	pub accepted: u32,
	/// Contributions waiting for review.
	pub pending: u32,
	/// Block of creation.
	pub created_at: BlockNumberFor<T>,
}

/// Why curators reject a contribution.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub enum RejectReason {
	/// Does not follow the dataset's schema or format.
	OffSchema,
	/// Follows the format but is not useful (noise, near-duplicate, wrong labels).
	LowQuality,
	/// Content the contributor may not license as the dataset requires.
	Licence,
	/// The content could not be fetched or does not match its digest or size.
	Unavailable,
	/// Harmful or adversarial content (poisoning, malware, personal data).
	Malicious,
}

/// A curator's vote on a contribution.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum Vote {
	/// Accept, with a quality score `1..=100`.
	Accept { quality: u8 },
	/// Reject, saying why.
	Reject { reason: RejectReason },
}

impl Vote {
	/// Whether the vote accepts.
	pub fn accepts(&self) -> bool {
		matches!(self, Vote::Accept { .. })
	}
}

/// Where a contribution is in its review.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
#[scale_info(skip_type_params(T))]
pub enum ContributionStatus<T: Config> {
	/// Waiting for a quorum; the votes so far.
	Pending { votes: BoundedVec<(T::AccountId, Vote), T::MaxCurators> },
	/// Accepted: earns `points` in `era`; `claimed` once its reward was paid.
	Accepted { era: EraIndex, points: u64, claimed: bool },
	/// Rejected for `reason` (the most common among the rejecting votes).
	Rejected { reason: RejectReason },
	/// Not decided within the review window; the deposit was returned.
	Expired,
}

/// A contribution to a dataset.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound)]
#[scale_info(skip_type_params(T))]
pub struct Contribution<T: Config> {
	/// The dataset it was submitted to.
	pub dataset: DatasetId,
	/// Who submitted it (and receives its reward).
	pub contributor: T::AccountId,
	/// SHA-256 of the content.
	pub digest: H256,
	/// Size of the content in bytes.
	pub size: u64,
	/// Where curators fetch the content.
	pub url: UrlOf<T>,
	/// Optional label or metadata.
	pub label: Option<LabelOf<T>>,
	/// Held under `HoldReason::ContributionDeposit` while pending.
	pub deposit: BalanceOf<T>,
	/// Block of submission.
	pub submitted_at: BlockNumberFor<T>,
	/// Last block in which curators may vote.
	pub review_until: BlockNumberFor<T>,
	/// Pending, accepted, rejected or expired.
	pub status: ContributionStatus<T>,
}

/// The reward of a finished era of a dataset, paid out claim by claim.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug, Default,
)]
pub struct EraReward<Balance> {
	/// Taken from the pot when the era finished.
	pub reward: Balance,
	/// Points accepted in the era.
	pub points: u128,
	/// Points whose reward was claimed.
	pub claimed_points: u128,
	/// Paid out so far.
	pub paid: Balance,
}

/// How a curator's votes compare with the decisions of a dataset's quorum.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize))]
pub struct CuratorStanding {
	/// Votes on the side that decided.
	pub agreed: u32,
	/// Votes against the decision.
	pub disagreed: u32,
	/// Disagreements and expired reviews it did not vote on, not yet offset by agreements;
	/// at `CuratorStrikeLimit` the curator is removed.
	pub strikes: u32,
}

/// The current reward era.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default,
)]
pub struct EraClock<BlockNumber> {
	/// Its index, from 0 at genesis.
	pub index: EraIndex,
	/// The block it started at.
	pub started_at: BlockNumber,
}

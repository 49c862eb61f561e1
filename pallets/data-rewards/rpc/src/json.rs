//! The JSON shapes returned by the `infera_*` data-rewards methods.
//!
//! Balances and point totals are decimal strings, accounts SS58 strings, digests 0x hex,
//! texts UTF-8 (lossy), block numbers and eras integers.

use pallet_data_rewards_runtime_api::{
	ContributionDetails, ContributionState, CuratorStanding, DatasetDetails, PendingRewards,
	RejectReason, Vote,
};
use serde::Serialize;
use sp_core::H256;

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

/// A dataset.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DatasetJson {
	pub id: u32,
	pub sponsor: String,
	/// Funds sent here join the pot.
	pub account: String,
	pub name: String,
	pub description: String,
	pub licence: String,
	pub format: String,
	pub rules: String,
	pub rules_digest: H256,
	pub curators: Vec<CuratorJson>,
	pub quorum: u32,
	/// `null`: each finished era takes the whole pot.
	pub reward_per_era: Option<String>,
	pub pot: String,
	pub owed: String,
	pub lineage_income: String,
	pub era: u32,
	pub era_points: String,
	pub current_era: u32,
	pub accepted: u32,
	pub pending: u32,
	pub created_at: u64,
}

/// A curator and its standing.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CuratorJson {
	pub account: String,
	pub agreed: u32,
	pub disagreed: u32,
	pub strikes: u32,
}

/// A curator's vote.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VoteJson {
	pub curator: String,
	/// `accept` or `reject`.
	pub vote: &'static str,
	pub quality: Option<u8>,
	pub reason: Option<&'static str>,
}

/// A contribution.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContributionJson {
	pub id: u64,
	pub dataset: u32,
	pub contributor: String,
	pub digest: H256,
	pub size_bytes: u64,
	pub url: String,
	pub label: Option<String>,
	pub deposit: String,
	pub submitted_at: u64,
	pub review_until: u64,
	/// `pending`, `accepted`, `rejected` or `expired`.
	pub status: &'static str,
	/// Votes so far, while pending.
	pub votes: Vec<VoteJson>,
	/// Era and points once accepted.
	pub era: Option<u32>,
	pub points: Option<u64>,
	pub claimed: Option<bool>,
	/// Why it was rejected.
	pub reject_reason: Option<&'static str>,
}

/// One unpaid reward.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PendingRewardJson {
	pub contribution: u64,
	pub dataset: u32,
	pub era: u32,
	pub points: u64,
	/// Exact when `claimable`, else what it would be if the era finished now.
	pub amount: String,
	pub claimable: bool,
}

/// An account's unpaid rewards.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PendingRewardsJson {
	pub claimable: String,
	pub estimated: String,
	pub rewards: Vec<PendingRewardJson>,
}

/// The camelCase name of a rejection reason.
pub fn reason_name(reason: RejectReason) -> &'static str {
	match reason {
		RejectReason::OffSchema => "offSchema",
		RejectReason::LowQuality => "lowQuality",
		RejectReason::Licence => "licence",
		RejectReason::Unavailable => "unavailable",
		RejectReason::Malicious => "malicious",
	}
}

impl DatasetJson {
	pub fn from_details<AccountId, Balance, BlockNumber>(d: DatasetDetails<AccountId, Balance, BlockNumber>) -> Self
	where
		AccountId: std::fmt::Display,
		Balance: ToString,
		BlockNumber: Into<u64>,
	{
		let curator = |(account, standing): (AccountId, CuratorStanding)| CuratorJson {
			account: account.to_string(),
			agreed: standing.agreed,
			disagreed: standing.disagreed,
			strikes: standing.strikes,
		};
		DatasetJson {
			id: d.id,
			sponsor: d.sponsor.to_string(),
			account: d.account.to_string(),
			name: text(&d.name),
			description: text(&d.description),
			licence: text(&d.licence),
			format: text(&d.format),
			rules: text(&d.rules),
			rules_digest: d.rules_digest,
			curators: d.curators.into_iter().map(curator).collect(),
			quorum: d.quorum,
			reward_per_era: d.reward_per_era.map(|cap| cap.to_string()),
			pot: d.pot.to_string(),
			owed: d.owed.to_string(),
			lineage_income: d.lineage_income.to_string(),
			era: d.era,
			era_points: d.era_points.to_string(),
			current_era: d.current_era,
			accepted: d.accepted,
			pending: d.pending,
			created_at: d.created_at.into(),
		}
	}
}

impl ContributionJson {
	pub fn from_details<AccountId, Balance, BlockNumber>(
		c: ContributionDetails<AccountId, Balance, BlockNumber>,
	) -> Self
	where
		AccountId: std::fmt::Display,
		Balance: ToString,
		BlockNumber: Into<u64>,
	{
		let mut json = ContributionJson {
			id: c.id,
			dataset: c.dataset,
			contributor: c.contributor.to_string(),
			digest: c.digest,
			size_bytes: c.size,
			url: text(&c.url),
			label: c.label.as_deref().map(text),
			deposit: c.deposit.to_string(),
			submitted_at: c.submitted_at.into(),
			review_until: c.review_until.into(),
			status: "pending",
			votes: Vec::new(),
			era: None,
			points: None,
			claimed: None,
			reject_reason: None,
		};
		match c.state {
			ContributionState::Pending { votes } => {
				json.votes = votes
					.into_iter()
					.map(|(curator, vote)| match vote {
						Vote::Accept { quality } => VoteJson {
							curator: curator.to_string(),
							vote: "accept",
							quality: Some(quality),
							reason: None,
						},
						Vote::Reject { reason } => VoteJson {
							curator: curator.to_string(),
							vote: "reject",
							quality: None,
							reason: Some(reason_name(reason)),
						},
					})
					.collect();
			},
			ContributionState::Accepted { era, points, claimed } => {
				json.status = "accepted";
				(json.era, json.points, json.claimed) = (Some(era), Some(points), Some(claimed));
			},
			ContributionState::Rejected { reason } => {
				json.status = "rejected";
				json.reject_reason = Some(reason_name(reason));
			},
			ContributionState::Expired => json.status = "expired",
		}
		json
	}
}

impl PendingRewardsJson {
	pub fn from_rewards<Balance: ToString>(pending: PendingRewards<Balance>) -> Self {
		PendingRewardsJson {
			claimable: pending.claimable.to_string(),
			estimated: pending.estimated.to_string(),
			rewards: pending
				.rewards
				.into_iter()
				.map(|reward| PendingRewardJson {
					contribution: reward.contribution,
					dataset: reward.dataset,
					era: reward.era,
					points: reward.points,
					amount: reward.amount.to_string(),
					claimable: reward.claimable,
				})
				.collect(),
		}
	}
}

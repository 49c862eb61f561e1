//! The JSON shapes returned by the `infera_*` model methods.
//!
//! Balances are decimal strings (they exceed JavaScript's safe integers), accounts are
//! SS58 strings, digests and CIDs are 0x-prefixed hex, names and reasons are UTF-8 text.

use pallet_model_registry_runtime_api::{
	DigestLocation, ModelDetails, RankedModel, UsageStats, VersionDetails, VersionStatus,
};
use serde::Serialize;
use sp_core::H256;

/// A model with all its versions and usage.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ModelJson {
	pub id: u32,
	pub owner: String,
	pub pending_owner: Option<String>,
	pub name: String,
	pub task: &'static str,
	pub licence: String,
	pub price: String,
	pub parent: Option<u32>,
	/// The current approved version's lineage (empty if none is approved); each version
	/// carries its own in `versions[].datasets`.
	pub datasets: Vec<u32>,
	pub deprecated: bool,
	pub current_version: Option<u32>,
	pub latest_version: u32,
	pub registered_at: u64,
	pub deposit: String,
	pub versions: Vec<VersionJson>,
	pub usage: UsageJson,
}

/// One version of a model.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
	pub version: u32,
	pub format: &'static str,
	pub weights: H256,
	pub tokenizer: Option<H256>,
	pub config: Option<H256>,
	pub size_bytes: u64,
	pub url: Option<String>,
	pub cid: Option<String>,
	/// The datasets this version was trained on (its curated lineage).
	pub datasets: Vec<u32>,
	/// `pending`, `approved`, `rejected` or `suspended`.
	pub status: &'static str,
	/// The curators' reason for `rejected` and `suspended`.
	pub reason: Option<String>,
	pub published_at: u64,
	pub deposit: String,
}

/// Usage statistics of a model.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UsageJson {
	pub open_jobs: u32,
	pub jobs_completed: u64,
	pub jobs_failed: u64,
	/// Mean blocks from submission to result; `null` before the first completed job.
	pub mean_blocks_to_result: Option<u64>,
	pub agreeing_replicas: u64,
	pub total_replicas: u64,
	/// `agreeingReplicas / totalReplicas` in parts per million; `null` before any result.
	pub agreement_rate: Option<u32>,
}

/// A routing candidate; scores are parts per million.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RankedModelJson {
	pub model_id: u32,
	pub version: u32,
	pub price: String,
	pub score: u32,
	pub price_score: u32,
	pub latency_score: u32,
	pub agreement_score: u32,
}

/// Where a weights digest is registered.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DigestLocationJson {
	pub model_id: u32,
	pub version: u32,
	pub registered_at: u64,
}

fn text(bytes: Vec<u8>) -> String {
	String::from_utf8_lossy(&bytes).into_owned()
}

fn hex(bytes: &[u8]) -> String {
	format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&bytes))
}

impl UsageJson {
	fn from_stats(usage: UsageStats) -> Self {
		UsageJson {
			open_jobs: usage.open_jobs,
			jobs_completed: usage.jobs_completed,
			jobs_failed: usage.jobs_failed,
			mean_blocks_to_result: usage.mean_blocks_to_result(),
			agreeing_replicas: usage.agreeing_replicas,
			total_replicas: usage.total_replicas,
			agreement_rate: (usage.total_replicas > 0).then(|| {
				let rate = u128::from(usage.agreeing_replicas) * 1_000_000 /
					u128::from(usage.total_replicas);
				u32::try_from(rate).unwrap_or(1_000_000)
			}),
		}
	}
}

impl VersionJson {
	fn from_details<Balance: ToString, BlockNumber: Into<u64>>(
		version: VersionDetails<Balance, BlockNumber>,
	) -> Self {
		let (status, reason) = match version.status {
			VersionStatus::Pending => ("pending", None),
			VersionStatus::Approved => ("approved", None),
			VersionStatus::Rejected(reason) => ("rejected", Some(text(reason))),
			VersionStatus::Suspended(reason) => ("suspended", Some(text(reason))),
		};
		VersionJson {
			version: version.version,
			format: version.format.as_str(),
			weights: version.weights,
			tokenizer: version.tokenizer,
			config: version.config,
			size_bytes: version.size_bytes,
			url: version.url.map(text),
			cid: version.cid.map(|cid| hex(&cid)),
			datasets: version.datasets,
			status,
			reason,
			published_at: version.published_at.into(),
			deposit: version.deposit.to_string(),
		}
	}
}

impl ModelJson {
	/// Converts the runtime API's view.
	pub fn from_details<AccountId, Balance, BlockNumber>(
		model: ModelDetails<AccountId, Balance, BlockNumber>,
	) -> Self
	where
		AccountId: std::fmt::Display,
		Balance: ToString,
		BlockNumber: Into<u64>,
	{
		ModelJson {
			id: model.id,
			owner: model.owner.to_string(),
			pending_owner: model.pending_owner.map(|who| who.to_string()),
			name: text(model.name),
			task: model.task.as_str(),
			licence: text(model.licence),
			price: model.price.to_string(),
			parent: model.parent,
			datasets: model.datasets,
			deprecated: model.deprecated,
			current_version: model.current_version,
			latest_version: model.latest_version,
			registered_at: model.registered_at.into(),
			deposit: model.deposit.to_string(),
			versions: model.versions.into_iter().map(VersionJson::from_details).collect(),
			usage: UsageJson::from_stats(model.usage),
		}
	}
}

impl RankedModelJson {
	/// Converts a routing candidate.
	pub fn from_ranked<Balance: ToString>(ranked: RankedModel<Balance>) -> Self {
		RankedModelJson {
			model_id: ranked.model_id,
			version: ranked.version,
			price: ranked.price.to_string(),
			score: ranked.score.deconstruct(),
			price_score: ranked.price_score.deconstruct(),
			latency_score: ranked.latency_score.deconstruct(),
			agreement_score: ranked.agreement_score.deconstruct(),
		}
	}
}

impl DigestLocationJson {
	/// Converts a digest-index entry.
	pub fn from_location<BlockNumber: Into<u64>>(location: DigestLocation<BlockNumber>) -> Self {
		DigestLocationJson {
			model_id: location.model_id,
			version: location.version,
			registered_at: location.registered_at.into(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn usage_json_derives_mean_latency_and_agreement_rate() {
		let fresh = UsageJson::from_stats(UsageStats::default());
		assert_eq!((fresh.mean_blocks_to_result, fresh.agreement_rate), (None, None));
		let used = UsageJson::from_stats(UsageStats {
			open_jobs: 1,
			jobs_completed: 3,
			jobs_failed: 1,
			total_blocks_to_result: 12,
			agreeing_replicas: 8,
			total_replicas: 12,
		});
		assert_eq!(used.mean_blocks_to_result, Some(4));
		assert_eq!(used.agreement_rate, Some(666_666));
		let json = serde_json::to_value(&used).unwrap();
		assert_eq!(json["agreementRate"], 666_666);
		assert_eq!(json["meanBlocksToResult"], 4);
	}
}

//! Read-only views returned by the runtime API, and serialised as they are by the
//! `infera_*` JSON-RPC methods (camelCase fields, balances as decimal strings, accounts as
//! SS58, names and URLs as text; see [`infera_primitives::json`]). Plain types: no
//! `Config` parameter, so clients decode them with the metadata alone.

use crate::{pallet::*, routing::RankedModel, *};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;
#[cfg(feature = "std")]
use {
	infera_primitives::json,
	serde::{ser::SerializeStruct, Serialize, Serializer},
};

/// The curators' verdict on a version. In JSON its fields are flattened into the
/// version's: `status` (`pending`, `approved`, `rejected` or `suspended`) and `reason` (the
/// curators' reason for `rejected` and `suspended`, else `null`).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum VersionStatus {
	/// Awaiting review.
	Pending,
	/// Takes jobs.
	Approved,
	/// Refused, with the curators' reason.
	Rejected(Vec<u8>),
	/// Suspended, with the curators' reason.
	Suspended(Vec<u8>),
}

/// One version of a model.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct VersionDetails<Balance, BlockNumber> {
	/// Version number (from 1).
	pub version: VersionId,
	/// Weights serialization.
	pub format: ArtifactFormat,
	/// SHA-256 of the weights.
	pub weights: H256,
	/// SHA-256 of `tokenizer.json`.
	pub tokenizer: Option<H256>,
	/// SHA-256 of `config.json`.
	pub config: Option<H256>,
	/// Total size in bytes.
	pub size_bytes: u64,
	/// Fetch URL.
	#[cfg_attr(feature = "std", serde(with = "json::option_text"))]
	pub url: Option<Vec<u8>>,
	/// Binary CIDv1 (0x hex in JSON).
	#[cfg_attr(feature = "std", serde(with = "json::option_hex"))]
	pub cid: Option<Vec<u8>>,
	/// The datasets this version was trained on (its curated lineage): jobs that run it pay
	/// the data-lineage share to them.
	pub datasets: Vec<DatasetId>,
	/// Curation verdict.
	#[cfg_attr(feature = "std", serde(flatten))]
	pub status: VersionStatus,
	/// Block of publication.
	pub published_at: BlockNumber,
	/// Deposit held for this version.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub deposit: Balance,
}

/// A model with all its versions and usage.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct ModelDetails<AccountId, Balance, BlockNumber> {
	/// Model id.
	pub id: ModelId,
	/// Owner.
	pub owner: AccountId,
	/// Account offered ownership, if any.
	pub pending_owner: Option<AccountId>,
	/// Name (UTF-8).
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub name: Vec<u8>,
	/// Task.
	pub task: TaskKind,
	/// SPDX licence expression.
	#[cfg_attr(feature = "std", serde(with = "json::text"))]
	pub licence: Vec<u8>,
	/// Price per job.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub price: Balance,
	/// Parent model (fine-tune lineage).
	pub parent: Option<ModelId>,
	/// The current approved version's lineage (empty if none is approved): what unpinned
	/// jobs pay now. Each version's own lineage is in [`VersionDetails::datasets`].
	pub datasets: Vec<DatasetId>,
	/// Whether it is deprecated.
	pub deprecated: bool,
	/// The version unpinned jobs run.
	pub current_version: Option<VersionId>,
	/// Newest version published.
	pub latest_version: VersionId,
	/// Block of registration.
	pub registered_at: BlockNumber,
	/// Total deposit held (record plus versions).
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub deposit: Balance,
	/// Every version, oldest first.
	pub versions: Vec<VersionDetails<Balance, BlockNumber>>,
	/// Usage statistics; JSON adds `meanBlocksToResult` and `agreementRate` (parts per
	/// million), `null` before the first result, and leaves out the running total behind
	/// the mean.
	pub usage: UsageStats,
}

/// Where a weights digest is registered.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct DigestLocation<BlockNumber> {
	/// The model.
	pub model_id: ModelId,
	/// Its version with these weights.
	pub version: VersionId,
	/// First registration block.
	pub registered_at: BlockNumber,
}

/// Model details as the runtime API returns them.
pub type ModelDetailsOf<T> =
	ModelDetails<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

fn version_details<T: Config>(
	version: VersionId,
	record: ModelVersion<T>,
) -> VersionDetails<BalanceOf<T>, BlockNumberFor<T>> {
	let artifacts = record.artifacts;
	VersionDetails {
		version,
		format: artifacts.format,
		weights: artifacts.weights,
		tokenizer: artifacts.tokenizer,
		config: artifacts.config,
		size_bytes: artifacts.size_bytes,
		url: artifacts.location.url.map(|url| url.into_inner()),
		cid: artifacts.location.cid.map(|cid| cid.into_inner()),
		datasets: record.datasets.into_inner(),
		status: match record.status {
			CurationStatus::Pending => VersionStatus::Pending,
			CurationStatus::Approved => VersionStatus::Approved,
			CurationStatus::Rejected { reason } => VersionStatus::Rejected(reason.into_inner()),
			CurationStatus::Suspended { reason } => VersionStatus::Suspended(reason.into_inner()),
		},
		published_at: record.published_at,
		deposit: record.deposit,
	}
}

impl<T: Config> Pallet<T> {
	/// A model with its versions and usage, if registered.
	pub fn model_details(model_id: ModelId) -> Option<ModelDetailsOf<T>> {
		let model = Models::<T>::get(model_id)?;
		let (deposit, _) = Self::total_deposit(model_id, &model);
		let datasets = Self::current_lineage(model_id, &model).into_inner();
		let versions = (1..=model.latest_version)
			.filter_map(|version| {
				Versions::<T>::get(model_id, version).map(|record| version_details(version, record))
			})
			.collect();
		Some(ModelDetails {
			id: model_id,
			owner: model.owner,
			pending_owner: model.pending_owner,
			name: model.name.into_inner(),
			task: model.task,
			licence: model.licence.into_inner(),
			price: model.price,
			parent: model.parent,
			datasets,
			deprecated: model.lifecycle == Lifecycle::Deprecated,
			current_version: model.current_version,
			latest_version: model.latest_version,
			registered_at: model.registered_at,
			deposit,
			versions,
			usage: Usage::<T>::get(model_id),
		})
	}

	/// Up to `limit` registered models with id ≥ `start`, optionally of one task, in id
	/// order. Continue from the last id + 1.
	pub fn models(start: ModelId, limit: u32, task: Option<TaskKind>) -> Vec<ModelDetailsOf<T>> {
		(start..NextModelId::<T>::get())
			.filter_map(Self::model_details)
			.filter(|model| task.map_or(true, |task| model.task == task))
			.take(limit as usize)
			.collect()
	}

	/// Candidates for `task` at `max_price`, best first (see [`crate::routing`]).
	pub fn rank_models(task: TaskKind, max_price: BalanceOf<T>) -> Vec<RankedModel<BalanceOf<T>>> {
		routing::rank_models::<T>(task, max_price)
	}

	/// Where a weights digest is registered, if anywhere.
	pub fn digest_location(weights: H256) -> Option<DigestLocation<BlockNumberFor<T>>> {
		DigestIndex::<T>::get(weights).map(|record| DigestLocation {
			model_id: record.model_id,
			version: record.version,
			registered_at: record.registered_at,
		})
	}
}

#[cfg(feature = "std")]
impl Serialize for VersionStatus {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		let (status, reason) = match self {
			VersionStatus::Pending => ("pending", None),
			VersionStatus::Approved => ("approved", None),
			VersionStatus::Rejected(reason) => ("rejected", Some(String::from_utf8_lossy(reason))),
			VersionStatus::Suspended(reason) => ("suspended", Some(String::from_utf8_lossy(reason))),
		};
		let mut json = serializer.serialize_struct("VersionStatus", 2)?;
		json.serialize_field("status", status)?;
		json.serialize_field("reason", &reason)?;
		json.end()
	}
}

#[cfg(feature = "std")]
impl Serialize for UsageStats {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		let mut json = serializer.serialize_struct("UsageStats", 7)?;
		json.serialize_field("openJobs", &self.open_jobs)?;
		json.serialize_field("jobsCompleted", &self.jobs_completed)?;
		json.serialize_field("jobsFailed", &self.jobs_failed)?;
		json.serialize_field("meanBlocksToResult", &self.mean_blocks_to_result())?;
		json.serialize_field("agreeingReplicas", &self.agreeing_replicas)?;
		json.serialize_field("totalReplicas", &self.total_replicas)?;
		json.serialize_field("agreementRate", &self.agreement_rate().map(|rate| rate.deconstruct()))?;
		json.end()
	}
}

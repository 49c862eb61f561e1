//! The records the registry stores: models, their versions, the digest index and usage.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use infera_primitives::{ArtifactFormat, DatasetId, ModelId, TaskKind, VersionId};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Permill;

/// A model name (UTF-8).
pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLen>;
/// A licence: an SPDX expression such as `Apache-2.0` or `MIT OR Apache-2.0`.
pub type LicenceOf<T> = BoundedVec<u8, <T as Config>::MaxLicenceLen>;
/// A curator's reason for rejecting or suspending a version (UTF-8).
pub type ReasonOf<T> = BoundedVec<u8, <T as Config>::MaxReasonLen>;
/// The datasets a model version was trained on (its lineage): no duplicates, each known to
/// `Config::Datasets`.
pub type DatasetsOf<T> = BoundedVec<DatasetId, <T as Config>::MaxDatasets>;

/// Where a version's files can be fetched: a URL, a CIDv1, or both.
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
pub struct ArtifactLocation<T: Config> {
	/// `scheme://rest`: `https`, `http`, `file` or `ipfs`; printable ASCII, no spaces.
	pub url: Option<BoundedVec<u8, T::MaxUrlLen>>,
	/// A binary CIDv1: version 1, a codec, then a multihash whose length matches.
	pub cid: Option<BoundedVec<u8, T::MaxCidLen>>,
}

/// The files of one model version, identified by their SHA-256 digests.
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
pub struct Artifacts<T: Config> {
	/// How the weights are serialized.
	pub format: ArtifactFormat,
	/// SHA-256 of the weights file. Unique across the registry.
	pub weights: H256,
	/// SHA-256 of `tokenizer.json`; required for safetensors.
	pub tokenizer: Option<H256>,
	/// SHA-256 of `config.json`; required for safetensors.
	pub config: Option<H256>,
	/// Total size of the files in bytes.
	pub size_bytes: u64,
	/// Where to fetch the files.
	pub location: ArtifactLocation<T>,
}

/// The owner's side of a model's life.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Lifecycle {
	/// Takes jobs (for approved versions).
	Active,
	/// Takes no new jobs; open jobs finish. The owner can then retire it.
	Deprecated,
}

/// The curators' verdict on one version.
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
pub enum CurationStatus<T: Config> {
	/// Awaiting review; takes no jobs.
	Pending,
	/// Takes jobs.
	Approved,
	/// Refused for good; the owner may publish a corrected version.
	Rejected { reason: ReasonOf<T> },
	/// Was approved, now takes no jobs until approved again.
	Suspended { reason: ReasonOf<T> },
}

/// A registered model: identity, commercial terms and lifecycle. Its files and dataset
/// lineage are in [`ModelVersion`]s.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ModelInfo<T: Config> {
	/// Who controls the model and is paid its price.
	pub owner: T::AccountId,
	/// An account offered ownership, until it accepts.
	pub pending_owner: Option<T::AccountId>,
	/// Human-readable name (UTF-8).
	pub name: NameOf<T>,
	/// What the model does.
	pub task: TaskKind,
	/// SPDX licence expression.
	pub licence: LicenceOf<T>,
	/// Price per job, paid to the owner out of the job's fee.
	pub price: BalanceOf<T>,
	/// The model this one was fine-tuned from, if any.
	pub parent: Option<ModelId>,
	/// Active or deprecated.
	pub lifecycle: Lifecycle,
	/// The newest version number published (versions are `1..=latest_version`).
	pub latest_version: VersionId,
	/// The newest approved version: what unpinned jobs run. `None` until one is approved.
	pub current_version: Option<VersionId>,
	/// Block of registration.
	pub registered_at: BlockNumberFor<T>,
	/// Deposit held from the owner for this record and its usage record.
	pub deposit: BalanceOf<T>,
}

/// One published version of a model: its files and the datasets it was trained on, curated
/// together.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct ModelVersion<T: Config> {
	/// The version's files.
	pub artifacts: Artifacts<T>,
	/// The datasets this version was trained on (its lineage): jobs that run it pay the
	/// data-lineage share of the price to these datasets. Declared by the owner when the
	/// version is published and fixed for the owner from then on (a new lineage takes a new
	/// version); curators may correct it with `amend_lineage`. Jobs snapshot it at
	/// submission, so an amendment applies to jobs submitted afterwards.
	pub datasets: DatasetsOf<T>,
	/// The curators' verdict.
	pub status: CurationStatus<T>,
	/// Block of publication.
	pub published_at: BlockNumberFor<T>,
	/// Deposit held from the owner for this record and its digest-index entry.
	pub deposit: BalanceOf<T>,
}

/// Entry of the weights-digest index: who registered these weights first, and when.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct DigestRecord<T: Config> {
	/// The model holding these weights.
	pub model_id: ModelId,
	/// Its version with these weights.
	pub version: VersionId,
	/// The block the digest was first registered in.
	pub registered_at: BlockNumberFor<T>,
}

/// Usage statistics of a model, fed by the compute-jobs pallet; they drive routing.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
)]
pub struct UsageStats {
	/// Jobs currently open for the model.
	pub open_jobs: u32,
	/// Jobs that ended with an agreed result.
	pub jobs_completed: u64,
	/// Jobs whose workers produced no agreed result.
	pub jobs_failed: u64,
	/// Sum over completed jobs of blocks from submission to result.
	pub total_blocks_to_result: u64,
	/// Replica results that agreed with the majority.
	pub agreeing_replicas: u64,
	/// Replica results counted (completed and failed jobs).
	pub total_replicas: u64,
}

impl UsageStats {
	/// Mean blocks from submission to result over completed jobs, if any completed.
	pub fn mean_blocks_to_result(&self) -> Option<u64> {
		self.total_blocks_to_result.checked_div(self.jobs_completed)
	}

	/// The share of counted replica results that agreed with the majority (rounded down),
	/// if any were counted.
	pub fn agreement_rate(&self) -> Option<Permill> {
		(self.total_replicas > 0).then(|| {
			let parts = u128::from(self.agreeing_replicas) * 1_000_000 / u128::from(self.total_replicas);
			Permill::from_parts(u32::try_from(parts).unwrap_or(1_000_000))
		})
	}
}

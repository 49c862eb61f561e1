//! # Infera primitives
//!
//! Identifiers, enums and the traits through which Infera's pallets talk to each other:
//!
//! - [`ModelRegistry`]: what the compute-jobs pallet asks of the model registry (the terms
//!   of a job, routing by task, and usage statistics going back).
//! - [`DatasetRegistry`]: what the model registry asks of the data-rewards pallet (whether
//!   a dataset a model claims to be trained on exists).
//! - [`LineageRewards`]: what the compute-jobs pallet asks of the data-rewards pallet (where
//!   the data-lineage share of a completed job's price goes).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod inference;
#[cfg(feature = "std")]
pub mod json;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{DispatchError, DispatchResult};

/// Identifier of a registered model; assigned sequentially from 0.
pub type ModelId = u32;
/// Version number of a model; the first version is 1.
pub type VersionId = u32;
/// Identifier of a curated dataset (assigned by the data-rewards pallet).
pub type DatasetId = u32;

/// A sequential `u64` id as a storage key that sorts by number: its big-endian bytes.
/// Index maps keyed by it with the `Identity` hasher (safe: the ids are assigned
/// sequentially, never chosen by users) can be read in id order from any id on, a page
/// at a time, instead of collecting and sorting a whole prefix.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug,
)]
pub struct OrderedId(pub [u8; 8]);

impl From<u64> for OrderedId {
	fn from(id: u64) -> Self {
		OrderedId(id.to_be_bytes())
	}
}

impl From<OrderedId> for u64 {
	fn from(key: OrderedId) -> Self {
		u64::from_be_bytes(key.0)
	}
}

/// The ids under `key` of an index keyed by [`OrderedId`], from `start` on, in id order,
/// read lazily: a page reads only as many entries as it takes.
pub fn ordered_ids_from<Index, K1>(key: &K1, start: u64) -> impl Iterator<Item = u64>
where
	K1: codec::FullCodec,
	Index: frame_support::storage::IterableStorageDoubleMap<K1, OrderedId, ()>,
{
	let from = OrderedId::from(start);
	// `iter_key_prefix_from` starts after the key it is given, so `start` is read apart.
	let first = Index::contains_key(key, from).then_some(from);
	let after = Index::hashed_key_for(key, from);
	first.into_iter().chain(Index::iter_key_prefix_from(key, after)).map(u64::from)
}

/// What a model does; jobs and routing are per task.
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
	PartialOrd,
	Ord,
	Debug,
)]
pub enum TaskKind {
	/// Text in, a fixed-size embedding vector out.
	TextEmbedding,
	/// Text in, a label id out.
	TextClassification,
	/// Text in, text out.
	TextGeneration,
}

impl TaskKind {
	/// Every task kind, in encoding order.
	pub const ALL: [TaskKind; 3] =
		[TaskKind::TextEmbedding, TaskKind::TextClassification, TaskKind::TextGeneration];

	/// The name used in JSON-RPC and documentation (camelCase).
	pub fn as_str(&self) -> &'static str {
		match self {
			TaskKind::TextEmbedding => "textEmbedding",
			TaskKind::TextClassification => "textClassification",
			TaskKind::TextGeneration => "textGeneration",
		}
	}

	/// Parses the camelCase name returned by [`TaskKind::as_str`].
	pub fn from_name(name: &str) -> Option<TaskKind> {
		Self::ALL.into_iter().find(|task| task.as_str() == name)
	}

	/// What a model of this task answers with: the one rule tying tasks to outputs, which
	/// the node's engine follows to pick a model head and the pallet to accept a reveal.
	pub fn output_kind(self) -> OutputKind {
		match self {
			TaskKind::TextEmbedding => OutputKind::Embedding,
			TaskKind::TextClassification => OutputKind::Label,
			TaskKind::TextGeneration => OutputKind::Text,
		}
	}
}

/// In JSON, a task is its camelCase name ([`TaskKind::as_str`]).
#[cfg(feature = "std")]
impl serde::Serialize for TaskKind {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(self.as_str())
	}
}

/// The kind of answer a model gives (see [`TaskKind::output_kind`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OutputKind {
	/// An embedding vector.
	Embedding,
	/// A class label id.
	Label,
	/// Text.
	Text,
}

/// How a model's weights are serialized.
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
pub enum ArtifactFormat {
	/// Hugging Face safetensors, with separate `tokenizer.json` and `config.json`.
	Safetensors,
	/// GGUF (llama.cpp), tokenizer and configuration embedded in the file.
	Gguf,
	/// ONNX graph.
	Onnx,
}

impl ArtifactFormat {
	/// The name used in JSON-RPC and documentation (lowercase).
	pub fn as_str(&self) -> &'static str {
		match self {
			ArtifactFormat::Safetensors => "safetensors",
			ArtifactFormat::Gguf => "gguf",
			ArtifactFormat::Onnx => "onnx",
		}
	}
}

/// In JSON, a format is its lowercase name ([`ArtifactFormat::as_str`]).
#[cfg(feature = "std")]
impl serde::Serialize for ArtifactFormat {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(self.as_str())
	}
}

/// Everything a job needs to know about the model version it runs.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct JobTerms<AccountId, Balance> {
	/// The model's owner, paid `price` for each completed job.
	pub owner: AccountId,
	/// Price per job charged by the owner.
	pub price: Balance,
	/// The version the job runs (pinned or the current approved one).
	pub version: VersionId,
	/// The model's task.
	pub task: TaskKind,
	/// SHA-256 of the weights file of that version.
	pub weights: H256,
	/// Datasets the model was trained on (their contributors share in inference fees).
	pub datasets: Vec<DatasetId>,
}

/// What a worker needs to fetch and run a model version: the registry hands it to the
/// off-chain worker, which sends it to its node's inference service as
/// [`inference::InferenceRequest::model`].
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ArtifactRef {
	/// The model's task.
	pub task: TaskKind,
	/// How the weights are serialized.
	pub format: ArtifactFormat,
	/// SHA-256 of the weights.
	pub weights: H256,
	/// SHA-256 of `tokenizer.json`.
	pub tokenizer: Option<H256>,
	/// SHA-256 of `config.json`.
	pub config: Option<H256>,
	/// Total size of the files in bytes: no download of any of them may exceed it.
	pub size_bytes: u64,
	/// Where the files can be fetched: a directory URL (`https://`, `http://`, `file://`,
	/// or `ipfs://<cid>`) holding them under their conventional names.
	pub url: Option<Vec<u8>>,
	/// A binary CIDv1 of the files on IPFS, fetched through the node's gateways.
	pub cid: Option<Vec<u8>>,
}

/// How a job for a model ended, as reported to the registry's usage statistics.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum JobOutcome {
	/// Results were agreed on: `agreeing` of `replicas` assigned workers were in the
	/// majority, `blocks_to_result` blocks after submission.
	Completed { blocks_to_result: u32, agreeing: u32, replicas: u32 },
	/// Workers were assigned but no agreed result came (no quorum or expiry):
	/// counts against the model's agreement rate as `replicas` disagreeing results.
	Failed { replicas: u32 },
	/// Closed before any worker ran it (cancelled, or expired unassigned):
	/// says nothing about the model.
	Withdrawn,
}

/// The model registry as seen by the compute-jobs pallet.
pub trait ModelRegistry<AccountId, Balance> {
	/// The terms of a new job for `model` at `version` (or the current approved version when
	/// `None`), or the reason the model cannot take jobs now.
	fn job_terms(
		model: ModelId,
		version: Option<VersionId>,
	) -> Result<JobTerms<AccountId, Balance>, DispatchError>;

	/// The best approved model for `task` whose price is at most `max_price`, by the
	/// registry's routing score.
	fn best_model(task: TaskKind, max_price: Balance) -> Option<ModelId>;

	/// Records that a job for `model` was opened; the model cannot retire until it closes.
	fn note_job_opened(model: ModelId) -> DispatchResult;

	/// Records that a job for `model` closed with `outcome`.
	fn note_job_closed(model: ModelId, outcome: JobOutcome);

	/// The artifacts of `model` at `version`, whatever its curation status (off-chain
	/// workers read it for jobs already accepted).
	fn artifacts(model: ModelId, version: VersionId) -> Option<ArtifactRef>;

	/// Benchmarks only: registers and approves a model of `task` owned by the funded
	/// `owner` at `price`, with weights digest derived from `seed`.
	#[cfg(feature = "runtime-benchmarks")]
	fn register_approved_model(owner: AccountId, task: TaskKind, price: Balance, seed: u32) -> ModelId;

	/// Benchmarks only: publishes and approves a new version of `model` (registered by
	/// [`ModelRegistry::register_approved_model`]), with weights digest derived from `seed`;
	/// it becomes the current version.
	#[cfg(feature = "runtime-benchmarks")]
	fn publish_approved_version(model: ModelId, seed: u32) -> VersionId;
}

/// The datasets known to the chain, as seen by the model registry.
pub trait DatasetRegistry {
	/// Whether `dataset` exists, so a model may declare it was trained on it.
	fn dataset_exists(dataset: DatasetId) -> bool;

	/// Benchmarks only: makes datasets `0..count` exist, so registry benchmarks can name
	/// the longest lineage.
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_datasets(count: u32);
}

/// No dataset registry connected: every dataset id is accepted as declared.
impl DatasetRegistry for () {
	fn dataset_exists(_dataset: DatasetId) -> bool {
		true
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_datasets(_count: u32) {}
}

/// The data-rewards side of inference fees, as seen by the compute-jobs pallet: where the
/// data-lineage share of a completed job's price goes.
pub trait LineageRewards<AccountId, Balance> {
	/// The account collecting `dataset`'s share of inference fees, or `None` when the
	/// dataset takes none (unknown, or not accepting rewards); that part of the share then
	/// stays with the model owner.
	fn lineage_account(dataset: DatasetId) -> Option<AccountId>;

	/// Records that `amount` was paid into `dataset`'s lineage account.
	fn note_lineage_income(dataset: DatasetId, amount: Balance);

	/// Benchmarks only: a dataset that takes a lineage share (so settlement benchmarks pay
	/// the longest lineage), distinct for each `seed`.
	#[cfg(feature = "runtime-benchmarks")]
	fn lineage_recipient(seed: u32) -> DatasetId;
}

/// No data-rewards pallet connected: datasets take no share; owners keep the whole price.
impl<AccountId, Balance> LineageRewards<AccountId, Balance> for () {
	fn lineage_account(_dataset: DatasetId) -> Option<AccountId> {
		None
	}

	fn note_lineage_income(_dataset: DatasetId, _amount: Balance) {}

	#[cfg(feature = "runtime-benchmarks")]
	fn lineage_recipient(seed: u32) -> DatasetId {
		seed
	}
}

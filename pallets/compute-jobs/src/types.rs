//! Workers and jobs as stored.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use infera_primitives::{
	inference::{GenerationSettings, InferenceOutput, VerificationEvidence},
	DatasetId, ModelId, TaskKind, VersionId,
};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Permill;

/// Sequential job identifier.
pub type JobId = u64;

/// The models a worker serves.
pub type ServedModelsOf<T> = BoundedVec<ModelId, <T as Config>::MaxModelsPerWorker>;

/// Whether a worker takes new assignments.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum WorkerState<BlockNumber> {
	/// Takes assignments.
	Active,
	/// Takes no new assignments until resumed; keeps its bond.
	Paused,
	/// Leaving: takes no new assignments; the bond can be withdrawn from `unlocks_at` on,
	/// once no assignment is open.
	Unbonding { unlocks_at: BlockNumber },
}

/// A model version whose artifacts a worker's node holds, verified against their digests:
/// the worker is drawn for that version's jobs (see [`crate::readiness`]).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub struct ReadyVersion {
	/// The model.
	pub model_id: ModelId,
	/// Its version.
	pub version: VersionId,
}

/// The versions a worker is ready for.
pub type ReadyVersionsOf<T> = BoundedVec<ReadyVersion, <T as Config>::MaxReadyVersions>;

/// A registered worker.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct WorkerInfo<T: Config> {
	/// Bond held under `HoldReason::WorkerBond`.
	pub bond: BalanceOf<T>,
	/// Models it serves.
	pub models: ServedModelsOf<T>,
	/// Most assignments it takes at once.
	pub capacity: u32,
	/// Assignments currently open.
	pub assigned: u32,
	/// Active, paused or unbonding.
	pub state: WorkerState<BlockNumberFor<T>>,
	/// Decaying score of past results (starts at one half).
	pub reputation: Permill,
	/// Block of registration.
	pub registered_at: BlockNumberFor<T>,
	/// The versions of its served models its node holds: only these are assigned to it.
	pub ready: ReadyVersionsOf<T>,
}

impl<T: Config> WorkerInfo<T> {
	/// Whether its node holds `version` of `model_id`.
	pub fn is_ready(&self, model_id: ModelId, version: VersionId) -> bool {
		self.ready.contains(&ReadyVersion { model_id, version })
	}

	/// Whether it takes new jobs at all (busy or not): active and bonded at least
	/// `MinWorkerBond`. What submission counts, draws require and eviction spares first.
	pub fn takes_jobs(&self) -> bool {
		self.state == WorkerState::Active && self.bond >= <T as Config>::MinWorkerBond::get()
	}
}

/// What a job runs on.
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
pub enum JobInput<T: Config> {
	/// The input itself (e.g. UTF-8 text to embed).
	Inline(BoundedVec<u8, T::MaxInputLen>),
	/// A large input fetched by workers and checked against its SHA-256.
	Remote { digest: H256, size_bytes: u64, url: BoundedVec<u8, T::MaxUrlLen> },
}

/// How a text-generation job's output is checked (see `docs/verification.md`).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum GenerationCheck {
	/// Every replica generates; their outputs must agree ([`crate::agreement`]). Costs
	/// `replicas` generations.
	Replicate,
	/// The first drawn worker generates; the others verify its tokens with one
	/// teacher-forced pass each and report [`VerificationEvidence`], which must agree among
	/// them and accept the generation ([`crate::verification`]). Costs one generation and
	/// `replicas − 1` passes, each far cheaper than generating; needs `replicas ≥ 3`.
	Verify,
}

/// What a text-generation job asks of decoding and checking; the chain adds the seed at
/// submission (giving the job's [`GenerationSettings`]).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub struct Decoding {
	/// Most tokens generated (`1..=MaxNewTokens`).
	pub max_new_tokens: u32,
	/// Sampling temperature in thousandths; 0 is greedy.
	pub temperature: u16,
	/// How the output is checked.
	pub check: GenerationCheck,
}

/// What a job pays its workers (see `Pallet::fees`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct JobFees<Balance> {
	/// Per generating (or, for other jobs, every) replica.
	pub worker_fee: Balance,
	/// Per verifying replica of a verified generation; zero otherwise.
	pub verifier_fee: Balance,
	/// All of them together.
	pub total: Balance,
}

/// A text-generation job's decoding, check and the fee of a verifying replica.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub struct GenerationJob<Balance> {
	/// Decoding settings and the seed drawn at submission.
	pub settings: GenerationSettings,
	/// How the output is checked.
	pub check: GenerationCheck,
	/// Paid to each verifier whose evidence is in the agreeing majority (`WorkerFee` at
	/// submission; the generator gets the job's `worker_fee`). Zero when replicated.
	pub verifier_fee: Balance,
}

/// Which model a job asks for.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum ModelChoice<Balance> {
	/// A model, optionally pinned to a version, at a price of at most `max_price` (the
	/// price the requester was quoted: a price raised after the quote refuses the job
	/// instead of charging more).
	Model { model_id: ModelId, version: Option<VersionId>, max_price: Balance },
	/// Routed by the registry's `best_model` among models of `task` priced at most
	/// `max_price`.
	Task { task: TaskKind, max_price: Balance },
}

/// A result as a worker reports it and the chain stores it: the node's
/// [`InferenceOutput`] under the runtime's `MaxOutputLen`. How two results agree depends
/// on the variant (see [`crate::agreement`]).
pub type JobOutput<T> = InferenceOutput<<T as Config>::MaxOutputLen>;

/// Why a worker could not produce an output for a job. Reported through the same
/// commit-reveal as an output, so it cannot be copied, and compared like one: two reports
/// agree when their reasons are equal.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum FailureReason {
	/// A remote input could not be fetched, or its bytes do not match its digest or size.
	InputUnavailable,
	/// The input cannot be run by the model (e.g. text that is not UTF-8).
	InvalidInput,
	/// The model's artifacts could not be fetched or do not match their digests.
	ModelUnavailable,
	/// The output exceeds `MaxOutputLen`.
	OutputTooLarge,
}

impl FailureReason {
	/// Whether the job itself caused the failure (its input or what it asks for), so the
	/// requester pays the workers who found it. `ModelUnavailable` is not the requester's
	/// fault: the job is refunded and nobody is paid.
	pub fn caused_by_job(self) -> bool {
		!matches!(self, FailureReason::ModelUnavailable)
	}
}

/// What a worker reports for a job: an output, or why there is none.
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
pub enum Verdict<T: Config> {
	/// The model ran; this is its output.
	Output(JobOutput<T>),
	/// The model could not run on this job.
	Failure(FailureReason),
	/// A verifier's evidence on the generator's output ([`GenerationCheck::Verify`]).
	Evidence(VerificationEvidence<T::MaxOutputLen>),
}

/// One assigned worker's progress on a job.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Assignment<T: Config> {
	/// The worker.
	pub worker: T::AccountId,
	/// [`crate::results::commitment_of`] its verdict, once committed.
	pub commitment: Option<H256>,
	/// The verdict, once revealed and matching the commitment.
	pub verdict: Option<Verdict<T>>,
}

/// Where a job is in its life.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub enum JobState<T: Config> {
	/// Waiting for enough eligible workers.
	Queued,
	/// Assigned to `replicas` workers, who commit and then reveal. Reveals open when all
	/// have committed or `reveal_from` is reached.
	Assigned {
		assignments: BoundedVec<Assignment<T>, T::MaxReplicas>,
		assigned_at: BlockNumberFor<T>,
		reveal_from: BlockNumberFor<T>,
	},
	/// Closed; the escrow was settled or refunded.
	Closed { reason: CloseReason, at: BlockNumberFor<T> },
	/// Submitted; waits for the randomness of its draw, [`crate::DRAW_DELAY`] blocks.
	Drawing,
}

/// Why a job closed. Every job closes exactly once.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum CloseReason {
	/// Workers agreed on a result; the fee was split.
	Completed,
	/// Results came but no majority agreed; refunded.
	NoQuorum,
	/// The deadline passed first; refunded.
	Expired,
	/// The requester cancelled before assignment; refunded in full.
	Cancelled,
	/// A majority of workers reported that the job cannot run, for this reason. When the
	/// job caused it ([`FailureReason::caused_by_job`]) the requester paid the agreeing
	/// workers; otherwise it was refunded in full.
	Failed(FailureReason),
	/// No worker was free at its draw and the queue, or its requester's share of it
	/// (`MaxQueuedPerRequester`), was full; refunded in full.
	QueueFull,
	/// The verifiers' agreed evidence rejected the generation; refunded in full, the
	/// generator slashed ([`SlashReason::Rejected`]).
	Rejected,
}

/// A job and its escrow.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct JobInfo<T: Config> {
	/// Who pays.
	pub requester: T::AccountId,
	/// The model and version it runs.
	pub model_id: ModelId,
	pub version: VersionId,
	/// The model's task (decides how results are compared).
	pub task: TaskKind,
	/// The model's owner at submission, paid its price.
	pub owner: T::AccountId,
	/// SHA-256 of the weights the workers must load.
	pub weights: H256,
	/// The datasets the model was trained on at submission (paid the data-lineage share).
	pub datasets: BoundedVec<DatasetId, T::MaxLineage>,
	/// The input.
	pub input: JobInput<T>,
	/// The model owner's price at submission.
	pub price: BalanceOf<T>,
	/// Fee per agreeing replica at submission: `WorkerFee`, plus `TokenFee` per token a
	/// generation job may produce.
	pub worker_fee: BalanceOf<T>,
	/// Held from the requester until the job closes.
	pub escrow: BalanceOf<T>,
	/// Independent workers that must run it.
	pub replicas: u8,
	/// Block of submission.
	pub submitted_at: BlockNumberFor<T>,
	/// The job closes as expired at this block unless settled before.
	pub deadline: BlockNumberFor<T>,
	/// Where it is.
	pub state: JobState<T>,
	/// How a text-generation job decodes (its seed drawn from the chain at submission) and
	/// is checked; `None` for other tasks.
	pub generation: Option<GenerationJob<BalanceOf<T>>>,
}

impl<T: Config> JobInfo<T> {
	/// Whether one worker generates and the others verify ([`GenerationCheck::Verify`]).
	pub fn verified(&self) -> bool {
		self.generation.is_some_and(|generation| generation.check == GenerationCheck::Verify)
	}
}

/// Why a worker was slashed.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug,
)]
pub enum SlashReason {
	/// Revealed a result outside the majority.
	Disagreed,
	/// Never committed (crashed or offline): the cheap case.
	NoShow,
	/// Committed, then did not reveal although reveals were open long enough: treated like
	/// a result outside the majority, so withholding a losing result never pays.
	Withheld,
	/// Generated an output the verifiers' agreed evidence rejects (another model, another
	/// quantization, tampered tokens): `DisagreeSlash`, of which the agreeing verifiers are
	/// paid their fee.
	Rejected,
}

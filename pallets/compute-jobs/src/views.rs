//! Read-only views returned by the runtime API, and serialised as they are by the
//! `infera_*` JSON-RPC methods (camelCase fields, balances as decimal strings, accounts as
//! SS58; see [`infera_primitives::json`]). Plain types without a `Config` parameter, so
//! clients decode them with the metadata alone.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
pub use infera_primitives::inference::InferenceOutput;
use scale_info::TypeInfo;
use infera_primitives::inference::GenerationSettings;
use sp_core::H256;
use sp_runtime::{traits::Saturating, Permill};
#[cfg(feature = "std")]
use {
	infera_primitives::json,
	serde::{ser::SerializeStruct, Serialize, Serializer},
};

/// A job's input. In JSON: `{"kind": "inline", "hex": "0x…", "text": "…" | null}` (`text`
/// when the bytes are UTF-8) or `{"kind": "remote", "digest", "sizeBytes", "url"}`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum InputView {
	/// The input bytes.
	Inline(Vec<u8>),
	/// A large input: its SHA-256, size and URL.
	Remote { digest: H256, size_bytes: u64, url: Vec<u8> },
}

/// One assigned worker's progress.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct AssignmentView<AccountId> {
	/// The worker.
	pub worker: AccountId,
	/// Whether it committed.
	pub committed: bool,
	/// Whether it revealed.
	pub revealed: bool,
}

/// Where a job is. In JSON its fields are flattened into the job's: `status` (`drawing`,
/// `queued`, `assigned` or `closed`), `assignments` (empty unless assigned), `assignedAt`,
/// `revealFrom`, `closeReason` ([`CloseReason::name`]) and `closedAt`, `null` where they
/// do not apply.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum JobStatus<AccountId, BlockNumber> {
	/// Waiting for enough eligible workers.
	Queued,
	/// Assigned; reveals open at `reveal_from` or when all have committed.
	Assigned { assignments: Vec<AssignmentView<AccountId>>, assigned_at: BlockNumber, reveal_from: BlockNumber },
	/// Closed, with the reason.
	Closed { reason: CloseReason, at: BlockNumber },
	/// Waiting for the randomness of its draw (`DRAW_DELAY` blocks after submission).
	Drawing,
}

/// A job, as dApps see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct JobDetails<AccountId, Balance, BlockNumber> {
	/// Job id.
	pub id: JobId,
	/// Who pays.
	pub requester: AccountId,
	/// The model it runs.
	pub model_id: ModelId,
	/// The model version it runs.
	pub version: VersionId,
	/// The model's task.
	pub task: TaskKind,
	/// The model's owner at submission.
	pub owner: AccountId,
	/// SHA-256 of the weights to run.
	pub weights: H256,
	/// Datasets in the model's lineage.
	pub datasets: Vec<DatasetId>,
	/// The input.
	pub input: InputView,
	/// The model's price at submission.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub price: Balance,
	/// Fee per agreeing replica.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub worker_fee: Balance,
	/// Still held in escrow (zero once closed).
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub escrow: Balance,
	/// Replicas asked for.
	pub replicas: u8,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Block at which it expires unless settled.
	pub deadline: BlockNumber,
	/// Queued, assigned or closed.
	#[cfg_attr(feature = "std", serde(flatten))]
	pub status: JobStatus<AccountId, BlockNumber>,
	/// The agreed result, once completed.
	pub result: Option<InferenceOutput>,
	/// A text-generation job's decoding settings (with its seed), check and verifier fee;
	/// `null` for other tasks.
	pub generation: Option<GenerationView<Balance>>,
}

/// A generation job's settings as dApps see them: in JSON `{"maxNewTokens", "temperature",
/// "seed", "check": "replicate" | "verify", "verifierFee"}`.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct GenerationView<Balance> {
	/// Decoding settings and seed.
	#[cfg_attr(feature = "std", serde(flatten))]
	pub settings: GenerationSettings,
	/// How the output is checked.
	#[cfg_attr(feature = "std", serde(serialize_with = "check_name"))]
	pub check: GenerationCheck,
	/// Paid to each agreeing verifier.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub verifier_fee: Balance,
}

#[cfg(feature = "std")]
fn check_name<S: Serializer>(check: &GenerationCheck, serializer: S) -> Result<S::Ok, S::Error> {
	serializer.serialize_str(match check {
		GenerationCheck::Replicate => "replicate",
		GenerationCheck::Verify => "verify",
	})
}

/// A worker, as dApps see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct WorkerDetails<AccountId, Balance, BlockNumber> {
	/// The worker's account.
	pub account: AccountId,
	/// Bond held.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub bond: Balance,
	/// Models served.
	pub models: Vec<ModelId>,
	/// Most assignments at once.
	pub capacity: u32,
	/// Assignments open now.
	pub assigned: u32,
	/// Active, paused or unbonding; in JSON `state` (`active`, `paused`, `unbonding`) and
	/// `unlocksAt` (from when an unbonding worker may withdraw, else `null`).
	#[cfg_attr(feature = "std", serde(flatten))]
	pub state: WorkerState<BlockNumber>,
	/// Decaying score of past results, in parts per million; feeds assignment.
	pub reputation: Permill,
	/// Block of registration.
	pub registered_at: BlockNumber,
	/// The model versions its node holds: it is drawn only for these versions' jobs.
	pub ready: Vec<ReadyVersion>,
}

/// What a job would cost now.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
#[cfg_attr(feature = "std", derive(Serialize), serde(rename_all = "camelCase"))]
pub struct FeeEstimate<Balance> {
	/// The model the job would run (routed, for a task).
	pub model_id: ModelId,
	/// Its version.
	pub version: VersionId,
	/// The owner's price, of which `data_share` goes to the model's datasets.
	#[cfg_attr(feature = "std", serde(with = "json::balance", bound(serialize = "Balance: core::fmt::Display")))]
	pub price: Balance,
	/// The data-lineage part of `price` (paid only to datasets that take rewards).
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub data_share: Balance,
	/// The worker fee (`WorkerFee`, plus `TokenFee` per token for generation) times the
	/// replicas.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub worker_fees: Balance,
	/// The treasury's share on top of price and worker fees.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub treasury: Balance,
	/// The least `max_fee` `submit_job` accepts: the sum of the above.
	#[cfg_attr(feature = "std", serde(with = "json::balance"))]
	pub min_max_fee: Balance,
}

/// Why no fee can be estimated.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum FeeEstimateError {
	/// Replicas must be `1..=max`.
	InvalidReplicas { max: u32 },
	/// No approved model of the task is priced within the maximum.
	NoModelForTask,
	/// The model cannot take jobs; the registry's error name.
	ModelUnavailable(Vec<u8>),
}

impl<T: Config> Pallet<T> {
	fn job_details(id: JobId, job: JobInfo<T>) -> JobDetails<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		let input = match job.input {
			JobInput::Inline(bytes) => InputView::Inline(bytes.into_inner()),
			JobInput::Remote { digest, size_bytes, url } =>
				InputView::Remote { digest, size_bytes, url: url.into_inner() },
		};
		let status = match job.state {
			JobState::Queued => JobStatus::Queued,
			JobState::Assigned { assignments, assigned_at, reveal_from } => JobStatus::Assigned {
				assignments: assignments
					.into_iter()
					.map(|a| AssignmentView {
						worker: a.worker,
						committed: a.commitment.is_some(),
						revealed: a.verdict.is_some(),
					})
					.collect(),
				assigned_at,
				reveal_from,
			},
			JobState::Closed { reason, at } => JobStatus::Closed { reason, at },
			JobState::Drawing => JobStatus::Drawing,
		};
		JobDetails {
			id,
			requester: job.requester,
			model_id: job.model_id,
			version: job.version,
			task: job.task,
			owner: job.owner,
			weights: job.weights,
			datasets: job.datasets.into_inner(),
			input,
			price: job.price,
			worker_fee: job.worker_fee,
			escrow: job.escrow,
			replicas: job.replicas,
			submitted_at: job.submitted_at,
			deadline: job.deadline,
			status,
			result: Results::<T>::get(id).map(InferenceOutput::unbounded),
			generation: job.generation.map(|generation| GenerationView {
				settings: generation.settings,
				check: generation.check,
				verifier_fee: generation.verifier_fee,
			}),
		}
	}

	/// A job, unless unknown or pruned.
	pub fn job(id: JobId) -> Option<JobDetails<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Jobs::<T>::get(id).map(|job| Self::job_details(id, job))
	}

	/// Up to `limit` of `requester`'s retained jobs with id ≥ `start`, in id order. Reads
	/// only those: the index sorts by id ([`OrderedId`]).
	pub fn jobs_by_requester(
		requester: T::AccountId,
		start: JobId,
		limit: u32,
	) -> Vec<JobDetails<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Self::requester_job_ids(&requester, start)
			.take(limit as usize)
			.filter_map(Self::job)
			.collect()
	}

	/// `requester`'s retained job ids from `start` on, in id order, read lazily.
	pub fn requester_job_ids(requester: &T::AccountId, start: JobId) -> impl Iterator<Item = JobId> {
		infera_primitives::ordered_ids_from::<RequesterJobs<T>, _>(requester, start)
	}

	/// A registered worker.
	pub fn worker(who: T::AccountId) -> Option<WorkerDetails<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Workers::<T>::get(&who).map(|worker| WorkerDetails {
			account: who,
			bond: worker.bond,
			models: worker.models.into_inner(),
			capacity: worker.capacity,
			assigned: worker.assigned,
			state: worker.state,
			reputation: worker.reputation,
			registered_at: worker.registered_at,
			ready: worker.ready.into_inner(),
		})
	}

	/// What `submit_job` with `choice` and `replicas` would cost now at least (for a
	/// text-generation model, one asking for `MaxNewTokens`).
	pub fn estimate_fee(
		choice: ModelChoice<BalanceOf<T>>,
		replicas: u8,
	) -> Result<FeeEstimate<BalanceOf<T>>, FeeEstimateError> {
		Self::estimate_generation_fee(choice, replicas, None)
	}

	/// What a job with `choice` and `replicas` would cost now at least; a text-generation
	/// job is priced for `decoding` (`MaxNewTokens`, replicated, when `None`), other jobs
	/// ignore it.
	pub fn estimate_generation_fee(
		choice: ModelChoice<BalanceOf<T>>,
		replicas: u8,
		decoding: Option<Decoding>,
	) -> Result<FeeEstimate<BalanceOf<T>>, FeeEstimateError> {
		let max = Self::replica_limit();
		if replicas == 0 || u32::from(replicas) > max {
			return Err(FeeEstimateError::InvalidReplicas { max });
		}
		let (model_id, pinned) = match choice {
			// A quote: the current price, whatever bound the caller would submit with.
			ModelChoice::Model { model_id, version, .. } => (model_id, version),
			ModelChoice::Task { task, max_price } => (
				T::Models::best_model(task, max_price).ok_or(FeeEstimateError::NoModelForTask)?,
				None,
			),
		};
		let terms = T::Models::job_terms(model_id, pinned).map_err(|error| {
			let name: &'static str = error.into();
			FeeEstimateError::ModelUnavailable(name.as_bytes().to_vec())
		})?;
		let generates = terms.task.output_kind() == infera_primitives::OutputKind::Text;
		let decoding = generates.then(|| {
			decoding.unwrap_or(Decoding {
				max_new_tokens: T::MaxNewTokens::get(),
				temperature: 0,
				check: GenerationCheck::Replicate,
			})
		});
		let worker_fees = Self::fees(decoding.as_ref(), replicas).total;
		let min_max_fee = Self::escrow_for(terms.price, worker_fees);
		Ok(FeeEstimate {
			model_id,
			version: terms.version,
			price: terms.price,
			data_share: T::DataShare::get().mul_floor(terms.price),
			worker_fees,
			treasury: min_max_fee.saturating_sub(terms.price).saturating_sub(worker_fees),
			min_max_fee,
		})
	}
}

impl CloseReason {
	/// The JSON name: `completed`, `noQuorum`, `expired`, `cancelled`, `queueFull`, or
	/// `failed` followed by the workers' [`FailureReason`] (e.g. `failedInvalidInput`).
	pub fn name(&self) -> &'static str {
		match self {
			CloseReason::Completed => "completed",
			CloseReason::NoQuorum => "noQuorum",
			CloseReason::Expired => "expired",
			CloseReason::Cancelled => "cancelled",
			CloseReason::Failed(FailureReason::InputUnavailable) => "failedInputUnavailable",
			CloseReason::Failed(FailureReason::InvalidInput) => "failedInvalidInput",
			CloseReason::Failed(FailureReason::ModelUnavailable) => "failedModelUnavailable",
			CloseReason::Failed(FailureReason::OutputTooLarge) => "failedOutputTooLarge",
			CloseReason::QueueFull => "queueFull",
			CloseReason::Rejected => "rejected",
		}
	}
}

#[cfg(feature = "std")]
impl Serialize for CloseReason {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(self.name())
	}
}

#[cfg(feature = "std")]
impl Serialize for InputView {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		match self {
			InputView::Inline(bytes) => {
				let mut input = serializer.serialize_struct("InputView", 3)?;
				input.serialize_field("kind", "inline")?;
				input.serialize_field("hex", &sp_core::bytes::to_hex(bytes, false))?;
				input.serialize_field("text", &core::str::from_utf8(bytes).ok())?;
				input.end()
			},
			InputView::Remote { digest, size_bytes, url } => {
				let mut input = serializer.serialize_struct("InputView", 4)?;
				input.serialize_field("kind", "remote")?;
				input.serialize_field("digest", digest)?;
				input.serialize_field("sizeBytes", size_bytes)?;
				input.serialize_field("url", &String::from_utf8_lossy(url))?;
				input.end()
			},
		}
	}
}

#[cfg(feature = "std")]
impl<AccountId: Serialize, BlockNumber: Serialize> Serialize for JobStatus<AccountId, BlockNumber> {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		let none = None::<&BlockNumber>;
		let (status, assignments, assigned_at, reveal_from, close_reason, closed_at) = match self {
			JobStatus::Drawing => ("drawing", &[][..], none, none, None, none),
			JobStatus::Queued => ("queued", &[][..], none, none, None, none),
			JobStatus::Assigned { assignments, assigned_at, reveal_from } =>
				("assigned", &assignments[..], Some(assigned_at), Some(reveal_from), None, none),
			JobStatus::Closed { reason, at } => ("closed", &[][..], none, none, Some(reason), Some(at)),
		};
		let mut json = serializer.serialize_struct("JobStatus", 6)?;
		json.serialize_field("status", status)?;
		json.serialize_field("assignments", assignments)?;
		json.serialize_field("assignedAt", &assigned_at)?;
		json.serialize_field("revealFrom", &reveal_from)?;
		json.serialize_field("closeReason", &close_reason)?;
		json.serialize_field("closedAt", &closed_at)?;
		json.end()
	}
}

#[cfg(feature = "std")]
impl<BlockNumber: Serialize> Serialize for WorkerState<BlockNumber> {
	fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		let (state, unlocks_at) = match self {
			WorkerState::Active => ("active", None),
			WorkerState::Paused => ("paused", None),
			WorkerState::Unbonding { unlocks_at } => ("unbonding", Some(unlocks_at)),
		};
		let mut json = serializer.serialize_struct("WorkerState", 2)?;
		json.serialize_field("state", state)?;
		json.serialize_field("unlocksAt", &unlocks_at)?;
		json.end()
	}
}

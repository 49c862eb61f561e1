//! Read-only views returned by the runtime API (and turned into JSON by the RPC crate).
//! Plain types without a `Config` parameter, so clients decode them with the metadata alone.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{traits::Saturating, Permill};

/// A job's input.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum InputView {
	/// The input bytes.
	Inline(Vec<u8>),
	/// A large input: its SHA-256, size and URL.
	Remote { digest: H256, size_bytes: u64, url: Vec<u8> },
}

/// An agreed result.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum OutputView {
	/// i8-quantized, L2-normalised embedding.
	Embedding(Vec<i8>),
	/// Class label id.
	Label(u32),
	/// UTF-8 text.
	Text(Vec<u8>),
}

/// One assigned worker's progress.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct AssignmentView<AccountId> {
	/// The worker.
	pub worker: AccountId,
	/// Whether it committed.
	pub committed: bool,
	/// Whether it revealed.
	pub revealed: bool,
}

/// Where a job is.
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
	pub price: Balance,
	/// Fee per agreeing replica.
	pub worker_fee: Balance,
	/// Still held in escrow (zero once closed).
	pub escrow: Balance,
	/// Replicas asked for.
	pub replicas: u8,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Block at which it expires unless settled.
	pub deadline: BlockNumber,
	/// Queued, assigned or closed.
	pub status: JobStatus<AccountId, BlockNumber>,
	/// The agreed result, once completed.
	pub result: Option<OutputView>,
}

/// A worker, as dApps see it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct WorkerDetails<Balance, BlockNumber> {
	/// Bond held.
	pub bond: Balance,
	/// Models served.
	pub models: Vec<ModelId>,
	/// Most assignments at once.
	pub capacity: u32,
	/// Assignments open now.
	pub assigned: u32,
	/// Active, paused or unbonding.
	pub state: WorkerState<BlockNumber>,
	/// Decaying score of past results; feeds assignment.
	pub reputation: Permill,
	/// Block of registration.
	pub registered_at: BlockNumber,
}

/// What a job would cost now.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct FeeEstimate<Balance> {
	/// The model the job would run (routed, for a task).
	pub model_id: ModelId,
	/// Its version.
	pub version: VersionId,
	/// The owner's price, of which `data_share` goes to the model's datasets.
	pub price: Balance,
	/// The data-lineage part of `price` (paid only to datasets that take rewards).
	pub data_share: Balance,
	/// `WorkerFee` times the replicas.
	pub worker_fees: Balance,
	/// The treasury's share on top of price and worker fees.
	pub treasury: Balance,
	/// The least `max_fee` `submit_job` accepts: the sum of the above.
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

fn output_view<T: Config>(output: JobOutput<T>) -> OutputView {
	match output {
		JobOutput::Embedding(values) => OutputView::Embedding(values.into_inner()),
		JobOutput::Label(label) => OutputView::Label(label),
		JobOutput::Text(text) => OutputView::Text(text.into_inner()),
	}
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
			result: Results::<T>::get(id).map(output_view::<T>),
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
	pub fn worker(who: T::AccountId) -> Option<WorkerDetails<BalanceOf<T>, BlockNumberFor<T>>> {
		Workers::<T>::get(who).map(|worker| WorkerDetails {
			bond: worker.bond,
			models: worker.models.into_inner(),
			capacity: worker.capacity,
			assigned: worker.assigned,
			state: worker.state,
			reputation: worker.reputation,
			registered_at: worker.registered_at,
		})
	}

	/// What `submit_job` with `choice` and `replicas` would cost now at least.
	pub fn estimate_fee(
		choice: ModelChoice<BalanceOf<T>>,
		replicas: u8,
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
		let worker_fees = T::WorkerFee::get().saturating_mul(u32::from(replicas).into());
		let min_max_fee = Self::required_escrow(terms.price, replicas);
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

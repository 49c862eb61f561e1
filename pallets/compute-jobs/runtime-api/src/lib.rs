//! Runtime API of the compute-jobs pallet. The node's `infera_job`, `infera_jobsByRequester`,
//! `infera_estimateFee` and `infera_worker` JSON-RPC methods call it; any client can call it
//! directly through `state_call`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_compute_jobs::{
	views::{
		AssignmentView, FeeEstimate, FeeEstimateError, InferenceOutput, InputView, JobDetails, JobStatus,
		WorkerDetails,
	},
	CloseReason, Decoding, FailureReason, GenerationCheck, JobId, ModelChoice, TaskKind, WorkerState,
};

sp_api::decl_runtime_apis! {
	/// Reads jobs and workers. Version 2: [`WorkerDetails`] carries the worker's account.
	/// Version 3: [`JobDetails`] carries a generation job's settings, and
	/// `estimate_generation_fee` prices generation by its tokens.
	#[api_version(3)]
	pub trait ComputeJobsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A job, unless unknown or pruned.
		fn job(job_id: JobId) -> Option<JobDetails<AccountId, Balance, BlockNumber>>;

		/// Up to `limit` of `requester`'s retained jobs with id ≥ `start`, in id order.
		fn jobs_by_requester(
			requester: AccountId,
			start: JobId,
			limit: u32,
		) -> Vec<JobDetails<AccountId, Balance, BlockNumber>>;

		/// What a job for `model` with `replicas` would cost at least, or why none can run.
		fn estimate_fee(
			model: ModelChoice<Balance>,
			replicas: u8,
		) -> Result<FeeEstimate<Balance>, FeeEstimateError>;

		/// As `estimate_fee`, pricing a text-generation job for `decoding` (`MaxNewTokens`,
		/// replicated, when `None`).
		#[api_version(3)]
		fn estimate_generation_fee(
			model: ModelChoice<Balance>,
			replicas: u8,
			decoding: Option<Decoding>,
		) -> Result<FeeEstimate<Balance>, FeeEstimateError>;

		/// A registered worker.
		fn worker(worker: AccountId) -> Option<WorkerDetails<AccountId, Balance, BlockNumber>>;
	}
}

//! JSON-RPC methods of the compute-jobs pallet:
//!
//! | method | params | result |
//! |---|---|---|
//! | `infera_job` | `id`, `at?` | [`JobJson`]; error 4101 if unknown or pruned |
//! | `infera_jobsByRequester` | `account` (SS58), `start?`, `limit?` (1..=100, default 50), `at?` | `[JobJson]` in id order |
//! | `infera_estimateFee` | `model`, `replicas`, `at?` | [`FeeJson`]; error 4102 no model for the task, 4103 model takes no jobs |
//! | `infera_worker` | `account` (SS58), `at?` | [`WorkerJson`]; error 4104 if not a worker |
//!
//! `model` is `{"modelId": 0, "version": 1}` (version optional) or
//! `{"task": "textEmbedding", "maxPrice": "1000"}`. Bad parameters give -32602 with a
//! message saying what is accepted.

mod json;

pub use json::*;

use codec::Codec;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::error::{ErrorObject, ErrorObjectOwned},
};
pub use pallet_compute_jobs_runtime_api::ComputeJobsApi as ComputeJobsRuntimeApi;
use pallet_compute_jobs_runtime_api::{FeeEstimateError, JobId, ModelChoice};
use sp_runtime::traits::Bounded;
use pallet_model_registry_rpc::{invalid_params, parse_account, parse_task, runtime_error, BalanceParam};
use serde::Deserialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;
use sp_runtime::traits::Block as BlockT;
use std::{marker::PhantomData, sync::Arc};

/// No job with the requested id (never submitted, or pruned after its retention).
pub const UNKNOWN_JOB: i32 = 4101;
/// No approved model of the task within the maximum price.
pub const NO_MODEL_FOR_TASK: i32 = 4102;
/// The model cannot take jobs (unknown, deprecated, version not approved, …).
pub const MODEL_UNAVAILABLE: i32 = 4103;
/// The account is not a registered worker.
pub const UNKNOWN_WORKER: i32 = 4104;

/// Largest page `infera_jobsByRequester` returns.
pub const MAX_PAGE: u32 = 100;
/// Page size when `limit` is omitted.
pub const DEFAULT_PAGE: u32 = 50;

/// The model of a fee estimate: a model (optionally pinned) or a task to route.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged, deny_unknown_fields)]
pub enum ModelParam {
	/// `{"modelId": 0, "version": 1}`. The estimate quotes the model's current price (an
	/// optional `maxPrice` is accepted and ignored: it bounds submissions, not quotes).
	#[serde(rename_all = "camelCase")]
	Model { model_id: u32, version: Option<u32>, max_price: Option<BalanceParam> },
	/// `{"task": "textEmbedding", "maxPrice": "1000"}`.
	#[serde(rename_all = "camelCase")]
	Task { task: String, max_price: BalanceParam },
}

impl ModelParam {
	fn parse<Balance: TryFrom<u128> + Bounded>(&self) -> Result<ModelChoice<Balance>, ErrorObjectOwned> {
		Ok(match self {
			ModelParam::Model { model_id, version, max_price } => ModelChoice::Model {
				model_id: *model_id,
				version: *version,
				max_price: match max_price {
					Some(max_price) => max_price.parse("maxPrice")?,
					None => Balance::max_value(),
				},
			},
			ModelParam::Task { task, max_price } =>
				ModelChoice::Task { task: parse_task(task)?, max_price: max_price.parse("maxPrice")? },
		})
	}
}

#[rpc(server)]
pub trait ComputeJobsApi<BlockHash> {
	/// A job with its status, close reason and result.
	#[method(name = "infera_job")]
	fn job(&self, id: JobId, at: Option<BlockHash>) -> RpcResult<JobJson>;

	/// A page of an account's retained jobs, in id order.
	#[method(name = "infera_jobsByRequester")]
	fn jobs_by_requester(
		&self,
		account: String,
		start: Option<JobId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<JobJson>>;

	/// The least cost of a job for `model` with `replicas`, in parts.
	#[method(name = "infera_estimateFee")]
	fn estimate_fee(&self, model: ModelParam, replicas: u8, at: Option<BlockHash>) -> RpcResult<FeeJson>;

	/// A registered worker.
	#[method(name = "infera_worker")]
	fn worker(&self, account: String, at: Option<BlockHash>) -> RpcResult<WorkerJson>;
}

/// The RPC handler, reading through the client's runtime API.
pub struct ComputeJobs<C, Block, AccountId, Balance, BlockNumber> {
	client: Arc<C>,
	_types: PhantomData<fn() -> (Block, AccountId, Balance, BlockNumber)>,
}

impl<C, Block, AccountId, Balance, BlockNumber> ComputeJobs<C, Block, AccountId, Balance, BlockNumber> {
	/// A handler reading from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _types: PhantomData }
	}
}

fn fee_error(error: FeeEstimateError) -> ErrorObjectOwned {
	match error {
		FeeEstimateError::InvalidReplicas { max } =>
			invalid_params(format!("replicas must be 1..={max}")),
		FeeEstimateError::NoModelForTask => ErrorObject::owned(
			NO_MODEL_FOR_TASK,
			"no approved model of this task is priced within maxPrice",
			None::<()>,
		),
		FeeEstimateError::ModelUnavailable(name) => ErrorObject::owned(
			MODEL_UNAVAILABLE,
			format!("the model takes no jobs: {}", String::from_utf8_lossy(&name)),
			None::<()>,
		),
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> ComputeJobs<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<Block::Hash>) -> Block::Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> ComputeJobsApiServer<Block::Hash>
	for ComputeJobs<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeJobsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Ss58Codec + std::fmt::Display + Send + Sync + 'static,
	Balance: Codec + ToString + TryFrom<u128> + Bounded + Send + Sync + 'static,
	BlockNumber: Codec + Into<u64> + Send + Sync + 'static,
{
	fn job(&self, id: JobId, at: Option<Block::Hash>) -> RpcResult<JobJson> {
		let job = self.client.runtime_api().job(self.at(at), id).map_err(runtime_error)?;
		job.map(JobJson::from_details).ok_or_else(|| {
			ErrorObject::owned(UNKNOWN_JOB, format!("job {id} does not exist (or was pruned)"), None::<()>)
		})
	}

	fn jobs_by_requester(
		&self,
		account: String,
		start: Option<JobId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<JobJson>> {
		let requester = parse_account::<AccountId>(&account)?;
		let limit = limit.unwrap_or(DEFAULT_PAGE);
		if !(1..=MAX_PAGE).contains(&limit) {
			return Err(invalid_params(format!("limit must be 1..={MAX_PAGE}, got {limit}")));
		}
		let jobs = self
			.client
			.runtime_api()
			.jobs_by_requester(self.at(at), requester, start.unwrap_or(0), limit)
			.map_err(runtime_error)?;
		Ok(jobs.into_iter().map(JobJson::from_details).collect())
	}

	fn estimate_fee(&self, model: ModelParam, replicas: u8, at: Option<Block::Hash>) -> RpcResult<FeeJson> {
		let choice = model.parse::<Balance>()?;
		let estimate = self
			.client
			.runtime_api()
			.estimate_fee(self.at(at), choice, replicas)
			.map_err(runtime_error)?;
		estimate.map(FeeJson::from_estimate).map_err(fee_error)
	}

	fn worker(&self, account: String, at: Option<Block::Hash>) -> RpcResult<WorkerJson> {
		let who = parse_account::<AccountId>(&account)?;
		let worker = self.client.runtime_api().worker(self.at(at), who).map_err(runtime_error)?;
		worker.map(|details| WorkerJson::from_details(account.clone(), details)).ok_or_else(|| {
			ErrorObject::owned(UNKNOWN_WORKER, format!("{account} is not a registered worker"), None::<()>)
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use jsonrpsee::types::error::INVALID_PARAMS_CODE;
	use pallet_compute_jobs_runtime_api::TaskKind;
	use sp_core::crypto::AccountId32;

	#[test]
	fn model_params_are_a_model_or_a_task() {
		let model: ModelParam = serde_json::from_str(r#"{"modelId": 3}"#).unwrap();
		assert_eq!(model.parse::<u128>().unwrap(), ModelChoice::Model { model_id: 3, version: None, max_price: u128::MAX });
		let pinned: ModelParam = serde_json::from_str(r#"{"modelId": 3, "version": 2}"#).unwrap();
		assert_eq!(pinned.parse::<u128>().unwrap(), ModelChoice::Model { model_id: 3, version: Some(2), max_price: u128::MAX });
		let quoted: ModelParam = serde_json::from_str(r#"{"modelId": 3, "maxPrice": "9"}"#).unwrap();
		assert_eq!(quoted.parse::<u128>().unwrap(), ModelChoice::Model { model_id: 3, version: None, max_price: 9 });
		let task: ModelParam = serde_json::from_str(r#"{"task": "textEmbedding", "maxPrice": "70"}"#).unwrap();
		assert_eq!(
			task.parse::<u128>().unwrap(),
			ModelChoice::Task { task: TaskKind::TextEmbedding, max_price: 70 }
		);
		let bad_task: ModelParam = serde_json::from_str(r#"{"task": "chat", "maxPrice": 1}"#).unwrap();
		assert_eq!(bad_task.parse::<u128>().unwrap_err().code(), INVALID_PARAMS_CODE);
		assert!(serde_json::from_str::<ModelParam>(r#"{"model": 3}"#).is_err());
	}

	#[test]
	fn accounts_are_ss58_and_fee_errors_say_why() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		assert!(parse_account::<AccountId32>(alice).is_ok());
		let error = parse_account::<AccountId32>("alice").unwrap_err();
		assert_eq!(error.code(), INVALID_PARAMS_CODE);
		assert!(error.message().contains("SS58"), "{}", error.message());
		assert_eq!(fee_error(FeeEstimateError::NoModelForTask).code(), NO_MODEL_FOR_TASK);
		let unavailable = fee_error(FeeEstimateError::ModelUnavailable(b"UnknownModel".to_vec()));
		assert_eq!(unavailable.code(), MODEL_UNAVAILABLE);
		assert!(unavailable.message().contains("UnknownModel"));
		let replicas = fee_error(FeeEstimateError::InvalidReplicas { max: 5 });
		assert!(replicas.message().contains("1..=5"));
	}
}

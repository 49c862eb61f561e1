//! JSON-RPC methods of the compute-jobs pallet:
//!
//! | method | params | result |
//! |---|---|---|
//! | `infera_job` | `id`, `at?` | [`JobDetails`]; error 4101 if unknown or pruned |
//! | `infera_jobsByRequester` | `account` (SS58), `start?`, `limit?` (1..=100, default 50), `at?` | `[JobDetails]` in id order |
//! | `infera_estimateFee` | `model`, `replicas`, `at?`, `generation?` (`{maxNewTokens, verify?}`) | [`FeeEstimate`] (generation priced for its tokens, by default the chain's `MaxNewTokens` replicated); error 4102 no model for the task, 4103 model takes no jobs |
//! | `infera_worker` | `account` (SS58), `at?` | [`WorkerDetails`]; error 4104 if not a worker |
//!
//! Results are the runtime API's views, serialised as they are (their docs give the JSON).
//! `model` is `{"modelId": 0, "version": 1}` (version optional) or
//! `{"task": "textEmbedding", "maxPrice": "1000"}`. Bad parameters give -32602 with a
//! message saying what is accepted.

use codec::Codec;
use infera_rpc_support::{
	invalid_params, not_found, page_limit, parse_account, parse_task, BalanceParam, RuntimeReader,
};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::error::ErrorObjectOwned};
pub use pallet_compute_jobs_runtime_api::ComputeJobsApi as ComputeJobsRuntimeApi;
use pallet_compute_jobs_runtime_api::{
	Decoding, FeeEstimate, FeeEstimateError, GenerationCheck, JobDetails, JobId, ModelChoice, WorkerDetails,
};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;
use sp_runtime::traits::{Block as BlockT, Bounded};
use std::{fmt::Display, marker::PhantomData, sync::Arc};

/// No job with the requested id (never submitted, or pruned after its retention).
pub const UNKNOWN_JOB: i32 = 4101;
/// No approved model of the task within the maximum price.
pub const NO_MODEL_FOR_TASK: i32 = 4102;
/// The model cannot take jobs (unknown, deprecated, version not approved, …).
pub const MODEL_UNAVAILABLE: i32 = 4103;
/// The account is not a registered worker.
pub const UNKNOWN_WORKER: i32 = 4104;

/// The generation a fee estimate prices: `{"maxNewTokens": 64, "verify": true}` (`verify`
/// defaults to `false`: every replica generates).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerationParam {
	/// Most tokens the job may generate.
	pub max_new_tokens: u32,
	/// One generator and verifiers instead of replicated generation.
	#[serde(default)]
	pub verify: bool,
}

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
pub trait ComputeJobsApi<BlockHash, AccountId, Balance, BlockNumber>
where
	AccountId: Serialize,
	Balance: Display,
	BlockNumber: Serialize,
{
	/// A job with its status, close reason and result.
	#[method(name = "infera_job")]
	fn job(&self, id: JobId, at: Option<BlockHash>) -> RpcResult<JobDetails<AccountId, Balance, BlockNumber>>;

	/// A page of an account's retained jobs, in id order.
	#[method(name = "infera_jobsByRequester")]
	fn jobs_by_requester(
		&self,
		account: String,
		start: Option<JobId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<JobDetails<AccountId, Balance, BlockNumber>>>;

	/// The least cost of a job for `model` with `replicas`, in parts; a text-generation job
	/// is priced for `generation` (the chain's `MaxNewTokens`, replicated, when omitted).
	#[method(name = "infera_estimateFee")]
	fn estimate_fee(
		&self,
		model: ModelParam,
		replicas: u8,
		at: Option<BlockHash>,
		generation: Option<GenerationParam>,
	) -> RpcResult<FeeEstimate<Balance>>;

	/// A registered worker.
	#[method(name = "infera_worker")]
	fn worker(&self, account: String, at: Option<BlockHash>) -> RpcResult<WorkerDetails<AccountId, Balance, BlockNumber>>;
}

/// The RPC handler, reading through the client's runtime API.
pub struct ComputeJobs<C, Block, AccountId, Balance, BlockNumber> {
	runtime: RuntimeReader<C, Block>,
	_types: PhantomData<fn() -> (AccountId, Balance, BlockNumber)>,
}

impl<C, Block, AccountId, Balance, BlockNumber> ComputeJobs<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// A handler reading from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { runtime: RuntimeReader::new(client), _types: PhantomData }
	}
}

fn fee_error(error: FeeEstimateError) -> ErrorObjectOwned {
	match error {
		FeeEstimateError::InvalidReplicas { max } => invalid_params(format!("replicas must be 1..={max}")),
		FeeEstimateError::NoModelForTask =>
			not_found(NO_MODEL_FOR_TASK, "no approved model of this task is priced within maxPrice"),
		FeeEstimateError::ModelUnavailable(name) =>
			not_found(MODEL_UNAVAILABLE, format!("the model takes no jobs: {}", String::from_utf8_lossy(&name))),
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> ComputeJobsApiServer<Block::Hash, AccountId, Balance, BlockNumber>
	for ComputeJobs<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ComputeJobsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Ss58Codec + Serialize + Clone + Send + Sync + 'static,
	Balance: Codec + Display + TryFrom<u128> + Bounded + Clone + Send + Sync + 'static,
	BlockNumber: Codec + Serialize + Clone + Send + Sync + 'static,
{
	fn job(&self, id: JobId, at: Option<Block::Hash>) -> RpcResult<JobDetails<AccountId, Balance, BlockNumber>> {
		self.runtime
			.read(at, |api, at| api.job(at, id))?
			.ok_or_else(|| not_found(UNKNOWN_JOB, format!("job {id} does not exist (or was pruned)")))
	}

	fn jobs_by_requester(
		&self,
		account: String,
		start: Option<JobId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<JobDetails<AccountId, Balance, BlockNumber>>> {
		let requester = parse_account::<AccountId>(&account)?;
		let limit = page_limit(limit)?;
		self.runtime.read(at, |api, at| api.jobs_by_requester(at, requester, start.unwrap_or(0), limit))
	}

	fn estimate_fee(
		&self,
		model: ModelParam,
		replicas: u8,
		at: Option<Block::Hash>,
		generation: Option<GenerationParam>,
	) -> RpcResult<FeeEstimate<Balance>> {
		let choice = model.parse::<Balance>()?;
		let decoding = generation.map(|generation| Decoding {
			max_new_tokens: generation.max_new_tokens,
			temperature: 0,
			check: if generation.verify { GenerationCheck::Verify } else { GenerationCheck::Replicate },
		});
		self.runtime
			.read(at, |api, at| api.estimate_generation_fee(at, choice, replicas, decoding))?
			.map_err(fee_error)
	}

	fn worker(&self, account: String, at: Option<Block::Hash>) -> RpcResult<WorkerDetails<AccountId, Balance, BlockNumber>> {
		let who = parse_account::<AccountId>(&account)?;
		self.runtime
			.read(at, |api, at| api.worker(at, who))?
			.ok_or_else(|| not_found(UNKNOWN_WORKER, format!("{account} is not a registered worker")))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use jsonrpsee::types::error::INVALID_PARAMS_CODE;
	use pallet_compute_jobs_runtime_api::TaskKind;

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
	fn fee_errors_say_why() {
		assert_eq!(fee_error(FeeEstimateError::NoModelForTask).code(), NO_MODEL_FOR_TASK);
		let unavailable = fee_error(FeeEstimateError::ModelUnavailable(b"UnknownModel".to_vec()));
		assert_eq!(unavailable.code(), MODEL_UNAVAILABLE);
		assert!(unavailable.message().contains("UnknownModel"));
		let replicas = fee_error(FeeEstimateError::InvalidReplicas { max: 5 });
		assert!(replicas.message().contains("1..=5"));
	}
}

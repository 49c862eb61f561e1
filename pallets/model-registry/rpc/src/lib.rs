//! JSON-RPC methods of the model registry:
//!
//! | method | params | result |
//! |---|---|---|
//! | `infera_model` | `id`, `at?` | [`ModelDetails`]; error 4001 if not registered |
//! | `infera_models` | `task?`, `start?`, `limit?` (1..=100, default 50), `at?` | `[ModelDetails]` |
//! | `infera_bestModel` | `task`, `maxPrice`, `at?` | [`RankedModel`] or `null` |
//! | `infera_rankModels` | `task`, `maxPrice`, `at?` | `[RankedModel]`, best first |
//! | `infera_modelByDigest` | `weights` (0x hex), `at?` | [`DigestLocation`]; error 4002 if unknown |
//!
//! Results are the runtime API's views, serialised as they are (their docs give the JSON).
//! `task` is `textEmbedding`, `textClassification` or `textGeneration`; `maxPrice` is a
//! decimal string or a JSON integer, in planck.

use codec::Codec;
use infera_rpc_support::{not_found, page_limit, parse_task, BalanceParam, RuntimeReader};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
pub use pallet_model_registry_runtime_api::ModelRegistryApi as ModelRegistryRuntimeApi;
use pallet_model_registry_runtime_api::{DigestLocation, ModelDetails, ModelId, RankedModel};
use serde::Serialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;
use sp_runtime::traits::Block as BlockT;
use std::{fmt::Display, marker::PhantomData, sync::Arc};

/// No model with the requested id.
pub const UNKNOWN_MODEL: i32 = 4001;
/// No model version with the requested weights digest.
pub const UNKNOWN_DIGEST: i32 = 4002;

#[rpc(server)]
pub trait ModelRegistryApi<BlockHash, AccountId, Balance, BlockNumber>
where
	AccountId: Serialize,
	Balance: Display,
	BlockNumber: Serialize,
{
	/// A model with its versions and usage.
	#[method(name = "infera_model")]
	fn model(&self, id: ModelId, at: Option<BlockHash>) -> RpcResult<ModelDetails<AccountId, Balance, BlockNumber>>;

	/// A page of models in id order, optionally of one task.
	#[method(name = "infera_models")]
	fn models(
		&self,
		task: Option<String>,
		start: Option<ModelId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ModelDetails<AccountId, Balance, BlockNumber>>>;

	/// The model an unpinned job for `task` at `maxPrice` would run, or `null`.
	#[method(name = "infera_bestModel")]
	fn best_model(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<BlockHash>,
	) -> RpcResult<Option<RankedModel<Balance>>>;

	/// Every candidate for `task` at `maxPrice`, best first, with its score.
	#[method(name = "infera_rankModels")]
	fn rank_models(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<RankedModel<Balance>>>;

	/// The model version registered with a weights digest.
	#[method(name = "infera_modelByDigest")]
	fn model_by_digest(&self, weights: H256, at: Option<BlockHash>) -> RpcResult<DigestLocation<BlockNumber>>;
}

/// The RPC handler, reading through the client's runtime API.
pub struct ModelRegistry<C, Block, AccountId, Balance, BlockNumber> {
	runtime: RuntimeReader<C, Block>,
	_types: PhantomData<fn() -> (AccountId, Balance, BlockNumber)>,
}

impl<C, Block, AccountId, Balance, BlockNumber> ModelRegistry<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// A handler reading from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { runtime: RuntimeReader::new(client), _types: PhantomData }
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> ModelRegistryApiServer<Block::Hash, AccountId, Balance, BlockNumber>
	for ModelRegistry<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ModelRegistryRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Serialize + Clone + Send + Sync + 'static,
	Balance: Codec + Display + TryFrom<u128> + Clone + Send + Sync + 'static,
	BlockNumber: Codec + Serialize + Clone + Send + Sync + 'static,
{
	fn model(&self, id: ModelId, at: Option<Block::Hash>) -> RpcResult<ModelDetails<AccountId, Balance, BlockNumber>> {
		self.runtime
			.read(at, |api, at| api.model(at, id))?
			.ok_or_else(|| not_found(UNKNOWN_MODEL, format!("model {id} is not registered")))
	}

	fn models(
		&self,
		task: Option<String>,
		start: Option<ModelId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ModelDetails<AccountId, Balance, BlockNumber>>> {
		let task = task.as_deref().map(parse_task).transpose()?;
		let limit = page_limit(limit)?;
		self.runtime.read(at, |api, at| api.models(at, start.unwrap_or(0), limit, task))
	}

	fn best_model(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<RankedModel<Balance>>> {
		let task = parse_task(&task)?;
		let max_price = max_price.parse::<Balance>("maxPrice")?;
		self.runtime.read(at, |api, at| api.best_model(at, task, max_price))
	}

	fn rank_models(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<RankedModel<Balance>>> {
		let task = parse_task(&task)?;
		let max_price = max_price.parse::<Balance>("maxPrice")?;
		self.runtime.read(at, |api, at| api.rank_models(at, task, max_price))
	}

	fn model_by_digest(&self, weights: H256, at: Option<Block::Hash>) -> RpcResult<DigestLocation<BlockNumber>> {
		self.runtime
			.read(at, |api, at| api.model_by_digest(at, weights))?
			.ok_or_else(|| not_found(UNKNOWN_DIGEST, format!("no model version has weights {weights:?}")))
	}
}

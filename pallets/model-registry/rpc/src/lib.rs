//! JSON-RPC methods of the model registry:
//!
//! | method | params | result |
//! |---|---|---|
//! | `infera_model` | `id`, `at?` | [`ModelJson`]; error 4001 if not registered |
//! | `infera_models` | `task?`, `start?`, `limit?` (1..=100, default 50), `at?` | `[ModelJson]` |
//! | `infera_bestModel` | `task`, `maxPrice`, `at?` | [`RankedModelJson`] or `null` |
//! | `infera_rankModels` | `task`, `maxPrice`, `at?` | `[RankedModelJson]`, best first |
//! | `infera_modelByDigest` | `weights` (0x hex), `at?` | [`DigestLocationJson`]; error 4002 if unknown |
//!
//! `task` is `textEmbedding`, `textClassification` or `textGeneration`; `maxPrice` is a
//! decimal string or a JSON integer, in planck.

mod json;

pub use json::*;

use codec::Codec;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::error::{ErrorObject, ErrorObjectOwned, INVALID_PARAMS_CODE},
};
use pallet_model_registry_runtime_api::{ModelId, TaskKind};
pub use pallet_model_registry_runtime_api::ModelRegistryApi as ModelRegistryRuntimeApi;
use serde::Deserialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::Ss58Codec, H256};
use sp_runtime::traits::Block as BlockT;
use std::{marker::PhantomData, sync::Arc};

/// A runtime API call failed (the message says why).
pub const RUNTIME_ERROR: i32 = 4000;
/// No model with the requested id.
pub const UNKNOWN_MODEL: i32 = 4001;
/// No model version with the requested weights digest.
pub const UNKNOWN_DIGEST: i32 = 4002;

/// Largest page `infera_models` returns.
pub const MAX_PAGE: u32 = 100;
/// Page size when `limit` is omitted.
pub const DEFAULT_PAGE: u32 = 50;

/// A balance parameter: a decimal string (any size) or a JSON integer.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum BalanceParam {
	Number(u64),
	Text(String),
}

impl BalanceParam {
	/// The balance, or an invalid-params error naming the parameter `name`.
	pub fn parse<Balance: TryFrom<u128>>(&self, name: &str) -> Result<Balance, ErrorObjectOwned> {
		let value = match self {
			BalanceParam::Number(value) => Some(u128::from(*value)),
			BalanceParam::Text(text) => text.parse::<u128>().ok(),
		};
		value.and_then(|value| Balance::try_from(value).ok()).ok_or_else(|| {
			invalid_params(format!("{name} must be a non-negative integer in planck, got {self:?}"))
		})
	}
}

#[rpc(server)]
pub trait ModelRegistryApi<BlockHash> {
	/// A model with its versions and usage.
	#[method(name = "infera_model")]
	fn model(&self, id: ModelId, at: Option<BlockHash>) -> RpcResult<ModelJson>;

	/// A page of models in id order, optionally of one task.
	#[method(name = "infera_models")]
	fn models(
		&self,
		task: Option<String>,
		start: Option<ModelId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ModelJson>>;

	/// The model an unpinned job for `task` at `maxPrice` would run, or `null`.
	#[method(name = "infera_bestModel")]
	fn best_model(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<BlockHash>,
	) -> RpcResult<Option<RankedModelJson>>;

	/// Every candidate for `task` at `maxPrice`, best first, with its score.
	#[method(name = "infera_rankModels")]
	fn rank_models(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<RankedModelJson>>;

	/// The model version registered with a weights digest.
	#[method(name = "infera_modelByDigest")]
	fn model_by_digest(&self, weights: H256, at: Option<BlockHash>) -> RpcResult<DigestLocationJson>;
}

/// The RPC handler, reading through the client's runtime API.
pub struct ModelRegistry<C, Block, AccountId, Balance, BlockNumber> {
	client: Arc<C>,
	_types: PhantomData<fn() -> (Block, AccountId, Balance, BlockNumber)>,
}

impl<C, Block, AccountId, Balance, BlockNumber> ModelRegistry<C, Block, AccountId, Balance, BlockNumber> {
	/// A handler reading from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _types: PhantomData }
	}
}

/// An invalid-params error (-32602) with `message`.
pub fn invalid_params(message: String) -> ErrorObjectOwned {
	ErrorObject::owned(INVALID_PARAMS_CODE, message, None::<()>)
}

/// A failed runtime API call (4000).
pub fn runtime_error(error: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, format!("runtime API call failed: {error}"), None::<()>)
}

/// Parses an SS58 address, or says what was expected.
pub fn parse_account<AccountId: Ss58Codec>(account: &str) -> Result<AccountId, ErrorObjectOwned> {
	AccountId::from_ss58check(account)
		.map_err(|error| invalid_params(format!("account must be an SS58 address, got `{account}`: {error}")))
}

/// Parses a task by its JSON name, or says which names exist.
pub fn parse_task(task: &str) -> Result<TaskKind, ErrorObjectOwned> {
	TaskKind::from_name(task).ok_or_else(|| {
		let known: Vec<_> = TaskKind::ALL.iter().map(TaskKind::as_str).collect();
		invalid_params(format!("unknown task `{task}`; expected one of {}", known.join(", ")))
	})
}

impl<C, Block, AccountId, Balance, BlockNumber> ModelRegistry<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ModelRegistryRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec,
	Balance: Codec + ToString + TryFrom<u128>,
	BlockNumber: Codec,
{
	fn at(&self, at: Option<Block::Hash>) -> Block::Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> ModelRegistryApiServer<Block::Hash>
	for ModelRegistry<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ModelRegistryRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + std::fmt::Display + Send + Sync + 'static,
	Balance: Codec + ToString + TryFrom<u128> + Send + Sync + 'static,
	BlockNumber: Codec + Into<u64> + Send + Sync + 'static,
{
	fn model(&self, id: ModelId, at: Option<Block::Hash>) -> RpcResult<ModelJson> {
		let model = self.client.runtime_api().model(self.at(at), id).map_err(runtime_error)?;
		model.map(ModelJson::from_details).ok_or_else(|| {
			ErrorObject::owned(UNKNOWN_MODEL, format!("model {id} is not registered"), None::<()>)
		})
	}

	fn models(
		&self,
		task: Option<String>,
		start: Option<ModelId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ModelJson>> {
		let task = task.as_deref().map(parse_task).transpose()?;
		let limit = limit.unwrap_or(DEFAULT_PAGE);
		if !(1..=MAX_PAGE).contains(&limit) {
			return Err(invalid_params(format!("limit must be 1..={MAX_PAGE}, got {limit}")));
		}
		let models = self
			.client
			.runtime_api()
			.models(self.at(at), start.unwrap_or(0), limit, task)
			.map_err(runtime_error)?;
		Ok(models.into_iter().map(ModelJson::from_details).collect())
	}

	fn best_model(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<Block::Hash>,
	) -> RpcResult<Option<RankedModelJson>> {
		let task = parse_task(&task)?;
		let max_price = max_price.parse::<Balance>("maxPrice")?;
		let best = self
			.client
			.runtime_api()
			.best_model(self.at(at), task, max_price)
			.map_err(runtime_error)?;
		Ok(best.map(RankedModelJson::from_ranked))
	}

	fn rank_models(
		&self,
		task: String,
		max_price: BalanceParam,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<RankedModelJson>> {
		let task = parse_task(&task)?;
		let max_price = max_price.parse::<Balance>("maxPrice")?;
		let ranked = self
			.client
			.runtime_api()
			.rank_models(self.at(at), task, max_price)
			.map_err(runtime_error)?;
		Ok(ranked.into_iter().map(RankedModelJson::from_ranked).collect())
	}

	fn model_by_digest(&self, weights: H256, at: Option<Block::Hash>) -> RpcResult<DigestLocationJson> {
		let location =
			self.client.runtime_api().model_by_digest(self.at(at), weights).map_err(runtime_error)?;
		location.map(DigestLocationJson::from_location).ok_or_else(|| {
			ErrorObject::owned(
				UNKNOWN_DIGEST,
				format!("no model version has weights {weights:?}"),
				None::<()>,
			)
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn balance_params_parse_strings_and_numbers() {
		let text: BalanceParam = serde_json::from_str("\"340282366920938463463374607431768211455\"").unwrap();
		assert_eq!(text.parse::<u128>("maxPrice").unwrap(), u128::MAX);
		let number: BalanceParam = serde_json::from_str("1000").unwrap();
		assert_eq!(number.parse::<u128>("maxPrice").unwrap(), 1000);
		let negative: BalanceParam = serde_json::from_str("\"-1\"").unwrap();
		let error = negative.parse::<u128>("maxPrice").unwrap_err();
		assert_eq!(error.code(), INVALID_PARAMS_CODE);
		assert!(error.message().contains("maxPrice"), "{}", error.message());
		let too_big: BalanceParam = serde_json::from_str("\"1000\"").unwrap();
		assert!(too_big.parse::<u8>("maxPrice").is_err());
	}

	#[test]
	fn tasks_parse_by_their_json_names() {
		assert_eq!(parse_task("textEmbedding").unwrap(), TaskKind::TextEmbedding);
		let error = parse_task("embedding").unwrap_err();
		assert_eq!(error.code(), INVALID_PARAMS_CODE);
		assert!(error.message().contains("textClassification"), "{}", error.message());
	}
}

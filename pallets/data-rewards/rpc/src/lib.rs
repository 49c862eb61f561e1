//! JSON-RPC methods of the data-rewards pallet:
//!
//! | method | params | result |
//! |---|---|---|
//! | `infera_dataset` | `id`, `at?` | [`DatasetDetails`]; error 4201 if unknown |
//! | `infera_contributions` | `of`, `start?`, `limit?` (1..=100, default 50), `at?` | `[ContributionDetails]` in id order |
//! | `infera_pendingRewards` | `account` (SS58), `at?` | [`PendingRewards`] |
//!
//! Results are the runtime API's views, serialised as they are (their docs give the JSON).
//! `of` is `{"dataset": 0}` or `{"contributor": "5Grw…"}`. Bad parameters give -32602
//! with a message saying what is accepted.

use codec::Codec;
use infera_rpc_support::{not_found, page_limit, parse_account, RuntimeReader};
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::error::ErrorObjectOwned};
pub use pallet_data_rewards_runtime_api::DataRewardsApi as DataRewardsRuntimeApi;
use pallet_data_rewards_runtime_api::{
	ContributionDetails, ContributionId, ContributionsOf, DatasetDetails, DatasetId, PendingRewards,
};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;
use sp_runtime::traits::Block as BlockT;
use std::{fmt::Display, marker::PhantomData, sync::Arc};

/// No dataset with the requested id.
pub const UNKNOWN_DATASET: i32 = 4201;

/// Whose contributions to list.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum OfParam {
	/// `{"dataset": 0}`.
	Dataset(DatasetId),
	/// `{"contributor": "5Grw…"}`.
	Contributor(String),
}

impl OfParam {
	fn parse<AccountId: Ss58Codec>(self) -> Result<ContributionsOf<AccountId>, ErrorObjectOwned> {
		Ok(match self {
			OfParam::Dataset(dataset) => ContributionsOf::Dataset(dataset),
			OfParam::Contributor(account) => ContributionsOf::Contributor(parse_account(&account)?),
		})
	}
}

#[rpc(server)]
pub trait DataRewardsApi<BlockHash, AccountId, Balance, BlockNumber>
where
	AccountId: Serialize,
	Balance: Display,
	BlockNumber: Serialize,
{
	/// A dataset with its policy, pot and era.
	#[method(name = "infera_dataset")]
	fn dataset(&self, id: DatasetId, at: Option<BlockHash>) -> RpcResult<DatasetDetails<AccountId, Balance, BlockNumber>>;

	/// A page of a dataset's or an account's contributions, in id order.
	#[method(name = "infera_contributions")]
	fn contributions(
		&self,
		of: OfParam,
		start: Option<ContributionId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ContributionDetails<AccountId, Balance, BlockNumber>>>;

	/// An account's unpaid rewards: claimable now, and estimates for running eras.
	#[method(name = "infera_pendingRewards")]
	fn pending_rewards(&self, account: String, at: Option<BlockHash>) -> RpcResult<PendingRewards<Balance>>;
}

/// The RPC handler, reading through the client's runtime API.
pub struct DataRewards<C, Block, AccountId, Balance, BlockNumber> {
	runtime: RuntimeReader<C, Block>,
	_types: PhantomData<fn() -> (AccountId, Balance, BlockNumber)>,
}

impl<C, Block, AccountId, Balance, BlockNumber> DataRewards<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// A handler reading from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { runtime: RuntimeReader::new(client), _types: PhantomData }
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> DataRewardsApiServer<Block::Hash, AccountId, Balance, BlockNumber>
	for DataRewards<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataRewardsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Ss58Codec + Serialize + Clone + Send + Sync + 'static,
	Balance: Codec + Display + Clone + Send + Sync + 'static,
	BlockNumber: Codec + Serialize + Clone + Send + Sync + 'static,
{
	fn dataset(&self, id: DatasetId, at: Option<Block::Hash>) -> RpcResult<DatasetDetails<AccountId, Balance, BlockNumber>> {
		self.runtime
			.read(at, |api, at| api.dataset(at, id))?
			.ok_or_else(|| not_found(UNKNOWN_DATASET, format!("dataset {id} does not exist")))
	}

	fn contributions(
		&self,
		of: OfParam,
		start: Option<ContributionId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ContributionDetails<AccountId, Balance, BlockNumber>>> {
		let of = of.parse::<AccountId>()?;
		let limit = page_limit(limit)?;
		self.runtime.read(at, |api, at| api.contributions(at, of, start.unwrap_or(0), limit))
	}

	fn pending_rewards(&self, account: String, at: Option<Block::Hash>) -> RpcResult<PendingRewards<Balance>> {
		let who = parse_account::<AccountId>(&account)?;
		self.runtime.read(at, |api, at| api.pending_rewards(at, who))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use jsonrpsee::types::error::INVALID_PARAMS_CODE;
	use sp_core::crypto::AccountId32;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	#[test]
	fn of_is_a_dataset_or_an_ss58_contributor() {
		let of: OfParam = serde_json::from_str(r#"{"dataset": 2}"#).unwrap();
		assert_eq!(of.parse::<AccountId32>().unwrap(), ContributionsOf::Dataset(2));
		let of: OfParam = serde_json::from_str(&format!(r#"{{"contributor": "{ALICE}"}}"#)).unwrap();
		assert!(matches!(of.parse::<AccountId32>().unwrap(), ContributionsOf::Contributor(_)));
		let bad: OfParam = serde_json::from_str(r#"{"contributor": "alice"}"#).unwrap();
		assert_eq!(bad.parse::<AccountId32>().unwrap_err().code(), INVALID_PARAMS_CODE);
		assert!(serde_json::from_str::<OfParam>(r#"{"model": 1}"#).is_err());
	}
}

//! JSON-RPC methods of the data-rewards pallet:
//!
//! | method | params | result |
//! |---|---|---|
//! | `infera_dataset` | `id`, `at?` | [`DatasetJson`]; error 4201 if unknown |
//! | `infera_contributions` | `of`, `start?`, `limit?` (1..=100, default 50), `at?` | `[ContributionJson]` in id order |
//! | `infera_pendingRewards` | `account` (SS58), `at?` | [`PendingRewardsJson`] |
//!
//! `of` is `{"dataset": 0}` or `{"contributor": "5Grw…"}`. Bad parameters give -32602
//! with a message saying what is accepted.

mod json;

pub use json::*;

use codec::Codec;
use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::error::{ErrorObject, ErrorObjectOwned}};
pub use pallet_data_rewards_runtime_api::DataRewardsApi as DataRewardsRuntimeApi;
use pallet_data_rewards_runtime_api::{ContributionId, ContributionsOf, DatasetId};
use pallet_model_registry_rpc::{invalid_params, parse_account, runtime_error};
use serde::Deserialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;
use sp_runtime::traits::Block as BlockT;
use std::{marker::PhantomData, sync::Arc};

/// No dataset with the requested id.
pub const UNKNOWN_DATASET: i32 = 4201;

/// Largest page `infera_contributions` returns.
pub const MAX_PAGE: u32 = 100;
/// Page size when `limit` is omitted.
pub const DEFAULT_PAGE: u32 = 50;

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
pub trait DataRewardsApi<BlockHash> {
	/// A dataset with its policy, pot and era.
	#[method(name = "infera_dataset")]
	fn dataset(&self, id: DatasetId, at: Option<BlockHash>) -> RpcResult<DatasetJson>;

	/// A page of a dataset's or an account's contributions, in id order.
	#[method(name = "infera_contributions")]
	fn contributions(
		&self,
		of: OfParam,
		start: Option<ContributionId>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<ContributionJson>>;

	/// An account's unpaid rewards: claimable now, and estimates for running eras.
	#[method(name = "infera_pendingRewards")]
	fn pending_rewards(&self, account: String, at: Option<BlockHash>) -> RpcResult<PendingRewardsJson>;
}

/// The RPC handler, reading through the client's runtime API.
pub struct DataRewards<C, Block, AccountId, Balance, BlockNumber> {
	client: Arc<C>,
	_types: PhantomData<fn() -> (Block, AccountId, Balance, BlockNumber)>,
}

impl<C, Block, AccountId, Balance, BlockNumber> DataRewards<C, Block, AccountId, Balance, BlockNumber> {
	/// A handler reading from `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _types: PhantomData }
	}
}

impl<C, Block, AccountId, Balance, BlockNumber> DataRewards<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<Block::Hash>) -> Block::Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

fn page_limit(limit: Option<u32>) -> Result<u32, ErrorObjectOwned> {
	let limit = limit.unwrap_or(DEFAULT_PAGE);
	if !(1..=MAX_PAGE).contains(&limit) {
		return Err(invalid_params(format!("limit must be 1..={MAX_PAGE}, got {limit}")));
	}
	Ok(limit)
}

impl<C, Block, AccountId, Balance, BlockNumber> DataRewardsApiServer<Block::Hash>
	for DataRewards<C, Block, AccountId, Balance, BlockNumber>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: DataRewardsRuntimeApi<Block, AccountId, Balance, BlockNumber>,
	AccountId: Codec + Ss58Codec + std::fmt::Display + Send + Sync + 'static,
	Balance: Codec + ToString + Send + Sync + 'static,
	BlockNumber: Codec + Into<u64> + Send + Sync + 'static,
{
	fn dataset(&self, id: DatasetId, at: Option<Block::Hash>) -> RpcResult<DatasetJson> {
		let dataset = self.client.runtime_api().dataset(self.at(at), id).map_err(runtime_error)?;
		dataset.map(DatasetJson::from_details).ok_or_else(|| {
			ErrorObject::owned(UNKNOWN_DATASET, format!("dataset {id} does not exist"), None::<()>)
		})
	}

	fn contributions(
		&self,
		of: OfParam,
		start: Option<ContributionId>,
		limit: Option<u32>,
		at: Option<Block::Hash>,
	) -> RpcResult<Vec<ContributionJson>> {
		let of = of.parse::<AccountId>()?;
		let limit = page_limit(limit)?;
		let page = self
			.client
			.runtime_api()
			.contributions(self.at(at), of, start.unwrap_or(0), limit)
			.map_err(runtime_error)?;
		Ok(page.into_iter().map(ContributionJson::from_details).collect())
	}

	fn pending_rewards(&self, account: String, at: Option<Block::Hash>) -> RpcResult<PendingRewardsJson> {
		let who = parse_account::<AccountId>(&account)?;
		let pending = self.client.runtime_api().pending_rewards(self.at(at), who).map_err(runtime_error)?;
		Ok(PendingRewardsJson::from_rewards(pending))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use jsonrpsee::types::error::INVALID_PARAMS_CODE;
	use pallet_data_rewards_runtime_api::{ContributionDetails, ContributionState, RejectReason, Vote};
	use sp_core::{crypto::AccountId32, H256};

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
		assert_eq!(page_limit(Some(0)).unwrap_err().code(), INVALID_PARAMS_CODE);
		assert_eq!(page_limit(None).unwrap(), DEFAULT_PAGE);
	}

	#[test]
	fn contributions_say_their_status_votes_and_reasons() {
		let alice = AccountId32::new([1; 32]);
		let details = |state| ContributionDetails::<AccountId32, u128, u32> {
			id: 4,
			dataset: 1,
			contributor: alice.clone(),
			digest: H256::repeat_byte(2),
			size: 2048,
			url: b"https://d/x".to_vec(),
			label: Some(b"pos".to_vec()),
			deposit: 10,
			submitted_at: 7,
			review_until: 107,
			state,
		};
		let pending = ContributionJson::from_details(details(ContributionState::Pending {
			votes: vec![
				(alice.clone(), Vote::Accept { quality: 80 }),
				(alice.clone(), Vote::Reject { reason: RejectReason::OffSchema }),
			],
		}));
		assert_eq!(pending.status, "pending");
		assert_eq!((pending.votes[0].vote, pending.votes[0].quality), ("accept", Some(80)));
		assert_eq!(pending.votes[1].reason, Some("offSchema"));
		let accepted =
			ContributionJson::from_details(details(ContributionState::Accepted { era: 3, points: 160, claimed: false }));
		let json = serde_json::to_value(&accepted).unwrap();
		assert_eq!(json["status"], "accepted");
		assert_eq!(json["points"], 160);
		assert_eq!(json["deposit"], "10");
		assert_eq!(json["label"], "pos");
		let rejected = ContributionJson::from_details(details(ContributionState::Rejected {
			reason: RejectReason::Malicious,
		}));
		assert_eq!(rejected.reject_reason, Some("malicious"));
	}
}

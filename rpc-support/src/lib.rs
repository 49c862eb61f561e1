//! What Infera's JSON-RPC crates share (the model registry's, compute jobs' and data
//! rewards' `infera_*` methods):
//!
//! - error codes and constructors: bad parameters are -32602 with a message saying what is
//!   accepted ([`invalid_params`]), a failed runtime call 4000 ([`runtime_error`]), an
//!   unknown id the method's own code ([`not_found`]);
//! - parameters: SS58 accounts ([`parse_account`]), tasks by name ([`parse_task`]),
//!   balances as decimal strings or integers ([`BalanceParam`]), pages ([`page_limit`]);
//! - [`RuntimeReader`]: calls a runtime API at the block `at`, or the best block.
//!
//! Results are the runtime APIs' own view types, serialised as they are (see
//! [`infera_primitives::json`]).

use infera_primitives::TaskKind;
use jsonrpsee::types::error::{ErrorObject, ErrorObjectOwned, INVALID_PARAMS_CODE};
use serde::Deserialize;
use sp_api::{ApiError, ApiRef, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;
use sp_runtime::traits::Block as BlockT;
use std::{marker::PhantomData, sync::Arc};

/// A runtime API call failed (the message says why).
pub const RUNTIME_ERROR: i32 = 4000;

/// Largest page a listing method returns.
pub const MAX_PAGE: u32 = 100;
/// Page size when `limit` is omitted.
pub const DEFAULT_PAGE: u32 = 50;

/// An invalid-params error (-32602) with `message`.
pub fn invalid_params(message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(INVALID_PARAMS_CODE, message.into(), None::<()>)
}

/// A failed runtime API call (4000).
pub fn runtime_error(error: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObject::owned(RUNTIME_ERROR, format!("runtime API call failed: {error}"), None::<()>)
}

/// Nothing with the requested id: the method's own error `code` with `message`.
pub fn not_found(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.into(), None::<()>)
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

/// The page size of a listing: `limit`, or [`DEFAULT_PAGE`] when omitted; at most
/// [`MAX_PAGE`].
pub fn page_limit(limit: Option<u32>) -> Result<u32, ErrorObjectOwned> {
	let limit = limit.unwrap_or(DEFAULT_PAGE);
	if !(1..=MAX_PAGE).contains(&limit) {
		return Err(invalid_params(format!("limit must be 1..={MAX_PAGE}, got {limit}")));
	}
	Ok(limit)
}

/// A balance parameter: a decimal string (any size) or a JSON integer.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
pub enum BalanceParam {
	/// A JSON integer (up to 2^64 - 1).
	Number(u64),
	/// A decimal string.
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

/// Reads a runtime API through the node's client, at the requested block or the best one.
pub struct RuntimeReader<C, Block> {
	client: Arc<C>,
	_block: PhantomData<fn() -> Block>,
}

impl<C, Block> RuntimeReader<C, Block>
where
	Block: BlockT,
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
{
	/// A reader over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, _block: PhantomData }
	}

	/// Calls `call` on the runtime API at `at` (the best block when `None`); a failed call
	/// is a [`runtime_error`].
	pub fn read<R>(
		&self,
		at: Option<Block::Hash>,
		call: impl FnOnce(ApiRef<'_, C::Api>, Block::Hash) -> Result<R, ApiError>,
	) -> Result<R, ErrorObjectOwned> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		call(self.client.runtime_api(), at).map_err(runtime_error)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::crypto::AccountId32;

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

	#[test]
	fn accounts_are_ss58() {
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		assert!(parse_account::<AccountId32>(alice).is_ok());
		let error = parse_account::<AccountId32>("alice").unwrap_err();
		assert_eq!(error.code(), INVALID_PARAMS_CODE);
		assert!(error.message().contains("SS58"), "{}", error.message());
	}

	#[test]
	fn pages_default_and_stay_bounded() {
		assert_eq!(page_limit(None).unwrap(), DEFAULT_PAGE);
		assert_eq!(page_limit(Some(MAX_PAGE)).unwrap(), MAX_PAGE);
		for bad in [0, MAX_PAGE + 1] {
			let error = page_limit(Some(bad)).unwrap_err();
			assert_eq!(error.code(), INVALID_PARAMS_CODE);
			assert!(error.message().contains("1..=100"), "{}", error.message());
		}
	}
}

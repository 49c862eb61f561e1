//! How Infera's values look in JSON. The `infera_*` RPC methods serialise the runtime
//! APIs' views as they are, with `#[serde(rename_all = "camelCase")]` and these field
//! helpers, as `pallet-transaction-payment`'s RPC types do:
//!
//! - balances and other amounts beyond 2^53 are decimal strings ([`balance`]), since
//!   JavaScript numbers would round them;
//! - names, licences, URLs and reasons are UTF-8 text ([`text`]), lossy if invalid;
//! - digests (`H256`) and raw bytes ([`hex`]) are 0x-prefixed hex;
//! - accounts (`AccountId32`) are SS58 strings; block numbers, ids and `Permill` parts are
//!   JSON integers.

use serde::Serializer;

/// A balance as a decimal string: `"1000000000000"`.
pub mod balance {
	use super::*;

	/// Serialises `value` as its decimal string.
	pub fn serialize<S: Serializer, B: core::fmt::Display>(value: &B, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.collect_str(value)
	}
}

/// An optional balance as a decimal string or `null`.
pub mod option_balance {
	use super::*;

	/// Serialises `value` as its decimal string, or `null`.
	pub fn serialize<S: Serializer, B: core::fmt::Display>(
		value: &Option<B>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match value {
			Some(value) => serializer.collect_str(value),
			None => serializer.serialize_none(),
		}
	}
}

/// Bytes meant as UTF-8 text, as a string (invalid sequences become U+FFFD).
pub mod text {
	use super::*;

	/// Serialises `bytes` as a (lossy) UTF-8 string.
	pub fn serialize<S: Serializer, T: AsRef<[u8]>>(bytes: &T, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&String::from_utf8_lossy(bytes.as_ref()))
	}
}

/// Optional bytes meant as UTF-8 text, as a string or `null`.
pub mod option_text {
	use super::*;

	/// Serialises `bytes` as a (lossy) UTF-8 string, or `null`.
	pub fn serialize<S: Serializer, T: AsRef<[u8]>>(
		bytes: &Option<T>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match bytes {
			Some(bytes) => super::text::serialize(bytes, serializer),
			None => serializer.serialize_none(),
		}
	}
}

/// Raw bytes as 0x-prefixed hex (`sp_core::bytes`).
pub use sp_core::bytes as hex;

/// Optional raw bytes as 0x-prefixed hex, or `null`.
pub mod option_hex {
	use super::*;

	/// Serialises `bytes` as 0x-prefixed hex, or `null`.
	pub fn serialize<S: Serializer, T: AsRef<[u8]>>(
		bytes: &Option<T>,
		serializer: S,
	) -> Result<S::Ok, S::Error> {
		match bytes {
			Some(bytes) => sp_core::bytes::serialize(bytes.as_ref(), serializer),
			None => serializer.serialize_none(),
		}
	}
}

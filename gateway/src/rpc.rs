//! The node's JSON-RPC over HTTP (the node serves HTTP and WebSocket on one port): typed
//! calls for what the gateway reads and submits.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{header, Request};
use hyper_util::{
	client::legacy::{connect::HttpConnector, Client},
	rt::TokioExecutor,
};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};
use sp_core::H256;
use std::{
	sync::atomic::{AtomicU64, Ordering},
	time::Duration,
};

/// How long one RPC call may take before the node counts as unreachable.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// Why an RPC call failed.
#[derive(Debug)]
pub enum RpcError {
	/// The node could not be reached, or answered with something that is not JSON-RPC.
	Transport(String),
	/// The node answered with a JSON-RPC error.
	Call { code: i64, message: String, data: Option<String> },
	/// The result did not have the expected shape.
	Decode(String),
}

impl std::fmt::Display for RpcError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			RpcError::Transport(reason) => write!(f, "node unreachable: {reason}"),
			RpcError::Call { code, message, data: Some(data) } => write!(f, "{message} ({data}; code {code})"),
			RpcError::Call { code, message, data: None } => write!(f, "{message} (code {code})"),
			RpcError::Decode(reason) => write!(f, "unexpected answer from the node: {reason}"),
		}
	}
}

/// A JSON-RPC client of one node.
pub struct NodeClient {
	url: hyper::Uri,
	client: Client<HttpConnector, Full<Bytes>>,
	next_id: AtomicU64,
}

/// The part of a block header the gateway reads.
#[derive(Deserialize)]
struct Header {
	#[serde(deserialize_with = "hex_number")]
	number: u32,
}

/// A block as `chain_getBlock` returns it.
#[derive(Deserialize)]
pub struct SignedBlock {
	/// The block.
	pub block: Block,
}

/// A block's extrinsics, each as its SCALE encoding in hex.
#[derive(Deserialize)]
pub struct Block {
	/// The extrinsics, in order.
	pub extrinsics: Vec<sp_core::Bytes>,
}

/// The runtime version fields the gateway checks and signs with.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
	/// `infera`.
	pub spec_name: String,
	/// Signed into every transaction.
	pub spec_version: u32,
	/// Changes whenever the transaction format or a call's encoding does.
	pub transaction_version: u32,
}

fn hex_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
	let text = String::deserialize(deserializer)?;
	u32::from_str_radix(text.trim_start_matches("0x"), 16).map_err(serde::de::Error::custom)
}

impl NodeClient {
	/// A client of the node at `url` (`http://` or `ws://`, which is served on the same port).
	pub fn new(url: &str) -> Result<Self, String> {
		let http = if let Some(rest) = url.strip_prefix("ws://") {
			format!("http://{rest}")
		} else if url.starts_with("http://") {
			url.to_string()
		} else {
			return Err(format!("the node's RPC address must start with http:// or ws:// (got {url})"));
		};
		let url = http.parse().map_err(|error| format!("bad node address {http}: {error}"))?;
		let client = Client::builder(TokioExecutor::new()).build_http();
		Ok(Self { url, client, next_id: AtomicU64::new(1) })
	}

	/// Calls `method` with `params` and decodes its result.
	pub async fn call<R: DeserializeOwned>(&self, method: &str, params: Value) -> Result<R, RpcError> {
		let id = self.next_id.fetch_add(1, Ordering::Relaxed);
		let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
		let request = Request::post(self.url.clone())
			.header(header::CONTENT_TYPE, "application/json")
			.body(Full::new(Bytes::from(body.to_string())))
			.map_err(|error| RpcError::Transport(error.to_string()))?;
		let exchange = async {
			let response = self.client.request(request).await.map_err(|error| RpcError::Transport(error.to_string()))?;
			let status = response.status();
			let bytes = response
				.into_body()
				.collect()
				.await
				.map_err(|error| RpcError::Transport(error.to_string()))?
				.to_bytes();
			let mut answer: Value = serde_json::from_slice(&bytes)
				.map_err(|_| RpcError::Transport(format!("HTTP {status} without a JSON-RPC answer")))?;
			if let Some(error) = answer.get("error") {
				return Err(RpcError::Call {
					code: error.get("code").and_then(Value::as_i64).unwrap_or_default(),
					message: error.get("message").and_then(Value::as_str).unwrap_or("unknown error").to_string(),
					data: error.get("data").map(|data| match data {
						Value::String(text) => text.clone(),
						other => other.to_string(),
					}),
				});
			}
			let result = answer.get_mut("result").map(Value::take).unwrap_or(Value::Null);
			serde_json::from_value(result).map_err(|error| RpcError::Decode(format!("{method}: {error}")))
		};
		tokio::time::timeout(CALL_TIMEOUT, exchange)
			.await
			.map_err(|_| RpcError::Transport(format!("{method} took longer than {CALL_TIMEOUT:?}")))?
	}

	/// The number of the best block, or of the last finalized one.
	pub async fn head(&self, finalized: bool) -> Result<u32, RpcError> {
		let header: Header = if finalized {
			let hash: H256 = self.call("chain_getFinalizedHead", json!([])).await?;
			self.call("chain_getHeader", json!([hash])).await?
		} else {
			self.call("chain_getHeader", json!([])).await?
		};
		Ok(header.number)
	}

	/// The hash of block `number` on the best chain.
	pub async fn block_hash(&self, number: u32) -> Result<H256, RpcError> {
		let hash: Option<H256> = self.call("chain_getBlockHash", json!([number])).await?;
		hash.ok_or_else(|| RpcError::Decode(format!("no block {number}")))
	}

	/// Block `hash`'s extrinsics.
	pub async fn block(&self, hash: H256) -> Result<Block, RpcError> {
		let block: Option<SignedBlock> = self.call("chain_getBlock", json!([hash])).await?;
		block.map(|signed| signed.block).ok_or_else(|| RpcError::Decode(format!("no block {hash:?}")))
	}

	/// The raw value under `key` in the state of block `at`.
	pub async fn storage(&self, key: &[u8], at: H256) -> Result<Option<sp_core::Bytes>, RpcError> {
		self.call("state_getStorage", json!([sp_core::Bytes(key.to_vec()), at])).await
	}

	/// The runtime's version at the best block.
	pub async fn runtime_version(&self) -> Result<RuntimeVersion, RpcError> {
		self.call("state_getRuntimeVersion", json!([])).await
	}

	/// The next nonce of `account` (SS58), counting its transactions in the node's pool.
	pub async fn next_nonce(&self, account: &str) -> Result<u32, RpcError> {
		self.call("system_accountNextIndex", json!([account])).await
	}

	/// Submits a signed extrinsic; its hash once the pool accepted it.
	pub async fn submit(&self, extrinsic: &[u8]) -> Result<H256, RpcError> {
		self.call("author_submitExtrinsic", json!([sp_core::Bytes(extrinsic.to_vec())])).await
	}
}

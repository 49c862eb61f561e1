//! Signs and submits the requester's transactions, one at a time, each with the next nonce.
//!
//! Submissions are serialised by one lock: a transaction is signed with the larger of the
//! node's next nonce for the account (which counts its transactions already in the pool)
//! and one past the last nonce this gateway used, and the lock is released only once the
//! pool accepted or refused it. So no two transactions share a nonce, however many requests
//! are in flight, and a key also used elsewhere is tolerated. A pool answer that the nonce
//! is stale or taken re-reads it and signs again; a transaction that expires unincluded
//! (the pool dropped it) makes the next submission trust the node's count alone.

use crate::{
	error::ApiError,
	follower::{Inclusion, Tracker},
	log,
	metrics::Metrics,
	rpc::{NodeClient, RpcError},
	signer::{Requester, SigningContext, MORTALITY},
};
use infera_runtime::RuntimeCall;
use sp_core::H256;
use std::{sync::Arc, time::Duration};
use tokio::{
	sync::{oneshot, Mutex},
	time::Instant,
};

/// Attempts per transaction when the pool says its nonce is stale or already used.
const NONCE_ATTEMPTS: usize = 4;

/// A request with less time left than this is not submitted: its jobs could not settle
/// before it answers, and they would be paid for nothing.
const LEAST_TIME_TO_SETTLE: Duration = Duration::from_secs(20);

/// Submits the requester's transactions.
pub struct Submitter {
	node: Arc<NodeClient>,
	requester: Arc<Requester>,
	tracker: Arc<Tracker>,
	metrics: Arc<Metrics>,
	genesis: H256,
	/// One past the last nonce used; `None` until the first submission or after a drop.
	next_nonce: Mutex<Option<u32>>,
}

/// A transaction the pool accepted.
pub struct Submitted {
	/// Its hash.
	pub hash: H256,
	/// Resolves once a followed block included it, or its mortality ended.
	pub inclusion: oneshot::Receiver<Inclusion>,
}

impl Submitter {
	/// Submits for `requester` to the chain with genesis `genesis` through `node`.
	pub fn new(node: Arc<NodeClient>, requester: Arc<Requester>, tracker: Arc<Tracker>, metrics: Arc<Metrics>, genesis: H256) -> Self {
		Self { node, requester, tracker, metrics, genesis, next_nonce: Mutex::new(None) }
	}

	/// What the next signature commits to: the runtime's version now (refused if its
	/// transaction format is not the one this gateway was built for) and the last finalized
	/// block as the start of the transaction's mortality.
	async fn context(&self) -> Result<SigningContext, ApiError> {
		let version = self.node.runtime_version().await.map_err(ApiError::node)?;
		let native = infera_runtime::VERSION;
		if version.spec_name != native.spec_name || version.transaction_version != native.transaction_version {
			return Err(ApiError::unavailable(
				"runtime_mismatch",
				format!(
					"the chain runs {} with transaction version {}; this gateway signs for {} transaction version {}: update the gateway",
					version.spec_name, version.transaction_version, native.spec_name, native.transaction_version
				),
			));
		}
		let number = self.node.head(true).await.map_err(ApiError::node)?;
		let hash = self.node.block_hash(number).await.map_err(ApiError::node)?;
		Ok(SigningContext { genesis: self.genesis, version, birth: (number, hash) })
	}

	/// Signs `call` with the next nonce and submits it, unless the request must answer by
	/// `deadline` and too little time is left, or the block follower is failing (the
	/// jobs would be paid but their results never seen).
	pub async fn submit(&self, call: RuntimeCall, deadline: Instant) -> Result<Submitted, ApiError> {
		let too_late = || {
			ApiError::timeout(
				"request_timeout",
				"too little of the request's time is left for its jobs to settle; nothing was submitted",
			)
		};
		let mut next_nonce = tokio::time::timeout_at(deadline, self.next_nonce.lock()).await.map_err(|_| too_late())?;
		if deadline.saturating_duration_since(Instant::now()) < LEAST_TIME_TO_SETTLE {
			return Err(too_late());
		}
		if let Some(reason) = self.tracker.stalled() {
			return Err(ApiError::unavailable(
				"follower_stalled",
				format!("the gateway cannot follow the chain ({reason}); nothing was submitted"),
			));
		}
		if self.tracker.take_dropped_transaction() {
			*next_nonce = None;
		}
		let context = self.context().await?;
		let mut attempt = 0;
		loop {
			attempt += 1;
			let pooled = self.node.next_nonce(&self.requester.address).await.map_err(ApiError::node)?;
			let nonce = next_nonce.map_or(pooled, |next| next.max(pooled));
			let (extrinsic, hash) = self.requester.sign(call.clone(), nonce, &context);
			let inclusion = self.tracker.expect_transaction(hash, context.birth.0 + MORTALITY);
			match self.node.submit(&extrinsic).await {
				Ok(_) => {
					*next_nonce = Some(nonce + 1);
					log::info("transaction_submitted", &[("extrinsic", format!("{hash:?}").into()), ("nonce", nonce.into())]);
					return Ok(Submitted { hash, inclusion });
				},
				Err(RpcError::Transport(reason)) => {
					// The pool may have taken it: keep following it until its mortality ends,
					// re-read the nonce next time, and never invite a retry.
					*next_nonce = None;
					drop(inclusion);
					self.metrics.transactions.with_label_values(&["unknown"]).inc();
					return Err(ApiError::unavailable(
						"submission_unknown",
						format!("the node did not answer the submission of {hash:?} ({reason}): it may still be included and its jobs run; do not resend blindly"),
					));
				},
				Err(error) => {
					self.tracker.forget_transaction(&hash);
					if nonce_conflict(&error) && attempt < NONCE_ATTEMPTS {
						log::warn("nonce_retry", &[("nonce", nonce.into()), ("error", error.to_string().into())]);
						*next_nonce = None;
						continue;
					}
					self.metrics.transactions.with_label_values(&["refused"]).inc();
					return Err(refused(error));
				},
			}
		}
	}
}

/// Whether the pool refused a transaction for its nonce: stale (already used on chain), or
/// taken by another transaction in the pool.
fn nonce_conflict(error: &RpcError) -> bool {
	match error {
		RpcError::Call { code: 1010, data: Some(data), .. } => data.contains("outdated") || data.contains("Stale"),
		// 1013: already imported; 1014: priority too low to replace the pooled transaction.
		RpcError::Call { code: 1013 | 1014, .. } => true,
		_ => false,
	}
}

/// The answer for a transaction the pool refused.
fn refused(error: RpcError) -> ApiError {
	match &error {
		RpcError::Call { code: 1010, data: Some(data), .. } if data.contains("pay") || data.contains("balance") =>
			ApiError::payment("insufficient_balance", format!("the requester account cannot pay the transaction fee: {error}")),
		RpcError::Call { code: 1010..=1019, .. } =>
			ApiError::bad_gateway("transaction_refused", format!("the node's pool refused the transaction: {error}")),
		_ => ApiError::node(error),
	}
}

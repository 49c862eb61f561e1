//! A request's jobs, from quote to receipt: price them with `infera_estimateFee`, submit
//! them in one transaction (a `utility.batchAll` of several), wait for the block that
//! includes it and for every job to close, and read the agreed results.

use crate::{
	error::ApiError,
	follower::{Inclusion, JobTrace, Tracker},
	metrics::Metrics,
	rpc::{NodeClient, RpcError},
	submit::Submitter,
};
use infera_runtime::{AccountId, Balance, Runtime, RuntimeCall, RuntimeError};
use pallet_compute_jobs::{CloseReason, Decoding, FailureReason, GenerationCheck, JobId, JobInput, ModelChoice};
use serde::Deserialize;
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, H256};
use sp_runtime::{BoundedVec, DispatchError};
use std::{sync::Arc, time::Duration};
use tokio::time::Instant;

/// What every job of a request asks for.
pub struct JobSpec {
	/// The model, or the task routed by price.
	pub choice: ModelChoice<Balance>,
	/// Replicas (for a verified generation: one generator and the verifiers).
	pub replicas: u8,
	/// The most each job may cost, in planck; the quote's least when `None`.
	pub max_fee: Option<Balance>,
	/// The gateway operator's limit on one job's escrow, if any.
	pub fee_cap: Option<Balance>,
	/// Decoding, for a text-generation job.
	pub decoding: Option<Decoding>,
	/// Blocks from submission to each job's deadline.
	pub deadline_blocks: u32,
}

/// A job that completed: its trace, its extrinsic, and `infera_job`'s view at its close.
pub struct Settled {
	/// What the chain said about it.
	pub trace: JobTrace,
	/// The transaction that submitted it.
	pub extrinsic: H256,
	/// `infera_job` at the block it closed in.
	pub job: Value,
}

/// `infera_estimateFee`'s answer (the fields the gateway reads).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FeeEstimate {
	price: String,
	min_max_fee: String,
}

/// Runs requests' jobs on chain.
pub struct Jobs {
	/// The node.
	pub node: Arc<NodeClient>,
	/// Signs and submits.
	pub submitter: Arc<Submitter>,
	/// Follows the requester's jobs.
	pub tracker: Arc<Tracker>,
	/// Metrics.
	pub metrics: Arc<Metrics>,
	/// How long a request waits for its jobs before answering 504.
	pub timeout: Duration,
}

/// The SS58 (prefix 42) of an account.
pub fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(infera_runtime::SS58_PREFIX.into())
}

impl Jobs {
	/// The least `max_fee` of one job of `spec` now.
	async fn quote(&self, spec: &JobSpec) -> Result<Balance, ApiError> {
		let choice = match spec.choice {
			ModelChoice::Model { model_id, version, .. } => json!({ "modelId": model_id, "version": version }),
			ModelChoice::Task { task, max_price } => json!({ "task": task.as_str(), "maxPrice": max_price.to_string() }),
		};
		let generation = spec.decoding.map(|decoding| {
			json!({ "maxNewTokens": decoding.max_new_tokens, "verify": decoding.check == GenerationCheck::Verify })
		});
		let estimate: FeeEstimate = self
			.node
			.call("infera_estimateFee", json!([choice, spec.replicas, null, generation]))
			.await
			.map_err(|error| match error {
				RpcError::Call { code: 4102 | 4103, message, .. } => ApiError::not_found("model_not_found", message),
				RpcError::Call { code: -32602, message, .. } => ApiError::bad_request(Some("replicas"), "invalid_replicas", message),
				other => ApiError::node(other),
			})?;
		if let ModelChoice::Model { max_price, .. } = spec.choice {
			let price: Balance = estimate.price.parse().unwrap_or(Balance::MAX);
			if price > max_price {
				return Err(ApiError::payment("price_above_max_price", format!("the model costs {price} planck per job, above max_price {max_price}")));
			}
		}
		estimate.min_max_fee.parse().map_err(|_| ApiError::internal("unparsable fee estimate"))
	}

	/// The call submitting one job of `spec` for `input`.
	fn call(&self, spec: &JobSpec, input: Vec<u8>, max_fee: Balance) -> Result<RuntimeCall, ApiError> {
		let too_long = |_| {
			ApiError::bad_request(
				Some("input"),
				"context_length_exceeded",
				format!("an input is longer than the chain's {} bytes", crate::openai::max_input_bytes()),
			)
		};
		let call = match spec.decoding {
			None => pallet_compute_jobs::Call::<Runtime>::submit_job {
				model: spec.choice.clone(),
				input: JobInput::Inline(BoundedVec::try_from(input).map_err(too_long)?),
				max_fee,
				replicas: spec.replicas,
				deadline_in: spec.deadline_blocks,
			},
			Some(decoding) => pallet_compute_jobs::Call::<Runtime>::submit_generation {
				model: spec.choice.clone(),
				prompt: BoundedVec::try_from(input).map_err(too_long)?,
				decoding,
				max_fee,
				replicas: spec.replicas,
				deadline_in: spec.deadline_blocks,
			},
		};
		Ok(RuntimeCall::ComputeJobs(call))
	}

	/// Runs one job of `spec` per input and waits until all completed; any that closed
	/// otherwise fails the request (the others were still paid for: they ran).
	pub async fn run(&self, spec: &JobSpec, inputs: Vec<Vec<u8>>) -> Result<Vec<Settled>, ApiError> {
		let started = Instant::now();
		let least = self.quote(spec).await?;
		let max_fee = match spec.max_fee {
			Some(max_fee) if max_fee < least => {
				return Err(ApiError::payment(
					"max_fee_too_low",
					format!("max_fee {max_fee} planck is below this job's least fee, {least} planck (infera_estimateFee's minMaxFee)"),
				));
			},
			Some(max_fee) => max_fee,
			None => least,
		};
		if let Some(cap) = spec.fee_cap.filter(|cap| max_fee > *cap) {
			return Err(ApiError::payment(
				"above_fee_cap",
				format!("a job would escrow {max_fee} planck; this gateway's operator allows at most {cap} per job"),
			));
		}
		let count = inputs.len();
		let mut calls = inputs.into_iter().map(|input| self.call(spec, input, max_fee)).collect::<Result<Vec<_>, _>>()?;
		let call = match calls.len() {
			1 => calls.remove(0),
			_ => RuntimeCall::Utility(pallet_utility::Call::batch_all { calls }),
		};
		let submitted = self.submitter.submit(call, started + self.timeout).await?;
		let extrinsic = submitted.hash;
		let inclusion = tokio::time::timeout(self.remaining(started), submitted.inclusion)
			.await
			.map_err(|_| ApiError::timeout("request_timeout", format!("transaction {extrinsic:?} was not in a block within {:?}", self.timeout)))?
			.map_err(|_| ApiError::internal("the block follower stopped"))?;
		let job_ids = match inclusion {
			Inclusion::Succeeded { jobs, .. } if jobs.len() == count => {
				self.metrics.transactions.with_label_values(&["included"]).inc();
				jobs
			},
			Inclusion::Succeeded { jobs, block } =>
				return Err(ApiError::internal(format!("block {} included {extrinsic:?} with {} jobs, not {count}", block.number, jobs.len()))),
			Inclusion::Failed { error, block } => {
				self.metrics.transactions.with_label_values(&["failed"]).inc();
				return Err(dispatch_failure(error, block.number));
			},
			Inclusion::NotIncluded => {
				self.metrics.transactions.with_label_values(&["notIncluded"]).inc();
				return Err(ApiError::timeout(
					"transaction_not_included",
					format!("transaction {extrinsic:?} expired without being included (dropped by the node's pool); nothing was charged"),
				));
			},
		};
		let mut waits = Vec::with_capacity(count);
		for job_id in &job_ids {
			let closed = self.tracker.closed(*job_id).ok_or_else(|| ApiError::internal(format!("job {job_id} was not followed")))?;
			waits.push(async move { closed.await.map_err(|_| ApiError::internal("the block follower stopped")) });
		}
		let traces = tokio::time::timeout(self.remaining(started), futures::future::try_join_all(waits))
			.await
			.map_err(|_| {
				ApiError::timeout(
					"request_timeout",
					format!(
						"job{} {} still running on chain after {:?}: follow {} with infera_job",
						if count > 1 { "s" } else { "" },
						list(&job_ids),
						self.timeout,
						if count > 1 { "them" } else { "it" }
					),
				)
			})??;
		if let Some(trace) = traces.iter().find(|trace| !matches!(closing_reason(trace), CloseReason::Completed)) {
			return Err(close_failure(trace));
		}
		let views = traces.iter().map(|trace| {
			let at = trace.closing.as_ref().map(|closing| closing.block.hash);
			self.node.call::<Value>("infera_job", json!([trace.job_id, at]))
		});
		let jobs = futures::future::try_join_all(views).await.map_err(|error| {
			ApiError::node(error).after_submission().with_context(format!("job{} {} settled", if count > 1 { "s" } else { "" }, list(&job_ids)))
		})?;
		Ok(traces.into_iter().zip(jobs).map(|(trace, job)| Settled { trace, extrinsic, job }).collect())
	}

	fn remaining(&self, started: Instant) -> Duration {
		self.timeout.saturating_sub(started.elapsed())
	}
}

fn list(ids: &[JobId]) -> String {
	ids.iter().map(JobId::to_string).collect::<Vec<_>>().join(", ")
}

fn closing_reason(trace: &JobTrace) -> CloseReason {
	trace.closing.as_ref().map(|closing| closing.reason).unwrap_or(CloseReason::Expired)
}

/// The answer for a job that closed without a result.
fn close_failure(trace: &JobTrace) -> ApiError {
	let reason = closing_reason(trace);
	let refunded = trace.closing.as_ref().map_or(0, |closing| closing.refunded);
	let message = format!(
		"job {} closed as `{}` in block {}; {refunded} planck of its {} planck escrow was refunded",
		trace.job_id,
		reason.name(),
		trace.closing.as_ref().map_or(0, |closing| closing.block.number),
		trace.escrow,
	);
	match reason {
		CloseReason::Expired => ApiError::timeout("job_expired", message),
		CloseReason::NoQuorum => ApiError::bad_gateway("no_quorum", message),
		CloseReason::Rejected => ApiError::bad_gateway("generation_rejected", message),
		CloseReason::QueueFull => ApiError::unavailable("queue_full", message),
		CloseReason::Failed(FailureReason::InvalidInput) => ApiError::bad_request(Some("input"), "invalid_input", message),
		CloseReason::Failed(FailureReason::OutputTooLarge) => ApiError::bad_gateway("output_too_large", message),
		CloseReason::Failed(_) => ApiError::bad_gateway("model_unavailable", message),
		CloseReason::Cancelled => ApiError::bad_gateway("job_cancelled", message),
		CloseReason::Completed => ApiError::internal(message),
	}
}

/// The answer for a transaction whose call failed on chain.
pub fn dispatch_failure(error: DispatchError, block: u32) -> ApiError {
	use pallet_compute_jobs::Error as Jobs;
	let runtime_error = RuntimeError::from_dispatch_error(error);
	let name = match &runtime_error {
		Some(known) => format!("{known:?}"),
		None => format!("{error:?}"),
	};
	let message = format!("the chain refused the job in block {block}: {name}");
	match runtime_error {
		Some(RuntimeError::ComputeJobs(error)) => match error {
			Jobs::MaxFeeTooLow => ApiError::payment("max_fee_too_low", message),
			Jobs::NoModelForTask => ApiError::not_found("model_not_found", message),
			Jobs::PriceAboveQuote => ApiError::conflict("price_changed", format!("{message}: the model's price rose after the quote; retry")),
			Jobs::InvalidDeadline => ApiError::bad_request(Some("deadline_blocks"), "invalid_deadline", message),
			Jobs::DeadlineBlockFull => ApiError::unavailable("deadline_block_full", message),
			Jobs::InvalidReplicas | Jobs::TooFewVerifiers => ApiError::bad_request(Some("replicas"), "invalid_replicas", message),
			Jobs::InvalidMaxNewTokens => ApiError::bad_request(Some("max_tokens"), "invalid_max_tokens", message),
			Jobs::InvalidInput => ApiError::bad_request(Some("input"), "invalid_input", message),
			Jobs::WrongSubmission => ApiError::bad_request(Some("model"), "wrong_task", message),
			_ => ApiError::bad_gateway("job_refused", message),
		},
		Some(RuntimeError::Balances(_)) => ApiError::payment("insufficient_balance", message),
		Some(RuntimeError::ModelRegistry(_)) => ApiError::not_found("model_not_found", message),
		_ => match error {
			DispatchError::Token(_) => ApiError::payment("insufficient_balance", format!("{message}: the requester cannot cover the job's escrow")),
			_ => ApiError::bad_gateway("job_refused", message),
		},
	}
}

/// The `infera` receipt of a completed job.
pub fn receipt(settled: &Settled) -> Value {
	let trace = &settled.trace;
	let slashed: Vec<&AccountId> = trace.slashes.iter().map(|slash| &slash.worker).collect();
	let agreeing: Vec<String> = trace
		.workers
		.iter()
		.filter(|worker| trace.revealed.contains(*worker) && !slashed.contains(worker))
		.map(ss58)
		.collect();
	let closing = trace.closing.as_ref();
	let settlement = trace.settlement.unwrap_or_default();
	let refunded = closing.map_or(0, |closing| closing.refunded);
	json!({
		"jobId": trace.job_id,
		"model": { "id": trace.model.0, "version": trace.model.1 },
		"extrinsic": settled.extrinsic,
		"submitted": { "number": trace.submitted.number, "hash": trace.submitted.hash },
		"settled": closing.map(|closing| json!({ "number": closing.block.number, "hash": closing.block.hash })),
		"blocks": closing.map(|closing| closing.block.number - trace.submitted.number),
		"closeReason": closing.map(|closing| closing.reason.name()),
		"workers": trace.workers.iter().map(ss58).collect::<Vec<_>>(),
		"agreeing": agreeing,
		"slashed": trace.slashes.iter().map(|slash| json!({
			"worker": ss58(&slash.worker),
			"amount": slash.amount.to_string(),
			"reason": format!("{:?}", slash.reason),
		})).collect::<Vec<_>>(),
		"fee": {
			"escrowed": trace.escrow.to_string(),
			"paid": trace.escrow.saturating_sub(refunded).to_string(),
			"refunded": refunded.to_string(),
			"workers": settlement.workers.to_string(),
			"owner": settlement.owner.to_string(),
			"data": settlement.data.to_string(),
			"treasury": settlement.treasury.to_string(),
		},
	})
}

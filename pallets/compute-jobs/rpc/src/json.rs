//! The JSON shapes returned by the `infera_*` job methods.
//!
//! Balances are decimal strings, accounts SS58 strings, digests and raw bytes 0x-prefixed
//! hex, block numbers integers, reputation parts per million.

use pallet_compute_jobs_runtime_api::{
	CloseReason, FailureReason, FeeEstimate, InputView, JobDetails, JobStatus, OutputView, WorkerDetails,
	WorkerState,
};
use serde::Serialize;
use sp_core::H256;

/// A job.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobJson {
	pub id: u64,
	pub requester: String,
	pub model_id: u32,
	pub version: u32,
	pub task: &'static str,
	pub owner: String,
	pub weights: H256,
	pub datasets: Vec<u32>,
	pub input: InputJson,
	pub price: String,
	pub worker_fee: String,
	/// Still held; `"0"` once closed.
	pub escrow: String,
	pub replicas: u8,
	pub submitted_at: u64,
	pub deadline: u64,
	/// `drawing` (waiting for the randomness of its draw), `queued`, `assigned` or `closed`.
	pub status: &'static str,
	/// The assigned workers' progress (empty unless assigned).
	pub assignments: Vec<AssignmentJson>,
	pub assigned_at: Option<u64>,
	pub reveal_from: Option<u64>,
	/// Once closed: `completed`, `noQuorum`, `expired`, `cancelled`, `queueFull` or
	/// `failed…` with the workers' reason.
	pub close_reason: Option<&'static str>,
	pub closed_at: Option<u64>,
	/// The agreed output of a completed job.
	pub result: Option<OutputJson>,
}

/// A job's input.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum InputJson {
	/// Bytes on chain; `text` when they are UTF-8.
	Inline { hex: String, text: Option<String> },
	/// Fetched by workers and checked against `digest` (SHA-256).
	Remote { digest: H256, size_bytes: u64, url: String },
}

/// An agreed output.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum OutputJson {
	/// i8 components of the L2-normalised embedding × 127.
	Embedding { values: Vec<i8> },
	/// A class label id.
	Label { label: u32 },
	/// UTF-8 text (lossy if invalid).
	Text { text: String },
}

/// One assigned worker's progress.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentJson {
	pub worker: String,
	pub committed: bool,
	pub revealed: bool,
}

/// A worker.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WorkerJson {
	pub account: String,
	pub bond: String,
	pub models: Vec<u32>,
	pub capacity: u32,
	pub assigned: u32,
	/// `active`, `paused` or `unbonding`.
	pub state: &'static str,
	/// Block from which an unbonding worker may withdraw.
	pub unlocks_at: Option<u64>,
	/// Parts per million.
	pub reputation: u32,
	pub registered_at: u64,
}

/// The least cost of a job, in parts.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FeeJson {
	pub model_id: u32,
	pub version: u32,
	pub price: String,
	/// The part of `price` paid to the model's datasets.
	pub data_share: String,
	pub worker_fees: String,
	pub treasury: String,
	/// The least `maxFee` a submission needs: price + workerFees + treasury.
	pub min_max_fee: String,
}

/// The JSON name of a close reason.
pub fn close_reason_name(reason: CloseReason) -> &'static str {
	match reason {
		CloseReason::Completed => "completed",
		CloseReason::NoQuorum => "noQuorum",
		CloseReason::Expired => "expired",
		CloseReason::Cancelled => "cancelled",
		CloseReason::Failed(FailureReason::InputUnavailable) => "failedInputUnavailable",
		CloseReason::Failed(FailureReason::InvalidInput) => "failedInvalidInput",
		CloseReason::Failed(FailureReason::ModelUnavailable) => "failedModelUnavailable",
		CloseReason::Failed(FailureReason::OutputTooLarge) => "failedOutputTooLarge",
		CloseReason::QueueFull => "queueFull",
	}
}

fn hex(bytes: &[u8]) -> String {
	format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&bytes))
}

impl InputJson {
	fn from_view(input: InputView) -> Self {
		match input {
			InputView::Inline(bytes) => InputJson::Inline {
				hex: hex(&bytes),
				text: String::from_utf8(bytes).ok(),
			},
			InputView::Remote { digest, size_bytes, url } => InputJson::Remote {
				digest,
				size_bytes,
				url: String::from_utf8_lossy(&url).into_owned(),
			},
		}
	}
}

impl OutputJson {
	fn from_view(output: OutputView) -> Self {
		match output {
			OutputView::Embedding(values) => OutputJson::Embedding { values },
			OutputView::Label(label) => OutputJson::Label { label },
			OutputView::Text(text) => OutputJson::Text { text: String::from_utf8_lossy(&text).into_owned() },
		}
	}
}

impl JobJson {
	/// Converts the runtime API's view.
	pub fn from_details<AccountId, Balance, BlockNumber>(
		job: JobDetails<AccountId, Balance, BlockNumber>,
	) -> Self
	where
		AccountId: std::fmt::Display,
		Balance: ToString,
		BlockNumber: Into<u64>,
	{
		let (status, assignments, assigned_at, reveal_from, close_reason, closed_at) = match job.status {
			JobStatus::Drawing => ("drawing", Vec::new(), None, None, None, None),
			JobStatus::Queued => ("queued", Vec::new(), None, None, None, None),
			JobStatus::Assigned { assignments, assigned_at, reveal_from } => (
				"assigned",
				assignments
					.into_iter()
					.map(|a| AssignmentJson {
						worker: a.worker.to_string(),
						committed: a.committed,
						revealed: a.revealed,
					})
					.collect(),
				Some(assigned_at.into()),
				Some(reveal_from.into()),
				None,
				None,
			),
			JobStatus::Closed { reason, at } =>
				("closed", Vec::new(), None, None, Some(close_reason_name(reason)), Some(at.into())),
		};
		JobJson {
			id: job.id,
			requester: job.requester.to_string(),
			model_id: job.model_id,
			version: job.version,
			task: job.task.as_str(),
			owner: job.owner.to_string(),
			weights: job.weights,
			datasets: job.datasets,
			input: InputJson::from_view(job.input),
			price: job.price.to_string(),
			worker_fee: job.worker_fee.to_string(),
			escrow: job.escrow.to_string(),
			replicas: job.replicas,
			submitted_at: job.submitted_at.into(),
			deadline: job.deadline.into(),
			status,
			assignments,
			assigned_at,
			reveal_from,
			close_reason,
			closed_at,
			result: job.result.map(OutputJson::from_view),
		}
	}
}

impl WorkerJson {
	/// Converts the runtime API's view of `account`.
	pub fn from_details<Balance, BlockNumber>(
		account: String,
		worker: WorkerDetails<Balance, BlockNumber>,
	) -> Self
	where
		Balance: ToString,
		BlockNumber: Into<u64>,
	{
		let (state, unlocks_at) = match worker.state {
			WorkerState::Active => ("active", None),
			WorkerState::Paused => ("paused", None),
			WorkerState::Unbonding { unlocks_at } => ("unbonding", Some(unlocks_at.into())),
		};
		WorkerJson {
			account,
			bond: worker.bond.to_string(),
			models: worker.models,
			capacity: worker.capacity,
			assigned: worker.assigned,
			state,
			unlocks_at,
			reputation: worker.reputation.deconstruct(),
			registered_at: worker.registered_at.into(),
		}
	}
}

impl FeeJson {
	/// Converts an estimate.
	pub fn from_estimate<Balance: ToString>(fee: FeeEstimate<Balance>) -> Self {
		FeeJson {
			model_id: fee.model_id,
			version: fee.version,
			price: fee.price.to_string(),
			data_share: fee.data_share.to_string(),
			worker_fees: fee.worker_fees.to_string(),
			treasury: fee.treasury.to_string(),
			min_max_fee: fee.min_max_fee.to_string(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_compute_jobs_runtime_api::{AssignmentView, TaskKind};

	fn job(status: JobStatus<u64, u32>, result: Option<OutputView>) -> JobDetails<u64, u128, u32> {
		JobDetails {
			id: 4,
			requester: 2,
			model_id: 0,
			version: 1,
			task: TaskKind::TextEmbedding,
			owner: 1,
			weights: H256::repeat_byte(1),
			datasets: vec![7],
			input: InputView::Inline(b"hi".to_vec()),
			price: 10u128.pow(20),
			worker_fee: 5,
			escrow: 0,
			replicas: 1,
			submitted_at: 3,
			deadline: 13,
			status,
			result,
		}
	}

	#[test]
	fn a_closed_job_names_its_reason_and_result() {
		let closed = JobJson::from_details(job(
			JobStatus::Closed { reason: CloseReason::NoQuorum, at: 9 },
			Some(OutputView::Embedding(vec![-1, 2])),
		));
		let json = serde_json::to_value(&closed).unwrap();
		assert_eq!(json["status"], "closed");
		assert_eq!(json["closeReason"], "noQuorum");
		assert_eq!(json["closedAt"], 9);
		assert_eq!(json["price"], "100000000000000000000");
		assert_eq!(json["input"], serde_json::json!({ "kind": "inline", "hex": "0x6869", "text": "hi" }));
		assert_eq!(json["result"], serde_json::json!({ "kind": "embedding", "values": [-1, 2] }));
	}

	#[test]
	fn an_assigned_job_lists_progress_and_windows() {
		let assigned = JobJson::from_details(job(
			JobStatus::Assigned {
				assignments: vec![AssignmentView { worker: 11, committed: true, revealed: false }],
				assigned_at: 4,
				reveal_from: 14,
			},
			None,
		));
		let json = serde_json::to_value(&assigned).unwrap();
		assert_eq!(json["status"], "assigned");
		assert_eq!(json["closeReason"], serde_json::Value::Null);
		assert_eq!(json["assignments"][0], serde_json::json!({ "worker": "11", "committed": true, "revealed": false }));
		assert_eq!(json["revealFrom"], 14);
		let remote = InputJson::from_view(InputView::Remote {
			digest: H256::zero(),
			size_bytes: 9,
			url: b"https://x".to_vec(),
		});
		let json = serde_json::to_value(&remote).unwrap();
		assert_eq!(json["kind"], "remote");
		assert_eq!(json["sizeBytes"], 9);
	}
}

//! Views for the runtime API, and pruning of closed jobs.

use super::*;
use crate::{mock::*, views::*, *};
use frame_support::{assert_ok, weights::Weight};
use sp_runtime::Permill;

#[test]
fn a_job_is_viewed_from_submission_to_its_result() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let model = MODEL;
		let queued = {
			Workers::<Test>::mutate(W1, |w| w.as_mut().unwrap().capacity = 0);
			submit_undrawn(model, 1)
		};
		assert_eq!(ComputeJobs::job(queued).unwrap().status, JobStatus::Drawing);
		wait_for_draw();
		let details = ComputeJobs::job(queued).unwrap();
		assert_eq!(details.status, JobStatus::Queued);
		assert_eq!(details.escrow, 50);
		assert_eq!(details.input, InputView::Inline(b"the quick brown fox".to_vec()));
		assert_eq!(details.result, None);
		// Drawn at block 4 and queued; assigned at the next block once W1 has room.
		free_worker(W1);
		advance_to(5);

		let JobStatus::Assigned { assignments, .. } = ComputeJobs::job(queued).unwrap().status else {
			panic!("assigned once the worker resumed");
		};
		assert_eq!(assignments, vec![AssignmentView { worker: W1, committed: false, revealed: false }]);
		let output = embedding(&[1, 2, 3]);
		commit(queued, W1, &output);
		assert_ok!(reveal(queued, W1, output));
		let done = ComputeJobs::job(queued).unwrap();
		assert_eq!(done.status, JobStatus::Closed { reason: CloseReason::Completed, at: 5 });
		assert_eq!(done.escrow, 0);
		assert_eq!(done.result, Some(InferenceOutput::embedding(vec![1, 2, 3])));
		assert_eq!(ComputeJobs::job(99), None);
	});
}

#[test]
fn a_requesters_jobs_page_in_id_order() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		let model = MODEL;
		let ids: Vec<JobId> = (0..3).map(|_| submit(model, 1)).collect();
		let all: Vec<JobId> =
			ComputeJobs::jobs_by_requester(REQUESTER, 0, 10).iter().map(|job| job.id).collect();
		assert_eq!(all, ids);
		let page: Vec<JobId> =
			ComputeJobs::jobs_by_requester(REQUESTER, 1, 1).iter().map(|job| job.id).collect();
		assert_eq!(page, vec![1]);
		assert!(ComputeJobs::jobs_by_requester(OWNER, 0, 10).is_empty());
	});
}

#[test]
fn workers_are_viewed_with_their_reputation() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let model = MODEL;
		let worker = ComputeJobs::worker(W1).unwrap();
		assert_eq!(worker.account, W1);
		assert_eq!(worker.bond, BOND);
		assert_eq!(worker.models, vec![model]);
		assert_eq!(worker.state, WorkerState::Active);
		assert_eq!(worker.reputation, Permill::from_percent(50));
		assert_eq!(ComputeJobs::worker(W2), None);
	});
}

#[test]
fn fees_are_estimated_as_submission_checks_them() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		let model = MODEL;
		let estimate = ComputeJobs::estimate_fee(ModelChoice::Model { model_id: model, version: None, max_price: u64::MAX }, 3).unwrap();
		// 20 + 3 × 5 = 35, treasury ⌈10 %⌉ = 4.
		assert_eq!(
			estimate,
			FeeEstimate {
				model_id: model,
				version: 1,
				price: 20,
				data_share: 6,
				worker_fees: 15,
				treasury: 4,
				min_max_fee: 39
			}
		);
		assert_eq!(estimate.min_max_fee, ComputeJobs::required_escrow(PRICE, 3));
		let routed =
			ComputeJobs::estimate_fee(ModelChoice::Task { task: TaskKind::TextEmbedding, max_price: 20 }, 1);
		assert_eq!(routed.unwrap().model_id, model);
		assert_eq!(
			ComputeJobs::estimate_fee(ModelChoice::Task { task: TaskKind::TextEmbedding, max_price: 19 }, 1),
			Err(FeeEstimateError::NoModelForTask)
		);
		assert_eq!(
			ComputeJobs::estimate_fee(ModelChoice::Model { model_id: model, version: None, max_price: u64::MAX }, 6),
			Err(FeeEstimateError::InvalidReplicas { max: 5 })
		);
		assert_eq!(
			ComputeJobs::estimate_fee(ModelChoice::Model { model_id: 42, version: None, max_price: u64::MAX }, 1),
			Err(FeeEstimateError::ModelUnavailable(b"UnknownModel".to_vec()))
		);
	});
}

#[test]
fn closed_jobs_are_pruned_after_their_retention_in_id_order() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let model = MODEL;
		// Job 0 is drawn and completes at block 4; job 1, submitted then, stays open until
		// its deadline (block 4 + 13 = 17).
		let first = submit(model, 1);
		let output = embedding(&[5, 5]);
		commit(first, W1, &output);
		assert_ok!(reveal(first, W1, output));
		assert!(matches!(Jobs::<Test>::get(first).unwrap().state, JobState::Closed { at: 4, .. }));
		let open = submit(model, 1);
		assert_eq!(ComputeJobs::prune_closed_jobs(24, Weight::zero()), Weight::zero());
		assert!(Jobs::<Test>::contains_key(first), "no weight, no pruning");

		ComputeJobs::prune_closed_jobs(23, Weight::MAX);
		assert!(Jobs::<Test>::contains_key(first), "retained for 20 blocks");
		ComputeJobs::prune_closed_jobs(24, Weight::MAX);
		assert_eq!(ComputeJobs::job(first), None);
		assert!(!Results::<Test>::contains_key(first));
		assert_eq!(PruneCursor::<Test>::get(), open, "stops at the open job");
		ComputeJobs::do_try_state().unwrap();

		advance_to(17);
		assert!(matches!(Jobs::<Test>::get(open).unwrap().state, JobState::Closed { at: 17, .. }));
		ComputeJobs::prune_closed_jobs(37, Weight::MAX);
		assert!(ComputeJobs::jobs_by_requester(REQUESTER, 0, 10).is_empty());
		assert_eq!(PruneCursor::<Test>::get(), NextJobId::<Test>::get());
	});
}

/// A dApp pages through a requester's jobs: each page is read from the index in id order,
/// starting at the id it asks for, without collecting the requester's whole history.
#[test]
fn a_requesters_jobs_are_read_a_page_at_a_time_in_id_order() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let model = MODEL;
		NextJobId::<Test>::put(250);
		DrawCursor::<Test>::put(250);
		DrawMarks::<Test>::put((250, 250));
		let jobs: Vec<JobId> = (0..9).map(|_| submit_undrawn(model, 1)).collect();
		assert_eq!(jobs, (250..259).collect::<Vec<_>>());
		let page = |start, limit| -> Vec<JobId> {
			ComputeJobs::jobs_by_requester(REQUESTER, start, limit).into_iter().map(|job| job.id).collect()
		};
		assert_eq!(page(0, 3), vec![250, 251, 252]);
		assert_eq!(page(253, 4), vec![253, 254, 255, 256]);
		assert_eq!(page(257, 10), vec![257, 258]);
		assert_eq!(page(259, 10), Vec::<JobId>::new());
		assert!(ComputeJobs::jobs_by_requester(OWNER, 0, 10).is_empty());
	});
}

/// The JSON the `infera_*` RPC methods return is the views' own serialisation.
mod json {
	use super::*;
	use serde_json::json;
	use infera_primitives::inference::Unbounded;
	use sp_core::H256;

	fn job(status: JobStatus<u64, u32>, result: Option<InferenceOutput>) -> JobDetails<u64, u128, u32> {
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
			generation: None,
		}
	}

	#[test]
	fn a_closed_job_names_its_reason_and_result() {
		let closed = job(
			JobStatus::Closed { reason: CloseReason::NoQuorum, at: 9 },
			Some(InferenceOutput::embedding(vec![-1, 2])),
		);
		let json = serde_json::to_value(&closed).unwrap();
		assert_eq!(json["status"], "closed");
		assert_eq!(json["closeReason"], "noQuorum");
		assert_eq!(json["closedAt"], 9);
		assert_eq!(json["assignments"], json!([]));
		assert_eq!(json["revealFrom"], serde_json::Value::Null);
		assert_eq!(json["task"], "textEmbedding");
		assert_eq!(json["modelId"], 0);
		assert_eq!(json["weights"], format!("0x{}", "01".repeat(32)));
		assert_eq!(json["price"], "100000000000000000000");
		assert_eq!(json["workerFee"], "5");
		assert_eq!(json["input"], json!({ "kind": "inline", "hex": "0x6869", "text": "hi" }));
		assert_eq!(json["result"], json!({ "kind": "embedding", "values": [-1, 2] }));
		let failed = CloseReason::Failed(FailureReason::InvalidInput);
		assert_eq!(serde_json::to_value(failed).unwrap(), "failedInvalidInput");
	}

	#[test]
	fn an_assigned_job_lists_progress_and_windows() {
		let assigned = job(
			JobStatus::Assigned {
				assignments: vec![AssignmentView { worker: 11, committed: true, revealed: false }],
				assigned_at: 4,
				reveal_from: 14,
			},
			None,
		);
		let json = serde_json::to_value(&assigned).unwrap();
		assert_eq!(json["status"], "assigned");
		assert_eq!(json["closeReason"], serde_json::Value::Null);
		assert_eq!(json["result"], serde_json::Value::Null);
		assert_eq!(json["assignments"][0], json!({ "worker": 11, "committed": true, "revealed": false }));
		assert_eq!(json["assignedAt"], 4);
		assert_eq!(json["revealFrom"], 14);
		let remote = InputView::Remote { digest: H256::zero(), size_bytes: 9, url: b"https://x".to_vec() };
		let json = serde_json::to_value(&remote).unwrap();
		assert_eq!(json, json!({ "kind": "remote", "digest": format!("0x{}", "00".repeat(32)), "sizeBytes": 9, "url": "https://x" }));
		let binary = serde_json::to_value(InputView::Inline(vec![0xff])).unwrap();
		assert_eq!(binary, json!({ "kind": "inline", "hex": "0xff", "text": null }));
	}

	#[test]
	fn workers_fees_and_outputs_serialise_with_balances_as_strings() {
		let worker = WorkerDetails::<u64, u128, u32> {
			account: 7,
			bond: u128::MAX,
			models: vec![0, 2],
			capacity: 4,
			assigned: 1,
			state: WorkerState::Unbonding { unlocks_at: 30 },
			reputation: Permill::from_percent(50),
			registered_at: 2,
			ready: vec![ReadyVersion { model_id: 0, version: 1 }],
		};
		let json = serde_json::to_value(&worker).unwrap();
		assert_eq!(
			json,
			json!({
				"account": 7, "bond": u128::MAX.to_string(), "models": [0, 2], "capacity": 4, "assigned": 1,
				"state": "unbonding", "unlocksAt": 30, "reputation": 500_000, "registeredAt": 2,
				"ready": [{ "modelId": 0, "version": 1 }],
			})
		);
		let active = WorkerDetails { state: WorkerState::Active, ..worker };
		let json = serde_json::to_value(&active).unwrap();
		assert_eq!((json["state"].clone(), json["unlocksAt"].clone()), (json!("active"), serde_json::Value::Null));
		let fee = FeeEstimate::<u128> {
			model_id: 1,
			version: 2,
			price: 10,
			data_share: 2,
			worker_fees: 3,
			treasury: 1,
			min_max_fee: 14,
		};
		assert_eq!(
			serde_json::to_value(&fee).unwrap(),
			json!({
				"modelId": 1, "version": 2, "price": "10", "dataShare": "2", "workerFees": "3",
				"treasury": "1", "minMaxFee": "14",
			})
		);
		assert_eq!(serde_json::to_value(InferenceOutput::<Unbounded>::Label(3)).unwrap(), json!({ "kind": "label", "label": 3 }));
		assert_eq!(
			serde_json::to_value(InferenceOutput::text(b"ok".to_vec(), vec![564, 2], vec![30, 200])).unwrap(),
			json!({ "kind": "text", "text": "ok", "tokenCount": 2, "tokens": [564, 2], "margins": [30, 200] })
		);
	}
}

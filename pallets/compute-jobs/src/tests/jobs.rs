//! Submitting jobs into escrow and cancelling them.

use super::wait_for_draw;
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_core::H256;
use sp_runtime::TokenError;

fn submit(who: AccountId, model: ModelId, max_fee: Balance, replicas: u8) -> sp_runtime::DispatchResult {
	ComputeJobs::submit_job(
		RuntimeOrigin::signed(who),
		ModelChoice::Model { model_id: model, version: None, max_price: u64::MAX },
		text(b"the quick brown fox"),
		max_fee,
		replicas,
		10,
	)
	.map(|_| ())
	.map_err(|e| e.error)
}

#[test]
fn submission_holds_the_maximum_fee_and_opens_a_job_on_the_model() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1, W2, W3]).build_and_execute(|| {
		// Price 20 + 3 replicas × WorkerFee 5 = 35, plus the treasury's 10 %, rounded up.
		assert_eq!(ComputeJobs::required_escrow(PRICE, 3), 39);
		assert_ok!(submit(REQUESTER, MODEL, 50, 3));
		System::assert_last_event(
			Event::JobSubmitted {
				job_id: 0,
				requester: REQUESTER,
				model_id: MODEL,
				version: 1,
				escrow: 50,
				deadline: 11,
			}
			.into(),
		);
		assert_eq!(escrow_of(REQUESTER), 50);
		assert_eq!(free(REQUESTER), INITIAL_BALANCE - 50);
		let job = Jobs::<Test>::get(0).unwrap();
		assert_eq!((job.price, job.worker_fee, job.replicas), (PRICE, 5, 3));
		assert_eq!(job.weights, H256::repeat_byte(1));
		// Not assigned at submission: it waits for its draw, then queues (all workers busy).
		assert_eq!(job.state, JobState::Drawing);
		wait_for_draw();
		assert_eq!(Jobs::<Test>::get(0).unwrap().state, JobState::Queued);
		assert_eq!(escrow_of(REQUESTER), 50);
		assert_eq!(pallet_model_registry::Usage::<Test>::get(MODEL).open_jobs, 1);
		// The model cannot retire while the job is open.
		assert_noop!(
			Registry::retire(RuntimeOrigin::signed(OWNER), MODEL),
			pallet_model_registry::Error::<Test>::ModelHasOpenJobs
		);
	});
}

#[test]
fn a_task_is_routed_to_the_best_model_within_the_price() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		let expensive = MODEL;
		let cheap = approved_model(2, 5);
		workers(cheap, &[W1]);
		assert_ok!(ComputeJobs::submit_job(
			RuntimeOrigin::signed(REQUESTER),
			ModelChoice::Task { task: TaskKind::TextEmbedding, max_price: 100 },
			text(b"hello"),
			100,
			1,
			10,
		));
		assert_eq!(Jobs::<Test>::get(0).unwrap().model_id, cheap);
		assert_ne!(cheap, expensive);
		assert_noop!(
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Task { task: TaskKind::TextGeneration, max_price: 100 },
				text(b"hello"),
				100,
				1,
				10,
			),
			Error::<Test>::NoModelForTask
		);
	});
}

#[test]
fn replica_limit_is_a_live_parameter_capped_by_the_storage_bound() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1, W2, W3, W4]).build_and_execute(|| {
		ReplicaLimit::set(2);
		assert_noop!(submit(REQUESTER, MODEL, 100, 3), Error::<Test>::InvalidReplicas);
		assert_eq!(
			ComputeJobs::estimate_fee(ModelChoice::Model { model_id: MODEL, version: None, max_price: u64::MAX }, 3),
			Err(views::FeeEstimateError::InvalidReplicas { max: 2 })
		);
		assert_ok!(submit(REQUESTER, MODEL, 100, 2));

		// Above `MaxReplicas` (5) the storage bound still applies.
		ReplicaLimit::set(9);
		assert_eq!(ComputeJobs::replica_limit(), 5);
		assert_noop!(submit(REQUESTER, MODEL, 100, 6), Error::<Test>::InvalidReplicas);
		// 5 replicas pass the replica check; only 4 workers exist for the model.
		assert_noop!(submit(REQUESTER, MODEL, 100, 5), Error::<Test>::NotEnoughWorkers);
	});
}

#[test]
fn submissions_are_checked() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1]).build_and_execute(|| {
		assert_noop!(submit(REQUESTER, MODEL, 100, 0), Error::<Test>::InvalidReplicas);
		assert_noop!(submit(REQUESTER, MODEL, 100, 6), Error::<Test>::InvalidReplicas);
		assert_noop!(submit(REQUESTER, MODEL, 38, 3), Error::<Test>::MaxFeeTooLow);
		assert_noop!(submit(REQUESTER, 9, 100, 1), pallet_model_registry::Error::<Test>::UnknownModel);
		assert_noop!(submit(POOR, MODEL, 600, 1), TokenError::FundsUnavailable);
		let with = |input: JobInput<Test>, deadline_in| {
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Model { model_id: MODEL, version: None, max_price: u64::MAX },
				input,
				100,
				1,
				deadline_in,
			)
		};
		assert_noop!(with(text(b"x"), 2), Error::<Test>::InvalidDeadline);
		assert_noop!(with(text(b"x"), 101), Error::<Test>::InvalidDeadline);
		assert_noop!(with(text(b""), 10), Error::<Test>::InvalidInput);
		let empty_url =
			JobInput::Remote { digest: H256::zero(), size_bytes: 10, url: BoundedVec::new() };
		assert_noop!(with(empty_url, 10), Error::<Test>::InvalidInput);
		let remote = JobInput::Remote {
			digest: H256::repeat_byte(7),
			size_bytes: 10,
			url: BoundedVec::truncate_from(b"https://data.example/x".to_vec()),
		};
		assert_ok!(with(remote, 10));
		// A pinned version must be approved.
		assert_noop!(
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Model { model_id: MODEL, version: Some(2), max_price: u64::MAX },
				text(b"x"),
				100,
				1,
				10,
			),
			pallet_model_registry::Error::<Test>::UnknownVersion
		);
	});
}

#[test]
fn cancelling_a_queued_job_refunds_everything_once() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1, W2, W3]).build_and_execute(|| {
		assert_ok!(submit(REQUESTER, MODEL, 50, 3));
		assert_noop!(ComputeJobs::cancel_job(RuntimeOrigin::signed(OWNER), 0), Error::<Test>::NotRequester);
		assert_noop!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), 9), Error::<Test>::UnknownJob);
		assert_ok!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), 0));
		System::assert_last_event(
			Event::JobClosed { job_id: 0, reason: CloseReason::Cancelled, refunded: 50 }.into(),
		);
		assert_eq!((escrow_of(REQUESTER), free(REQUESTER)), (0, INITIAL_BALANCE));
		let job = Jobs::<Test>::get(0).unwrap();
		assert_eq!(job.state, JobState::Closed { reason: CloseReason::Cancelled, at: 1 });
		assert_eq!(job.escrow, 0);
		assert_noop!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), 0), Error::<Test>::JobNotQueued);
		// Cancellation says nothing about the model's quality and frees it to retire.
		let usage = pallet_model_registry::Usage::<Test>::get(MODEL);
		assert_eq!((usage.open_jobs, usage.jobs_failed, usage.jobs_completed), (0, 0, 0));
		assert_ok!(Registry::retire(RuntimeOrigin::signed(OWNER), MODEL));
	});
}

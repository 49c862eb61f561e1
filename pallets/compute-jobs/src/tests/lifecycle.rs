//! Jobs from assignment to settlement: payments, slashes, refunds, expiry, queueing.

use super::*;
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

#[test]
fn agreeing_replicas_settle_and_the_escrow_is_split_exactly() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let issuance = total();
		let job = submit(MODEL, 3);
		let mut assigned = assigned_workers(job);
		assigned.sort();
		assert_eq!(assigned, vec![W1, W2, W3]);
		let owner_before = free(OWNER);

		let output = embedding(&[100, -20, 5, 60]);
		for worker in [W1, W2] {
			commit(job, worker, &output);
			assert_noop!(reveal(job, worker, output.clone()), Error::<Test>::RevealsNotOpen);
		}
		// A slightly different machine: one component off by one.
		let nearby = embedding(&[100, -20, 6, 60]);
		commit(job, W3, &nearby);
		assert_ok!(reveal(job, W1, output.clone()));
		assert_ok!(reveal(job, W2, output.clone()));
		assert_ok!(reveal(job, W3, nearby));

		// Workers 3 × 5, owner 20, treasury ⌈10 % × 35⌉ = 4, requester gets 50 − 39 = 11.
		System::assert_has_event(
			Event::JobSettled {
				job_id: job,
				workers_paid: 15,
				owner_paid: 20,
				data_paid: 0,
				treasury_paid: 4,
			}
				.into(),
		);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Completed, refunded: 11 }.into(),
		);
		for worker in [W1, W2, W3] {
			assert_eq!(free(worker), INITIAL_BALANCE - BOND + 5);
			let info = Workers::<Test>::get(worker).unwrap();
			assert_eq!((info.assigned, info.bond), (0, BOND));
			assert_eq!(info.reputation, sp_runtime::Permill::from_percent(55));
		}
		assert_eq!(free(OWNER), owner_before + 20);
		assert_eq!(free(TREASURY), 1 + 4);
		assert_eq!((escrow_of(REQUESTER), free(REQUESTER)), (0, INITIAL_BALANCE - 39));
		// The agreed result is the first agreeing reveal in assignment order.
		let agreed = Results::<Test>::get(job).unwrap();
		assert!(agreed == output || agreed == embedding(&[100, -20, 6, 60]), "{agreed:?}");
		assert_eq!(total(), issuance, "settlement moves money, never mints or burns");
		let usage = pallet_model_registry::Usage::<Test>::get(MODEL);
		assert_eq!((usage.open_jobs, usage.jobs_completed, usage.agreeing_replicas), (0, 1, 3));
		// Closed once: the deadline later finds nothing to do.
		run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
		assert_eq!(free(REQUESTER), INITIAL_BALANCE - 39);
	});
}

#[test]
fn a_result_outside_the_majority_is_slashed_harder_than_a_no_show() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 3);
		let (good, bad) = (embedding(&[50, 50, 50]), embedding(&[-50, 50, 50]));
		commit(job, W1, &good);
		commit(job, W2, &bad);
		commit(job, W3, &good);
		assert_ok!(reveal(job, W2, bad));
		assert_ok!(reveal(job, W1, good.clone()));
		assert_ok!(reveal(job, W3, good));
		System::assert_has_event(
			Event::WorkerSlashed { worker: W2, job_id: job, amount: 100, reason: SlashReason::Disagreed }
				.into(),
		);
		assert_eq!(worker_bond(W2), 900);
		assert_eq!(Workers::<Test>::get(W2).unwrap().state, WorkerState::Paused, "below MinWorkerBond");
		// Two agreeing workers paid: 10; treasury ⌈10 % × 30⌉ = 3 plus the slash.
		assert_eq!(free(TREASURY), 1 + 3 + 100);
		assert_eq!(free(REQUESTER), INITIAL_BALANCE - 33);
	});
}

#[test]
fn commit_and_reveal_are_checked() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 2);
		let assigned = assigned_workers(job);
		let outsider = [W1, W2, W3].into_iter().find(|w| !assigned.contains(w)).unwrap();
		let (first, second) = (assigned[0], assigned[1]);
		let output = JobOutput::<Test>::Label(0);
		let embedding_output = embedding(&[1, 2, 3]);
		let hash = |who| commitment_of::<Test>(job, &who, &Verdict::Output(output.clone()), &SALT);
		let commit_as = |who| ComputeJobs::commit_result(RuntimeOrigin::signed(who), job, hash(who));

		assert_noop!(
			ComputeJobs::commit_result(RuntimeOrigin::signed(first), 99, hash(first)),
			Error::<Test>::UnknownJob
		);
		assert_noop!(commit_as(outsider), Error::<Test>::NotAssignedWorker);
		assert_ok!(commit_as(first));
		assert_noop!(commit_as(first), Error::<Test>::AlreadyCommitted);
		assert_noop!(reveal(job, first, output.clone()), Error::<Test>::RevealsNotOpen);
		commit(job, second, &embedding_output);
		// Everyone committed: reveals are open and commitments closed.
		assert_noop!(commit_as(second), Error::<Test>::CommitsClosed);
		assert_noop!(reveal(job, outsider, output.clone()), Error::<Test>::NotAssignedWorker);
		assert_noop!(
			ComputeJobs::reveal_result(RuntimeOrigin::signed(first), job, Verdict::Output(output.clone()), [8; 32]),
			Error::<Test>::CommitmentMismatch
		);
		// A label for an embedding model.
		assert_noop!(reveal(job, first, output), Error::<Test>::WrongOutputKind);
		assert_ok!(reveal(job, second, embedding_output.clone()));
		assert_noop!(reveal(job, second, embedding_output), Error::<Test>::AlreadyRevealed);
	});
}

#[test]
fn the_requester_is_never_assigned_its_own_job() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_ok!(ComputeJobs::register_worker(
			RuntimeOrigin::signed(REQUESTER),
			BOND,
			models(&[MODEL]),
			5
		));
		// Its own worker does not count: nobody else could ever take the job.
		assert_noop!(
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Model { model_id: MODEL, version: None, max_price: PRICE },
				text(b"x"),
				50,
				1,
				10,
			),
			Error::<Test>::NotEnoughWorkers
		);
		busy_worker(MODEL, W1);
		let job = submit(MODEL, 1);
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Queued);
		free_worker(W1);
		run_to_block(System::block_number() + 1);
		assert_eq!(assigned_workers(job), vec![W1]);
	});
}

#[test]
fn no_shows_are_slashed_and_the_job_completes_with_the_rest() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 3);
		let output = embedding(&[1, 2, 3]);
		commit(job, W1, &output);
		commit(job, W2, &output);
		// Drawn at block 4: the commit window ends at 4 + 3.
		System::set_block_number(7);
		assert_noop!(reveal(job, W3, output.clone()), Error::<Test>::NotCommitted);
		assert_ok!(reveal(job, W1, output.clone()));
		assert_ok!(reveal(job, W2, output));
		System::assert_has_event(
			Event::WorkerSlashed { worker: W3, job_id: job, amount: 10, reason: SlashReason::NoShow }
				.into(),
		);
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Closed { reason: CloseReason::Completed, at: 7 });
		assert_eq!(Workers::<Test>::get(W3).unwrap().assigned, 0);
	});
}

#[test]
fn without_a_majority_the_requester_still_pays_and_nobody_who_answered_is_slashed() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		let job = submit(MODEL, 2);
		let (a, b) = (embedding(&[9, 0, 0]), embedding(&[0, 9, 0]));
		commit(job, W1, &a);
		commit(job, W2, &b);
		assert_ok!(reveal(job, W1, a));
		assert_ok!(reveal(job, W2, b));
		// Both revealed, so both are paid; an output is public, so the owner is paid too:
		// 2 × 5 + 20 + ⌈10 % × 30⌉ = 33.
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::NoQuorum, refunded: 17 }.into(),
		);
		assert_eq!((free(REQUESTER), worker_bond(W1), worker_bond(W2)), (INITIAL_BALANCE - 33, BOND, BOND));
		// Nobody can be called wrong: reputations stay.
		assert_eq!(Workers::<Test>::get(W1).unwrap().reputation, sp_runtime::Permill::from_percent(50));
		assert_eq!(pallet_model_registry::Usage::<Test>::get(MODEL).jobs_failed, 1);
	});
}

#[test]
fn a_queued_job_expires_with_a_full_refund() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1]).build_and_execute(|| {
		let job = submit(MODEL, 1);
		assert_eq!(Queue::<Test>::get().to_vec(), vec![job]);
		run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Expired, refunded: 50 }.into(),
		);
		assert_eq!(free(REQUESTER), INITIAL_BALANCE);
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(pallet_model_registry::Usage::<Test>::get(MODEL).open_jobs, 0);
	});
}

#[test]
fn an_assigned_job_nobody_answers_expires_and_slashes_the_no_shows() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let issuance = total();
		let job = submit(MODEL, 1);
		assert_eq!(assigned_workers(job), vec![W1]);
		run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
		System::assert_has_event(
			Event::WorkerSlashed { worker: W1, job_id: job, amount: 10, reason: SlashReason::NoShow }
				.into(),
		);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Expired, refunded: 50 }.into(),
		);
		assert_eq!((free(REQUESTER), worker_bond(W1), free(TREASURY)), (INITIAL_BALANCE, 990, 11));
		assert_eq!(total(), issuance, "slashes go to the treasury, not burned");
		let usage = pallet_model_registry::Usage::<Test>::get(MODEL);
		assert_eq!((usage.jobs_failed, usage.total_replicas), (1, 1));
	});
}

#[test]
fn queued_jobs_are_assigned_when_workers_free_up() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1]).build_and_execute(|| {
		let job = submit(MODEL, 1);
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 1);
		free_worker(W1);
		run_to_block(System::block_number() + 1);
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 0);
		System::assert_last_event(Event::JobAssigned { job_id: job, workers: vec![W1] }.into());
		assert!(Queue::<Test>::get().is_empty());
		assert_eq!(Workers::<Test>::get(W1).unwrap().assigned, 1);
	});
}

#[test]
fn the_queue_and_deadline_buckets_are_bounded() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		// MaxQueuedJobs is 3 (at most 2 per requester).
		busy_worker(MODEL, W1);
		let queue = |who| {
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(who),
				ModelChoice::Model { model_id: MODEL, version: None, max_price: u64::MAX },
				text(b"x"),
				50,
				1,
				15,
			)
		};
		for who in [REQUESTER, REQUESTER, OWNER, OWNER] {
			assert_ok!(queue(who));
		}
		wait_for_draw();
		assert_eq!(Queue::<Test>::get().into_inner(), vec![0, 1, 2]);
		// The fourth found the queue full at its draw: closed and refunded in full.
		assert!(matches!(
			Jobs::<Test>::get(3).unwrap().state,
			JobState::Closed { reason: CloseReason::QueueFull, .. }
		));
		System::assert_has_event(Event::JobClosed { job_id: 3, reason: CloseReason::QueueFull, refunded: 50 }.into());
		assert_eq!(escrow_of(OWNER), 50);
		// MaxJobsPerBlock is 4, spilling up to 2 blocks later: asked at block 4 for block
		// 24, 12 deadlines fit in blocks 24 to 26, and a 13th is refused.
		assert_eq!(System::block_number(), 4);
		free_worker(W1);
		workers(MODEL, &[W2, W3]);
		for w in [W1, W2, W3] {
			Workers::<Test>::mutate(w, |info| info.as_mut().unwrap().capacity = 100);
		}
		let at_block_24 = || {
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Model { model_id: MODEL, version: None, max_price: u64::MAX },
				text(b"x"),
				50,
				1,
				20,
			)
		};
		for i in 0..12u64 {
			let id = NextJobId::<Test>::get();
			assert_ok!(at_block_24());
			assert_eq!(Jobs::<Test>::get(id).unwrap().deadline, 24 + i / 4);
		}
		assert_noop!(at_block_24(), Error::<Test>::DeadlineBlockFull);
	});
}

//! Attacks on the job market, each played as the attacker would (issue 13). Every test
//! here failed on the code before the fix it names.

use super::*;
use sp_core::H256;
use crate::{mock::*, results::commitment_of, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, Pays},
};

const GOOD: [i8; 3] = [50, 50, 50];

fn good() -> JobOutput<Test> {
	embedding(&GOOD)
}

// Finding 2: commitments are bound to the job and the worker.

#[test]
fn a_copied_commitment_and_replayed_reveal_never_verify() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		let job = submit(MODEL, 2);
		// W1 commits honestly; W2 copies W1's commitment from the chain without running.
		commit(job, W1, &good());
		let JobState::Assigned { assignments, .. } = Jobs::<Test>::get(job).unwrap().state else { panic!() };
		let copied = assignments.iter().find(|a| a.worker == W1).unwrap().commitment.unwrap();
		assert_ok!(ComputeJobs::commit_result(RuntimeOrigin::signed(W2), job, copied));
		// W1 reveals; W2 replays W1's reveal (output and salt, read from the pool/chain).
		assert_ok!(reveal(job, W1, good()));
		assert_noop!(reveal(job, W2, good()), Error::<Test>::CommitmentMismatch);
		// W2 cannot open it, so it ends as a withheld commitment and pays like a dissenter.
		run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
		System::assert_has_event(
			Event::WorkerSlashed { worker: W2, job_id: job, amount: 100, reason: SlashReason::Withheld }
				.into(),
		);
		assert_eq!(free(W2), INITIAL_BALANCE - BOND, "the copier earned nothing");
	});
}

#[test]
fn a_commitment_names_its_chain_job_and_worker() {
	ExtBuilder::default().build_and_execute(|| {
		let verdict = Verdict::<Test>::Output(good());
		let base = commitment_of::<Test>(0, &W1, &verdict, &SALT);
		assert_ne!(base, commitment_of::<Test>(1, &W1, &verdict, &SALT));
		assert_ne!(base, commitment_of::<Test>(0, &W2, &verdict, &SALT));
		let other_chain = results::commitment_with_genesis::<Test>(H256::repeat_byte(9), 0, &W1, &verdict, &SALT);
		assert_ne!(base, other_chain);
	});
}

// Finding 3: withholding and breaking quorum.

#[test]
fn withholding_a_committed_result_costs_as_much_as_disagreeing() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 3);
		for worker in [W1, W2, W3] {
			commit(job, worker, &good());
		}
		// W3 sees it would lose (or just wants to hide) and withholds its reveal.
		assert_ok!(reveal(job, W1, good()));
		assert_ok!(reveal(job, W2, good()));
		run_to_block(Jobs::<Test>::get(job).unwrap().deadline);
		System::assert_has_event(
			Event::WorkerSlashed { worker: W3, job_id: job, amount: 100, reason: SlashReason::Withheld }
				.into(),
		);
		assert_eq!(worker_bond(W3), BOND - 100, "the DisagreeSlash rate, not the NoShowSlash one");
	});
}

#[test]
fn breaking_quorum_with_a_garbage_reveal_costs_the_requester_the_job() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		// W2 is the requester's second account; W1 is honest.
		workers(MODEL, &[W1, W2]);
		let job = submit(MODEL, 2);
		let garbage = embedding(&[-50, 50, -50]);
		commit(job, W1, &good());
		commit(job, W2, &garbage);
		assert_ok!(reveal(job, W1, good()));
		assert_ok!(reveal(job, W2, garbage));
		// No quorum, but the honest output is public: the requester pays as for a
		// completed job: 2 × 5 to the workers, 20 to the owner, ⌈10 % × 30⌉ = 3.
		System::assert_has_event(
			Event::JobSettled { job_id: job, workers_paid: 10, owner_paid: 20, data_paid: 0, treasury_paid: 3 }
				.into(),
		);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::NoQuorum, refunded: 17 }.into(),
		);
		let honest_worker_gain = free(W1) - (INITIAL_BALANCE - BOND);
		assert_eq!(honest_worker_gain, 5, "the honest worker is paid");
		// The attacker (requester + W2) paid 33 and got 5 back: 28, more than the 27 a
		// one-replica job costs (20 + 5 + ⌈10 % × 25⌉).
		let attacker_cost = (INITIAL_BALANCE - free(REQUESTER)) - (free(W2) - (INITIAL_BALANCE - BOND));
		assert!(attacker_cost >= ComputeJobs::required_escrow(PRICE, 1), "{attacker_cost}");
	});
}

// Finding 1: typed failure reports; nobody is slashed for the job's own fault.

#[test]
fn a_majority_reporting_bad_input_closes_the_job_and_the_requester_pays_the_workers() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 3);
		let bad = Verdict::Failure(FailureReason::InvalidInput);
		for worker in [W1, W2, W3] {
			commit_verdict(job, worker, &bad);
		}
		let owner_before = free(OWNER);
		for worker in [W1, W2, W3] {
			assert_ok!(reveal_verdict(job, worker, bad.clone()));
		}
		// Workers 3 × 5, treasury ⌈10 % × 15⌉ = 2, the owner nothing: 50 − 17 = 33 back.
		System::assert_has_event(
			Event::JobSettled { job_id: job, workers_paid: 15, owner_paid: 0, data_paid: 0, treasury_paid: 2 }
				.into(),
		);
		System::assert_last_event(
			Event::JobClosed {
				job_id: job,
				reason: CloseReason::Failed(FailureReason::InvalidInput),
				refunded: 33,
			}
			.into(),
		);
		for worker in [W1, W2, W3] {
			assert_eq!(worker_bond(worker), BOND, "nobody slashed");
			assert_eq!(free(worker), INITIAL_BALANCE - BOND + 5);
		}
		assert_eq!(free(OWNER), owner_before);
		assert!(!Results::<Test>::contains_key(job));
		// Bad input says nothing about the model.
		let usage = pallet_model_registry::Usage::<Test>::get(MODEL);
		assert_eq!((usage.jobs_failed, usage.open_jobs), (0, 0));
	});
}

#[test]
fn an_unavailable_model_refunds_the_requester_and_slashes_nobody_who_reported_it() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 3);
		let gone = Verdict::Failure(FailureReason::ModelUnavailable);
		commit_verdict(job, W1, &gone);
		commit_verdict(job, W2, &gone);
		commit(job, W3, &good());
		assert_ok!(reveal_verdict(job, W1, gone.clone()));
		assert_ok!(reveal_verdict(job, W2, gone));
		assert_ok!(reveal(job, W3, good()));
		System::assert_last_event(
			Event::JobClosed {
				job_id: job,
				reason: CloseReason::Failed(FailureReason::ModelUnavailable),
				refunded: 50,
			}
			.into(),
		);
		assert_eq!((worker_bond(W1), worker_bond(W2)), (BOND, BOND));
		assert_eq!(worker_bond(W3), BOND - 100, "outside the majority");
		assert_eq!(free(REQUESTER), INITIAL_BALANCE);
	});
}

#[test]
fn a_committed_worker_is_never_slashed_because_a_co_replica_was_slow() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		// The shortest deadline: MinDeadline (8) = DRAW_DELAY (3) + CommitWindow (3) +
		// RevealWindow (2). Submitted at block 1, drawn at 4, due at 9.
		let job = submit_as(REQUESTER, MODEL, 2, 8).unwrap();
		let deadline = Jobs::<Test>::get(job).unwrap().deadline;
		assert_eq!(deadline, 9);
		wait_for_draw();
		assert_eq!(assigned_workers(job).len(), 2);
		commit(job, W1, &good());
		// W2 is slow: reveals open only when the commit window ends.
		run_to_block(4 + 3);
		assert_ok!(reveal(job, W1, good()));
		run_to_block(deadline);
		System::assert_has_event(
			Event::WorkerSlashed { worker: W2, job_id: job, amount: 10, reason: SlashReason::NoShow }
				.into(),
		);
		assert_eq!(worker_bond(W1), BOND, "the worker that committed had time to reveal");
		assert_eq!(free(W1), INITIAL_BALANCE - BOND + 5, "and was paid for it");
	});
}

#[test]
fn a_deadline_shorter_than_commit_and_reveal_is_refused() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		// MinDeadline (8) = DRAW_DELAY (3) + CommitWindow (3) + RevealWindow (2).
		assert_noop!(submit_as(REQUESTER, MODEL, 1, 7), Error::<Test>::InvalidDeadline);
		assert_ok!(submit_as(REQUESTER, MODEL, 1, 8));
	});
}

#[test]
fn a_queued_job_is_not_assigned_once_its_deadline_leaves_no_time_to_reveal() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1]).build_and_execute(|| {
		// Submitted at block 1, due at 10; drawn at 4 with nobody free, so it queues.
		let job = submit_as(REQUESTER, MODEL, 1, 9).unwrap();
		wait_for_draw();
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Queued);
		// W1 frees up at block 6: 6 + 3 + 2 > deadline 10, so the job is not handed out
		// (at block 5 it still would have been).
		run_to_block(5);
		free_worker(W1);
		run_to_block(6);
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Queued);
		run_to_block(10);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Expired, refunded: 50 }.into(),
		);
		assert_eq!(worker_bond(W1), BOND, "nobody slashed");
	});
}

// Finding 5: squatting, queue denial of service, deadline buckets.

#[test]
fn paused_squatters_lose_their_slots_to_a_newcomer() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		// MaxWorkersPerModel is 4: four cheap workers take every slot and pause.
		workers(MODEL, &[W1, W2, W3, W4]);
		for squatter in [W1, W2, W3, W4] {
			assert_ok!(ComputeJobs::pause(RuntimeOrigin::signed(squatter)));
		}
		workers(MODEL, &[W5]);
		assert!(ModelWorkers::<Test>::get(MODEL).contains(&W5));
		assert_eq!(ModelWorkers::<Test>::get(MODEL).len(), 4);
		let evicted = [W1, W2, W3, W4]
			.into_iter()
			.find(|w| !ModelWorkers::<Test>::get(MODEL).contains(w))
			.unwrap();
		System::assert_has_event(Event::WorkerEvicted { worker: evicted, model: MODEL }.into());
		assert!(Workers::<Test>::get(evicted).unwrap().models.is_empty());
	});
}

#[test]
fn active_slots_are_held_by_stake() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3, W4]).build_and_execute(|| {
		// The same bond does not displace anyone…
		assert_noop!(
			ComputeJobs::register_worker(RuntimeOrigin::signed(W5), BOND, models(&[MODEL]), 2),
			Error::<Test>::TooManyWorkersForModel
		);
		// …more bond displaces the smallest.
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W1), 1));
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 1));
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W4), 1));
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W5), BOND + 500, models(&[MODEL]), 2));
		System::assert_has_event(Event::WorkerEvicted { worker: W3, model: MODEL }.into());
	});
}

#[test]
fn draws_weigh_stake_times_reputation() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 4 * BOND));
		let weight = |who| ComputeJobs::draw_weight(&Workers::<Test>::get(who).unwrap());
		assert_eq!(weight(W2), 5 * weight(W1));
		// Capped at MaxStakeUnits (10).
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 10 * BOND));
		assert_eq!(weight(W2), 10 * weight(W1));
		// Over many jobs (each drawn from its own blocks' VRF outputs) the bigger stake is
		// drawn far more often.
		let mut picks = [0u32; 2];
		for _ in 0..200u64 {
			let job = submit(MODEL, 1);
			picks[usize::from(assigned_workers(job)[0] == W2)] += 1;
			assert_ok!(reveal_after_commit(job));
		}
		assert!(picks[1] > 4 * picks[0], "{picks:?}");
	});
}

fn reveal_after_commit(job: JobId) -> sp_runtime::DispatchResult {
	let worker = assigned_workers(job)[0];
	commit(job, worker, &good());
	reveal(job, worker, good())
}

#[test]
fn a_job_no_worker_can_take_is_refused_at_submission() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		assert_noop!(submit_as(REQUESTER, MODEL, 1, 10), Error::<Test>::NotEnoughWorkers);
		workers(MODEL, &[W1]);
		assert_noop!(submit_as(REQUESTER, MODEL, 2, 10), Error::<Test>::NotEnoughWorkers);
		// Paused workers and the requester itself do not count.
		workers(MODEL, &[W2, REQUESTER]);
		assert_ok!(ComputeJobs::pause(RuntimeOrigin::signed(W2)));
		assert_noop!(submit_as(REQUESTER, MODEL, 2, 10), Error::<Test>::NotEnoughWorkers);
		assert_ok!(submit_as(OWNER, MODEL, 2, 10));
	});
}

/// Also the draw's two ways of not assigning: a job whose draw finds no free worker queues;
/// one whose requester's queue share is full then closes `QueueFull`, refunded in full.
#[test]
fn one_requester_cannot_fill_the_queue() {
	ExtBuilder::default().with_approved_model().with_busy_workers(&[W1]).build_and_execute(|| {
		// MaxQueuedPerRequester is 2 (of MaxQueuedJobs 3).
		let jobs: Vec<_> = (0..3).map(|_| submit_as(REQUESTER, MODEL, 1, 15).unwrap()).collect();
		let before = Balances::free_balance(REQUESTER);
		assert_eq!(escrow_of(REQUESTER), 3 * 50);
		wait_for_draw();
		// The first two found nobody free: they queue.
		for job in &jobs[..2] {
			assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Queued);
		}
		assert_eq!(Queue::<Test>::get().into_inner(), jobs[..2].to_vec());
		// The third found no room in the requester's share: closed and refunded in full.
		assert!(matches!(
			Jobs::<Test>::get(jobs[2]).unwrap().state,
			JobState::Closed { reason: CloseReason::QueueFull, .. }
		));
		System::assert_has_event(
			Event::JobClosed { job_id: jobs[2], reason: CloseReason::QueueFull, refunded: 50 }.into(),
		);
		assert_eq!(Balances::free_balance(REQUESTER), before + 50);
		assert_eq!(escrow_of(REQUESTER), 2 * 50);
		// Someone else still gets in.
		let other = submit_as(OWNER, MODEL, 1, 15).unwrap();
		wait_for_draw();
		assert_eq!(Jobs::<Test>::get(other).unwrap().state, JobState::Queued);
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 2);
		assert_ok!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), jobs[0]));
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 1);
	});
}

#[test]
fn a_full_deadline_bucket_spills_to_the_next_block() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3, W4]).build_and_execute(|| {
		for w in [W1, W2, W3, W4] {
			Workers::<Test>::mutate(w, |info| info.as_mut().unwrap().capacity = 100);
		}
		// MaxJobsPerBlock is 4, MaxDeadlineSpill 2: twelve jobs with one requested deadline fit.
		for i in 0..12u64 {
			let job = submit_as(if i % 2 == 0 { REQUESTER } else { OWNER }, MODEL, 1, 10).unwrap();
			assert_eq!(Jobs::<Test>::get(job).unwrap().deadline, 11 + i / 4);
		}
		assert_noop!(submit_as(REQUESTER, MODEL, 1, 10), Error::<Test>::DeadlineBlockFull);
		run_to_block(14);
		assert!(Jobs::<Test>::iter().all(|(_, job)| matches!(job.state, JobState::Closed { .. })));
	});
}

// Finding 6: honest duties are free; invalid ones pay.

#[test]
fn valid_duties_are_free_and_invalid_ones_pay() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2, W3]).build_and_execute(|| {
		let job = submit(MODEL, 2);
		let assigned = assigned_workers(job);
		let outsider = [W1, W2, W3].into_iter().find(|w| !assigned.contains(w)).unwrap();
		let verdict = Verdict::Output(good());
		let commit_call = |who| {
			ComputeJobs::commit_result(
				RuntimeOrigin::signed(who),
				job,
				commitment_of::<Test>(job, &who, &verdict, &SALT),
			)
		};
		let ok = commit_call(assigned[0]).unwrap();
		assert_eq!(ok.pays_fee, Pays::No);
		let refused = commit_call(outsider).unwrap_err();
		assert_eq!(refused.post_info.pays_fee, Pays::Yes);
		assert_ok!(commit_call(assigned[1]));
		let revealed =
			ComputeJobs::reveal_result(RuntimeOrigin::signed(assigned[0]), job, verdict.clone(), SALT).unwrap();
		assert_eq!(revealed.pays_fee, Pays::No);
		// Weighed for this job's 2 replicas, not the most any job may have.
		assert_eq!(revealed.actual_weight, Some(<() as WeightInfo>::reveal_result(2)));
		let wrong_salt = ComputeJobs::reveal_result(RuntimeOrigin::signed(assigned[1]), job, verdict, [0; 32]);
		assert_eq!(wrong_salt.unwrap_err().post_info.pays_fee, Pays::Yes);
	});
}

#[test]
fn submit_job_refunds_the_worker_records_it_did_not_read() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		let call = Call::<Test>::submit_job {
			model: ModelChoice::Model { model_id: MODEL, version: None, max_price: PRICE },
			input: text(b"x"),
			max_fee: 50,
			replicas: 1,
			deadline_in: 10,
		};
		let declared = call.get_dispatch_info().call_weight;
		let post = ComputeJobs::submit_job(
			RuntimeOrigin::signed(REQUESTER),
			ModelChoice::Model { model_id: MODEL, version: None, max_price: PRICE },
			text(b"x"),
			50,
			1,
			10,
		)
		.unwrap();
		assert_eq!(post.actual_weight, Some(ComputeJobs::submit_job_weight(1, 1)));
		assert!(post.actual_weight.unwrap().all_lte(declared));
	});
}

// Finding 7: the quoted price.

#[test]
fn a_price_raised_after_the_quote_refuses_the_job_instead_of_charging_more() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		// The owner front-runs a pending submission quoted at PRICE.
		assert_ok!(Registry::set_price(RuntimeOrigin::signed(OWNER), MODEL, PRICE + 10));
		assert_noop!(submit_as(REQUESTER, MODEL, 1, 10), Error::<Test>::PriceAboveQuote);
		assert_eq!(free(REQUESTER), INITIAL_BALANCE);
		// Routing by task respects its max_price the same way (nothing within 20 now).
		assert_noop!(
			ComputeJobs::submit_job(
				RuntimeOrigin::signed(REQUESTER),
				ModelChoice::Task { task: TaskKind::TextEmbedding, max_price: PRICE },
				text(b"x"),
				50,
				1,
				10,
			),
			Error::<Test>::NoModelForTask
		);
	});
}

// Finding 9: operator keys.

#[test]
fn an_operator_key_does_the_duties_and_the_bonded_worker_is_paid() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		const OPERATOR: AccountId = 21;
		const NEW_OPERATOR: AccountId = 22;
		assert_ok!(ComputeJobs::set_operator(RuntimeOrigin::signed(W1), Some(OPERATOR)));
		System::assert_last_event(Event::OperatorSet { worker: W1, operator: Some(OPERATOR) }.into());
		let job = submit(MODEL, 1);
		// The operator signs the commit and reveal; they count as W1's.
		let verdict = Verdict::Output(good());
		assert_ok!(ComputeJobs::commit_result(
			RuntimeOrigin::signed(OPERATOR),
			job,
			commitment_of::<Test>(job, &W1, &verdict, &SALT)
		));
		assert_ok!(ComputeJobs::reveal_result(RuntimeOrigin::signed(OPERATOR), job, verdict, SALT));
		assert_eq!(free(W1), INITIAL_BALANCE - BOND + 5, "paid to the bonded account");
		assert_eq!(free(OPERATOR), 0);
		// The operator cannot touch the bond.
		assert_noop!(ComputeJobs::unbond(RuntimeOrigin::signed(OPERATOR)), Error::<Test>::NotWorker);
		assert_noop!(
			ComputeJobs::set_operator(RuntimeOrigin::signed(OPERATOR), None),
			Error::<Test>::NotWorker
		);
		// A compromised operator is replaced by the cold account; the old key is powerless.
		assert_ok!(ComputeJobs::set_operator(RuntimeOrigin::signed(W1), Some(NEW_OPERATOR)));
		assert_noop!(ComputeJobs::pause(RuntimeOrigin::signed(OPERATOR)), Error::<Test>::NotWorker);
		assert_ok!(ComputeJobs::pause(RuntimeOrigin::signed(NEW_OPERATOR)));
		// An operator cannot be a worker or serve two workers.
		workers(MODEL, &[W2]);
		assert_noop!(
			ComputeJobs::set_operator(RuntimeOrigin::signed(W2), Some(NEW_OPERATOR)),
			Error::<Test>::OperatorInUse
		);
		assert_noop!(
			ComputeJobs::set_operator(RuntimeOrigin::signed(W2), Some(W1)),
			Error::<Test>::OperatorInUse
		);
		assert_noop!(
			ComputeJobs::register_worker(RuntimeOrigin::signed(NEW_OPERATOR), BOND, models(&[MODEL]), 1),
			Error::<Test>::OperatorInUse
		);
		// The next block's hooks run with the operator maps as they are now.
		run_to_block(System::block_number() + 1);
	});
}

// Finding 4: the assignment seed.
//
// Jobs were drawn at submission from `blake2(parent_hash ‖ job_id)`: everyone knew the seed
// before the job landed, so a requester could time its submission, and the author of the
// block (who orders the job and knows the parent hash) could predict who would be drawn and
// steer jobs to its own workers by choosing which block to include them in. Now a job is
// drawn `DRAW_DELAY` blocks later, from a beacon that folds in VRF outputs of blocks
// authored after it.

fn job_assigned_events() -> Vec<JobId> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ComputeJobs(Event::JobAssigned { job_id, .. }) => Some(job_id),
			_ => None,
		})
		.collect()
}

/// Registers W1–W4 for `model` with equal stake and room for many jobs each, so every draw
/// is among the same four equal candidates.
fn four_equal_workers(model: ModelId) {
	workers(model, &[W1, W2, W3, W4]);
	for w in [W1, W2, W3, W4] {
		Workers::<Test>::mutate(w, |info| info.as_mut().unwrap().capacity = 100);
	}
}

/// In a fresh chain, submits eight one-replica jobs in block 1 among four equal workers;
/// blocks 2 to 4 are imported with VRF outputs salted with 0 up to and including block
/// 2 (which folds in block 1's own output, the one the submission block's author knew),
/// and with `later_salt` from block 3 on (the outputs of blocks 2 and 3, produced after the
/// submission). Returns whom each job was drawn for.
fn draws_with_later_vrf_outputs(later_salt: u64) -> Vec<AccountId> {
	let mut drawn = Vec::new();
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		VrfSalt::set(0);
		four_equal_workers(MODEL);
		let jobs: Vec<_> = (0..8).map(|_| submit_undrawn(MODEL, 1)).collect();
		run_to_block(2);
		VrfSalt::set(later_salt);
		run_to_block(4);
		VrfSalt::set(0);
		ComputeJobs::do_try_state().unwrap();
		drawn = jobs.iter().map(|job| assigned_workers(*job)[0]).collect();
	});
	drawn
}

/// Nobody, not even the author of the submission block, knows a job's workers when it is
/// submitted: the job waits in `Drawing` through its submission block and the next
/// `DRAW_DELAY - 1` blocks and is drawn at `S + 3`, and the draw depends on VRF outputs of
/// blocks produced after the submission: two chains identical until after the submission
/// (and the import of the block folding the submission block's own output) that then see
/// other outputs draw other workers, while the same outputs always draw the same ones.
#[test]
fn nobody_knows_the_draw_when_a_job_is_submitted() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		four_equal_workers(MODEL);
		let submitted_at = System::block_number();
		let job = submit_undrawn(MODEL, 1);
		for block in submitted_at..submitted_at + u64::from(DRAW_DELAY) {
			run_to_block(block);
			assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Drawing, "block {block}");
			assert_eq!(ComputeJobs::job(job).unwrap().status, crate::views::JobStatus::Drawing);
			assert!(job_assigned_events().is_empty(), "block {block}");
			assert!(WorkerJobs::<Test>::iter().next().is_none(), "block {block}");
		}
		run_to_block(submitted_at + 3);
		assert_eq!(u64::from(DRAW_DELAY), 3);
		let JobState::Assigned { assigned_at, .. } = Jobs::<Test>::get(job).unwrap().state else {
			panic!("drawn at S + DRAW_DELAY")
		};
		assert_eq!(assigned_at, submitted_at + 3);
		assert_eq!(job_assigned_events(), vec![job]);
	});

	// Same history and outputs: the same draws (they are consensus, every node agrees).
	let honest = draws_with_later_vrf_outputs(0);
	assert_eq!(honest, draws_with_later_vrf_outputs(0));
	// Other outputs after the submission: other draws.
	for later_salt in [1, 2, 3] {
		let other = draws_with_later_vrf_outputs(later_salt);
		assert_eq!(other.len(), honest.len());
		assert!(
			honest.iter().zip(&other).any(|(a, b)| a != b),
			"the draw did not depend on later VRF outputs: {honest:?} vs {other:?}"
		);
	}
}

/// The old draw, `blake2(parent_hash ‖ job_id)` over the eligible workers as the pallet
/// weighs them (one replica), as an attacker replays it.
fn predict_one(seed: [u8; 32], candidates: &[(AccountId, u64)]) -> AccountId {
	use codec::Encode;
	let total: u64 = candidates.iter().map(|(_, weight)| *weight).sum();
	let random = sp_io::hashing::blake2_256(&(seed, 0u32).encode());
	let mut point = u64::from_le_bytes(random[..8].try_into().unwrap()) % total;
	for (who, weight) in candidates {
		if point < *weight {
			return *who;
		}
		point -= weight;
	}
	unreachable!("point < total")
}

fn candidates(model: ModelId) -> Vec<(AccountId, u64)> {
	ModelWorkers::<Test>::get(model)
		.into_iter()
		.map(|who| (who, ComputeJobs::draw_weight(&Workers::<Test>::get(who).unwrap())))
		.collect()
}

/// A block author running worker W1 used to know, from the parent hash, which jobs its
/// block would hand to W1 (`blake2(parent_hash ‖ job_id)`), and could include exactly
/// those. It still knows the parent hash and the job ids; replaying the old draw with them
/// now predicts the actual draw no better than chance (1 in 4 here). The replayed draw is
/// the pallet's own: fed the beacon seed, it predicts every assignment.
#[test]
fn an_author_who_predicts_from_the_parent_hash_cannot_steer_the_draw() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		four_equal_workers(MODEL);
		let mut predicted: Vec<(JobId, AccountId)> = Vec::new();
		// Imports the next block and checks the jobs it drew against the replayed draw with
		// the beacon seed; returns how many it drew.
		let next_block_draws = |predicted: &[(JobId, AccountId)]| {
			run_to_block(System::block_number() + 1);
			let beacon = DrawBeacon::<Test>::get();
			let mut drawn = 0;
			for (job, _) in predicted {
				let info = Jobs::<Test>::get(job).unwrap();
				if matches!(info.state, JobState::Assigned { assigned_at, .. } if assigned_at == System::block_number()) {
					let seed = sp_io::hashing::blake2_256(&codec::Encode::encode(&(beacon, *job)));
					assert_eq!(vec![predict_one(seed, &candidates(MODEL))], assigned_workers(*job));
					drawn += 1;
				}
			}
			drawn
		};
		let mut checked = 0;
		// 40 jobs, 10 in each of 4 blocks with their own parent hash; deadlines spread so no
		// bucket fills.
		for block in 0..4u64 {
			System::set_parent_hash(H256::from_low_u64_be(0xa11ce + block));
			let parent = System::parent_hash();
			for i in 0..10u64 {
				let job = submit_as(REQUESTER, MODEL, 1, 20 + 10 * block + i).unwrap();
				let seed = sp_io::hashing::blake2_256(&codec::Encode::encode(&(parent, job)));
				predicted.push((job, predict_one(seed, &candidates(MODEL))));
			}
			checked += next_block_draws(&predicted);
		}
		while Jobs::<Test>::iter().any(|(_, job)| job.state == JobState::Drawing) {
			checked += next_block_draws(&predicted);
		}
		assert_eq!(checked, predicted.len(), "every job drawn, every draw replayed");

		let hits = predicted.iter().filter(|(job, guess)| assigned_workers(*job) == vec![*guess]).count();
		// On the old code every prediction held; now about a quarter do.
		assert!(hits < predicted.len(), "the parent hash still predicts every draw");
		assert!(hits <= predicted.len() / 2, "{hits} of {} predicted: better than chance", predicted.len());
		// The jobs the author would have included to feed W1 do not go to W1.
		let aimed: Vec<_> = predicted.iter().filter(|(_, guess)| *guess == W1).map(|(job, _)| *job).collect();
		assert!(!aimed.is_empty());
		let landed = aimed.iter().filter(|job| assigned_workers(**job) == vec![W1]).count();
		assert!(landed < aimed.len(), "{landed} of {} steered jobs reached W1", aimed.len());
	});
}

/// Before BABE's first block, or after blocks without a VRF output (secondary plain
/// slots), there is no fresh randomness: jobs are not drawn from a stale, known beacon but
/// wait in `Drawing` while the beacon and its marks stay as they are. Once outputs return,
/// they are drawn from those produced after their submission: the marks count folds, not
/// blocks, so the first fold after the gap only marks the jobs and they are drawn at the
/// third (by then two outputs folded in were produced after them).
#[test]
fn without_vrf_output_jobs_wait_for_fresh_randomness() {
	ExtBuilder::default().with_approved_model().build_and_execute(|| {
		VrfMissing::set(true);
		workers(MODEL, &[W1, W2]);
		let jobs = [submit_as(REQUESTER, MODEL, 1, 40).unwrap(), submit_as(REQUESTER, MODEL, 1, 40).unwrap()];
		let beacon = DrawBeacon::<Test>::get();
		let marks = DrawMarks::<Test>::get();
		for block in 2..=20 {
			run_to_block(block);
			for job in jobs {
				assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Drawing, "block {block}");
			}
			assert_eq!(DrawBeacon::<Test>::get(), beacon, "no output, no fold");
			assert_eq!(DrawMarks::<Test>::get(), marks);
			ComputeJobs::do_try_state().unwrap();
		}
		assert!(job_assigned_events().is_empty());

		VrfMissing::set(false);
		// Block 21 folds block 20's output and block 22 block 21's: the jobs wait.
		for block in [21, 22] {
			run_to_block(block);
			assert_ne!(DrawBeacon::<Test>::get(), beacon, "block {block} folds an output");
			for job in jobs {
				assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Drawing, "block {block}");
			}
		}
		run_to_block(23);
		for job in jobs {
			let JobState::Assigned { assigned_at, .. } = Jobs::<Test>::get(job).unwrap().state else {
				panic!("job {job} drawn once outputs came back")
			};
			assert_eq!(assigned_at, 23);
		}
		assert_eq!(job_assigned_events(), jobs.to_vec());
		VrfMissing::set(false);
		VrfSalt::set(0);
	});
}

/// A requester that does not like the look of the coming draw (or just changed its mind)
/// may cancel while the job waits for it: it gets everything back, and the draw skips the
/// job: no worker is assigned, no duty or slash can follow.
#[test]
fn a_job_cancelled_before_its_draw_is_refunded_and_never_drawn() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1, W2]).build_and_execute(|| {
		let job = submit_undrawn(MODEL, 1);
		let kept = submit_undrawn(MODEL, 1);
		run_to_block(System::block_number() + 1);
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Drawing);
		assert_eq!(escrow_of(REQUESTER), 2 * 50);
		assert_noop!(ComputeJobs::cancel_job(RuntimeOrigin::signed(OWNER), job), Error::<Test>::NotRequester);
		assert_ok!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), job));
		System::assert_last_event(Event::JobClosed { job_id: job, reason: CloseReason::Cancelled, refunded: 50 }.into());
		assert_eq!((escrow_of(REQUESTER), free(REQUESTER)), (50, INITIAL_BALANCE - 50));
		ComputeJobs::do_try_state().unwrap();

		// Well past its draw and its deadline.
		run_to_block(Jobs::<Test>::get(kept).unwrap().deadline + 1);
		let info = Jobs::<Test>::get(job).unwrap();
		assert!(matches!(info.state, JobState::Closed { reason: CloseReason::Cancelled, .. }));
		assert_eq!(info.escrow, 0);
		assert_eq!(job_assigned_events(), vec![kept], "the cancelled job was never drawn");
		assert!(WorkerJobs::<Test>::iter().all(|(_, id, _)| id != job));
		assert!(DrawCursor::<Test>::get() > job);
		assert_noop!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), job), Error::<Test>::JobNotQueued);
		// Refunded exactly once: only the other job (expired, refunded too) ever held escrow.
		assert_eq!((escrow_of(REQUESTER), free(REQUESTER)), (0, INITIAL_BALANCE));
		ComputeJobs::do_try_state().unwrap();
	});
}

/// Found while reviewing the draw delay: a requester submits a full deadline bucket (and
/// its spill buckets) and cancels every job before its draw, for its transaction fees
/// only. The refunded jobs must not keep their places, or every honest job asking for
/// those blocks would be refused `DeadlineBlockFull`. The same holds for a job closed
/// `QueueFull` at its draw.
#[test]
fn jobs_closed_before_their_draw_give_their_deadline_places_back() {
	ExtBuilder::default().with_approved_model().with_workers(&[W1]).build_and_execute(|| {
		// MaxJobsPerBlock 4, spilling up to 2 blocks later: 12 places for one deadline.
		let squatted: Vec<_> = (0..12).map(|_| submit_as(REQUESTER, MODEL, 1, 10).unwrap()).collect();
		let deadline = System::block_number() + 10;
		for job in &squatted {
			assert_ok!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), *job));
		}
		assert_eq!(free(REQUESTER), INITIAL_BALANCE, "the attacker got everything back");
		assert!((0..3).all(|i| Deadlines::<Test>::get(deadline + i).is_empty()));
		let honest = submit_as(OWNER, MODEL, 1, 10).unwrap();
		assert_eq!(Jobs::<Test>::get(honest).unwrap().deadline, deadline);

		// A job that finds the queue full at its draw leaves its bucket too.
		busy_worker(MODEL, W2);
		Workers::<Test>::mutate(W1, |w| w.as_mut().unwrap().capacity = 0);
		let [first, second, third] = [0, 1, 2].map(|_| submit_as(REQUESTER, MODEL, 1, 10).unwrap());
		let their_deadline = Jobs::<Test>::get(third).unwrap().deadline;
		wait_for_draw();
		assert!(matches!(
			Jobs::<Test>::get(third).unwrap().state,
			JobState::Closed { reason: CloseReason::QueueFull, .. }
		));
		let bucket = Deadlines::<Test>::get(their_deadline);
		assert!(bucket.contains(&first) && bucket.contains(&second) && !bucket.contains(&third));
		ComputeJobs::do_try_state().unwrap();
	});
}

//! Attacks on the job market, each played as the attacker would (issue 13). Every test
//! here failed on the code before the fix it names.

use super::*;
use sp_core::H256;
use crate::{mock::*, results::commitment_of, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, Pays},
	traits::Hooks,
};

const GOOD: [i8; 3] = [50, 50, 50];

fn good() -> JobOutput<Test> {
	embedding(&GOOD)
}

fn submit_as(who: AccountId, model: ModelId, replicas: u8, deadline_in: u64) -> Result<JobId, sp_runtime::DispatchError> {
	let id = NextJobId::<Test>::get();
	ComputeJobs::submit_job(
		RuntimeOrigin::signed(who),
		ModelChoice::Model { model_id: model, version: None, max_price: PRICE },
		text(b"the quick brown fox"),
		50,
		replicas,
		deadline_in,
	)
	.map(|_| id)
	.map_err(|e| e.error)
}

// Finding 2: commitments are bound to the job and the worker.

#[test]
fn a_copied_commitment_and_replayed_reveal_never_verify() {
	run_test(|model| {
		workers(model, &[W1, W2]);
		let job = submit(model, 2);
		// W1 commits honestly; W2 copies W1's commitment from the chain without running.
		commit(job, W1, &good());
		let JobState::Assigned { assignments, .. } = Jobs::<Test>::get(job).unwrap().state else { panic!() };
		let copied = assignments.iter().find(|a| a.worker == W1).unwrap().commitment.unwrap();
		assert_ok!(ComputeJobs::commit_result(RuntimeOrigin::signed(W2), job, copied));
		// W1 reveals; W2 replays W1's reveal (output and salt, read from the pool/chain).
		assert_ok!(reveal(job, W1, good()));
		assert_noop!(reveal(job, W2, good()), Error::<Test>::CommitmentMismatch);
		// W2 cannot open it, so it ends as a withheld commitment and pays like a dissenter.
		advance_to(11);
		System::assert_has_event(
			Event::WorkerSlashed { worker: W2, job_id: job, amount: 100, reason: SlashReason::Withheld }
				.into(),
		);
		assert_eq!(free(W2), INITIAL_BALANCE - BOND, "the copier earned nothing");
	});
}

#[test]
fn a_commitment_names_its_chain_job_and_worker() {
	run_test(|_| {
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
	run_test(|model| {
		workers(model, &[W1, W2, W3]);
		let job = submit(model, 3);
		for worker in [W1, W2, W3] {
			commit(job, worker, &good());
		}
		// W3 sees it would lose (or just wants to hide) and withholds its reveal.
		assert_ok!(reveal(job, W1, good()));
		assert_ok!(reveal(job, W2, good()));
		advance_to(11);
		System::assert_has_event(
			Event::WorkerSlashed { worker: W3, job_id: job, amount: 100, reason: SlashReason::Withheld }
				.into(),
		);
		assert_eq!(worker_bond(W3), BOND - 100, "the DisagreeSlash rate, not the NoShowSlash one");
	});
}

#[test]
fn breaking_quorum_with_a_garbage_reveal_costs_the_requester_the_job() {
	run_test(|model| {
		// W2 is the requester's second account; W1 is honest.
		workers(model, &[W1, W2]);
		let job = submit(model, 2);
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
	run_test(|model| {
		workers(model, &[W1, W2, W3]);
		let job = submit(model, 3);
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
		let usage = pallet_model_registry::Usage::<Test>::get(model);
		assert_eq!((usage.jobs_failed, usage.open_jobs), (0, 0));
	});
}

#[test]
fn an_unavailable_model_refunds_the_requester_and_slashes_nobody_who_reported_it() {
	run_test(|model| {
		workers(model, &[W1, W2, W3]);
		let job = submit(model, 3);
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
	run_test(|model| {
		workers(model, &[W1, W2]);
		// The shortest deadline: MinDeadline (5) = CommitWindow (3) + RevealWindow (2).
		let job = submit_as(REQUESTER, model, 2, 5).unwrap();
		let deadline = Jobs::<Test>::get(job).unwrap().deadline;
		commit(job, W1, &good());
		// W2 is slow: reveals open only when the commit window ends.
		advance_to(1 + 3);
		assert_ok!(reveal(job, W1, good()));
		advance_to(deadline);
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
	run_test(|model| {
		workers(model, &[W1]);
		assert_noop!(submit_as(REQUESTER, model, 1, 4), Error::<Test>::InvalidDeadline);
	});
}

#[test]
fn a_queued_job_is_not_assigned_once_its_deadline_leaves_no_time_to_reveal() {
	run_test(|model| {
		busy_worker(model, W1);
		let job = submit_as(REQUESTER, model, 1, 6).unwrap();
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Queued);
		// W1 frees up at block 3: 3 + 3 + 2 > deadline 7, so the job is not handed out.
		advance_to(2);
		free_worker(W1);
		advance_to(3);
		assert_eq!(Jobs::<Test>::get(job).unwrap().state, JobState::Queued);
		advance_to(7);
		System::assert_last_event(
			Event::JobClosed { job_id: job, reason: CloseReason::Expired, refunded: 50 }.into(),
		);
		assert_eq!(worker_bond(W1), BOND, "nobody slashed");
	});
}

// Finding 5: squatting, queue denial of service, deadline buckets.

#[test]
fn paused_squatters_lose_their_slots_to_a_newcomer() {
	run_test(|model| {
		// MaxWorkersPerModel is 4: four cheap workers take every slot and pause.
		workers(model, &[W1, W2, W3, W4]);
		for squatter in [W1, W2, W3, W4] {
			assert_ok!(ComputeJobs::pause(RuntimeOrigin::signed(squatter)));
		}
		workers(model, &[W5]);
		assert!(ModelWorkers::<Test>::get(model).contains(&W5));
		assert_eq!(ModelWorkers::<Test>::get(model).len(), 4);
		let evicted = [W1, W2, W3, W4]
			.into_iter()
			.find(|w| !ModelWorkers::<Test>::get(model).contains(w))
			.unwrap();
		System::assert_has_event(Event::WorkerEvicted { worker: evicted, model }.into());
		assert!(Workers::<Test>::get(evicted).unwrap().models.is_empty());
	});
}

#[test]
fn active_slots_are_held_by_stake() {
	run_test(|model| {
		workers(model, &[W1, W2, W3, W4]);
		// The same bond does not displace anyone…
		assert_noop!(
			ComputeJobs::register_worker(RuntimeOrigin::signed(W5), BOND, models(&[model]), 2),
			Error::<Test>::TooManyWorkersForModel
		);
		// …more bond displaces the smallest.
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W1), 1));
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 1));
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W4), 1));
		assert_ok!(ComputeJobs::register_worker(RuntimeOrigin::signed(W5), BOND + 500, models(&[model]), 2));
		System::assert_has_event(Event::WorkerEvicted { worker: W3, model }.into());
	});
}

#[test]
fn draws_weigh_stake_times_reputation() {
	run_test(|model| {
		workers(model, &[W1, W2]);
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 4 * BOND));
		let weight = |who| ComputeJobs::draw_weight(&Workers::<Test>::get(who).unwrap());
		assert_eq!(weight(W2), 5 * weight(W1));
		// Capped at MaxStakeUnits (10).
		assert_ok!(ComputeJobs::bond_more(RuntimeOrigin::signed(W2), 10 * BOND));
		assert_eq!(weight(W2), 10 * weight(W1));
		// Over many jobs the bigger stake is drawn far more often.
		let mut picks = [0u32; 2];
		for i in 0..200u64 {
			System::set_block_number(2 + i);
			System::set_parent_hash(H256::from_low_u64_be(i));
			let job = submit(model, 1);
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
	run_test(|model| {
		assert_noop!(submit_as(REQUESTER, model, 1, 10), Error::<Test>::NotEnoughWorkers);
		workers(model, &[W1]);
		assert_noop!(submit_as(REQUESTER, model, 2, 10), Error::<Test>::NotEnoughWorkers);
		// Paused workers and the requester itself do not count.
		workers(model, &[W2, REQUESTER]);
		assert_ok!(ComputeJobs::pause(RuntimeOrigin::signed(W2)));
		assert_noop!(submit_as(REQUESTER, model, 2, 10), Error::<Test>::NotEnoughWorkers);
		assert_ok!(submit_as(OWNER, model, 2, 10));
	});
}

#[test]
fn one_requester_cannot_fill_the_queue() {
	run_test(|model| {
		busy_worker(model, W1);
		// MaxQueuedPerRequester is 2 (of MaxQueuedJobs 3).
		submit_as(REQUESTER, model, 1, 10).unwrap();
		submit_as(REQUESTER, model, 1, 10).unwrap();
		assert_noop!(submit_as(REQUESTER, model, 1, 10), Error::<Test>::RequesterQueueFull);
		// Someone else still gets in.
		assert_ok!(submit_as(OWNER, model, 1, 10));
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 2);
		assert_ok!(ComputeJobs::cancel_job(RuntimeOrigin::signed(REQUESTER), 0));
		assert_eq!(QueuedPerRequester::<Test>::get(REQUESTER), 1);
	});
}

#[test]
fn a_full_deadline_bucket_spills_to_the_next_block() {
	run_test(|model| {
		workers(model, &[W1, W2, W3, W4]);
		for w in [W1, W2, W3, W4] {
			Workers::<Test>::mutate(w, |info| info.as_mut().unwrap().capacity = 100);
		}
		// MaxJobsPerBlock is 4, MaxDeadlineSpill 2: twelve jobs with one requested deadline fit.
		for i in 0..12u64 {
			let job = submit_as(if i % 2 == 0 { REQUESTER } else { OWNER }, model, 1, 10).unwrap();
			assert_eq!(Jobs::<Test>::get(job).unwrap().deadline, 11 + i / 4);
		}
		assert_noop!(submit_as(REQUESTER, model, 1, 10), Error::<Test>::DeadlineBlockFull);
		advance_to(14);
		assert!(Jobs::<Test>::iter().all(|(_, job)| matches!(job.state, JobState::Closed { .. })));
	});
}

// Finding 6: honest duties are free; invalid ones pay.

#[test]
fn valid_duties_are_free_and_invalid_ones_pay() {
	run_test(|model| {
		workers(model, &[W1, W2, W3]);
		let job = submit(model, 2);
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
	run_test(|model| {
		workers(model, &[W1]);
		let call = Call::<Test>::submit_job {
			model: ModelChoice::Model { model_id: model, version: None, max_price: PRICE },
			input: text(b"x"),
			max_fee: 50,
			replicas: 1,
			deadline_in: 10,
		};
		let declared = call.get_dispatch_info().call_weight;
		let post = ComputeJobs::submit_job(
			RuntimeOrigin::signed(REQUESTER),
			ModelChoice::Model { model_id: model, version: None, max_price: PRICE },
			text(b"x"),
			50,
			1,
			10,
		)
		.unwrap();
		assert_eq!(post.actual_weight, Some(ComputeJobs::submit_job_weight(1, 1, 1)));
		assert!(post.actual_weight.unwrap().all_lte(declared));
	});
}

// Finding 7: the quoted price.

#[test]
fn a_price_raised_after_the_quote_refuses_the_job_instead_of_charging_more() {
	run_test(|model| {
		workers(model, &[W1]);
		// The owner front-runs a pending submission quoted at PRICE.
		assert_ok!(Registry::set_price(RuntimeOrigin::signed(OWNER), model, PRICE + 10));
		assert_noop!(submit_as(REQUESTER, model, 1, 10), Error::<Test>::PriceAboveQuote);
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
	run_test(|model| {
		const OPERATOR: AccountId = 21;
		const NEW_OPERATOR: AccountId = 22;
		workers(model, &[W1]);
		assert_ok!(ComputeJobs::set_operator(RuntimeOrigin::signed(W1), Some(OPERATOR)));
		System::assert_last_event(Event::OperatorSet { worker: W1, operator: Some(OPERATOR) }.into());
		let job = submit(model, 1);
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
		workers(model, &[W2]);
		assert_noop!(
			ComputeJobs::set_operator(RuntimeOrigin::signed(W2), Some(NEW_OPERATOR)),
			Error::<Test>::OperatorInUse
		);
		assert_noop!(
			ComputeJobs::set_operator(RuntimeOrigin::signed(W2), Some(W1)),
			Error::<Test>::OperatorInUse
		);
		assert_noop!(
			ComputeJobs::register_worker(RuntimeOrigin::signed(NEW_OPERATOR), BOND, models(&[model]), 1),
			Error::<Test>::OperatorInUse
		);
		let _ = ComputeJobs::on_initialize(2);
	});
}

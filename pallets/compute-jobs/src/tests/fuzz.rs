//! Random call sequences, honest and attacking: after every step the pallet's invariants
//! hold (escrows and bonds equal held funds, assignment counts match, queue counts, operator
//! maps, draw cursor and marks), every job waiting for its draw was submitted less than
//! `DRAW_DELAY` blocks ago, and total issuance never changes (slashes go to the treasury,
//! fees move between accounts).
//!
//! Jobs are drawn `DRAW_DELAY` blocks after submission, as blocks advance: a third of the
//! submit moves import the `DRAW_DELAY` blocks after submitting, so that job is drawn at
//! once; the others wait for later blocks (and may be cancelled before their draw, drawn
//! together with later jobs, queued, or closed `QueueFull`).
//!
//! Attackers' moves: copying another worker's commitment, replaying its reveal, revealing
//! garbage or a false failure report, withholding (committing and never revealing),
//! squatting (registering at the minimum bond and pausing), naming operators, and many
//! requesters filling the queue.
//!
//! `INFERA_FUZZ_SEQUENCES=N` runs N sequences instead of the default (a long mode, not in
//! CI); the test prints how many calls it made.

use crate::{mock::*, results::commitment_of, *};
use sp_core::H256;
use frame_support::BoundedVec;
use infera_test_support::Rng;
use std::collections::BTreeMap;

const WORKERS: [AccountId; 5] = [W1, W2, W3, W4, W5];
const REQUESTERS: [AccountId; 3] = [REQUESTER, OWNER, POOR];
const SEQUENCES: u64 = 300;
/// Twice the steps of assignment at submission: jobs now wait `DRAW_DELAY` blocks for their
/// workers, and sequences must still reach every way a job can end.
const STEPS: usize = 80;

fn verdicts() -> [Verdict<Test>; 5] {
	let vector = |v: &[i8]| Verdict::Output(JobOutput::<Test>::Embedding(BoundedVec::truncate_from(v.to_vec())));
	[
		vector(&[90, 10, -5]),
		vector(&[90, 11, -5]),
		vector(&[-90, 10, 5]),
		Verdict::Failure(FailureReason::InvalidInput),
		Verdict::Failure(FailureReason::ModelUnavailable),
	]
}

/// What each worker committed to, per job: verdict and salt.
type Committed = BTreeMap<(JobId, AccountId), (Verdict<Test>, [u8; 32])>;

fn commitment_on_chain(job: JobId, worker: AccountId) -> Option<H256> {
	match Jobs::<Test>::get(job)?.state {
		JobState::Assigned { assignments, .. } =>
			assignments.into_iter().find(|a| a.worker == worker)?.commitment,
		_ => None,
	}
}

fn step(rng: &mut Rng, model: ModelId, committed: &mut Committed) {
	let mut worker = rng.pick(&WORKERS);
	let jobs = NextJobId::<Test>::get();
	let mut job = if jobs == 0 { 0 } else { rng.below(jobs) };
	// Commits and reveals mostly go to a worker of an assigned job, so jobs do complete.
	let assigned: Vec<(JobId, AccountId)> = Jobs::<Test>::iter()
		.filter_map(|(id, info)| match info.state {
			JobState::Assigned { assignments, .. } =>
				Some(assignments.into_iter().map(move |a| (id, a.worker))),
			_ => None,
		})
		.flatten()
		.collect();
	if !assigned.is_empty() && rng.below(4) > 0 {
		(job, worker) = rng.pick(&assigned);
	}
	let requester = rng.pick(&REQUESTERS);
	let signed = RuntimeOrigin::signed(worker);
	// The signer may be another worker's operator: its duties are that worker's.
	let acting = ComputeJobs::acting_worker(worker);
	// Errors are expected and must leave no trace: dispatchables are transactional.
	let _ = match rng.below(24) {
		0 => {
			let result =
				ComputeJobs::register_worker(signed.clone(), 900 + rng.below(600), models(&[model]), 1 + rng.below(3) as u32);
			// Its node fetches the model and says so (workers that never do are never drawn:
			// `tests/readiness.rs`).
			if result.is_ok() {
				assert_ok_quiet(ComputeJobs::set_readiness(signed, model, 1, true));
			}
			result
		},
		1 => ComputeJobs::bond_more(signed, rng.below(200)),
		2 => ComputeJobs::pause(signed),
		3 => ComputeJobs::resume(signed),
		4 => ComputeJobs::unbond(signed),
		5 => ComputeJobs::withdraw_bond(signed),
		6..=8 => {
			// Deadlines from MinDeadline (8: the draw delay, commit and reveal) to 19 blocks,
			// some too short to assign once the job has queued a while.
			let result = ComputeJobs::submit_job(
				RuntimeOrigin::signed(requester),
				ModelChoice::Model { model_id: model, version: None, max_price: PRICE + rng.below(2) },
				text(b"input"),
				30 + rng.below(70),
				1 + rng.below(3) as u8,
				8 + rng.below(12),
			)
			.map(|_| ())
			.map_err(|e| e.error);
			// Blocks go by: the job is drawn DRAW_DELAY blocks after its submission.
			if rng.below(3) == 0 {
				for _ in 0..DRAW_DELAY {
					run_to_block(System::block_number() + 1);
				}
			}
			result
		},
		9 => {
			// Mostly the requester of a job waiting for its draw or queued; sometimes anyone,
			// any job.
			let queued: Vec<(JobId, AccountId)> = Jobs::<Test>::iter()
				.filter(|(_, info)| matches!(info.state, JobState::Drawing | JobState::Queued))
				.map(|(id, info)| (id, info.requester))
				.collect();
			let (job, requester) =
				if !queued.is_empty() && rng.below(4) > 0 { rng.pick(&queued) } else { (job, requester) };
			ComputeJobs::cancel_job(RuntimeOrigin::signed(requester), job)
		},
		10..=12 => {
			// Honest or garbage: any verdict, with this worker's own commitment.
			let verdict = rng.pick(&verdicts());
			let salt = [rng.below(250) as u8; 32];
			let result = ComputeJobs::commit_result(
				signed,
				job,
				commitment_of::<Test>(job, &acting, &verdict, &salt),
			);
			if result.is_ok() {
				committed.insert((job, acting), (verdict, salt));
			}
			result.map(|_| ()).map_err(|e| e.error)
		},
		13 => {
			// Copy: commit another assigned worker's commitment.
			let victim = rng.pick(&WORKERS);
			match commitment_on_chain(job, victim) {
				// Committing a copy is allowed; it can never be opened (see the replay move).
				Some(copied) => ComputeJobs::commit_result(signed, job, copied)
					.map(|_| ())
					.map_err(|e| e.error),
				None => Ok(()),
			}
		},
		14 => {
			// Replay: reveal another worker's verdict and salt as one's own; must never verify
			// unless this worker committed to exactly that itself.
			let victim = rng.pick(&WORKERS);
			match committed.get(&(job, victim)).cloned() {
				Some((verdict, salt)) if victim != acting => {
					let own = committed.get(&(job, acting)).cloned();
					let result = ComputeJobs::reveal_result(signed, job, verdict.clone(), salt);
					if result.is_ok() {
						assert_eq!(own, Some((verdict, salt)), "a replayed reveal verified");
					}
					result.map(|_| ()).map_err(|e| e.error)
				},
				_ => Ok(()),
			}
		},
		15 => {
			// Squat: register at the minimum bond, claim to hold the model, and pause at once.
			let squatter = rng.pick(&SQUATTERS);
			let result = ComputeJobs::register_worker(RuntimeOrigin::signed(squatter), 1_000, models(&[model]), 1);
			if result.is_ok() {
				assert_ok_quiet(ComputeJobs::set_readiness(RuntimeOrigin::signed(squatter), model, 1, true));
				assert_ok_quiet(ComputeJobs::pause(RuntimeOrigin::signed(squatter)));
			}
			result
		},
		16 => ComputeJobs::set_operator(signed, rng.pick(&[None, Some(40), Some(41), Some(W1)])),
		// Withholding is simply never revealing: reveals happen only here.
		17..=21 => match committed.get(&(job, acting)).cloned() {
			Some((verdict, salt)) => ComputeJobs::reveal_result(signed, job, verdict, salt)
				.map(|_| ())
				.map_err(|e| e.error),
			None => Ok(()),
		},
		_ => {
			run_to_block(System::block_number() + 1);
			Ok(())
		},
	};
}

/// Every block here carries a VRF output, so a job waits for its draw exactly `DRAW_DELAY`
/// blocks.
fn check_draw_delay() -> Result<(), String> {
	let now = System::block_number();
	for (job_id, job) in Jobs::<Test>::iter() {
		if job.state == JobState::Drawing && now >= job.submitted_at + u64::from(DRAW_DELAY) {
			return Err(format!("job {job_id} submitted at {} still waits for its draw at {now}", job.submitted_at));
		}
	}
	Ok(())
}

fn assert_ok_quiet(result: sp_runtime::DispatchResult) {
	assert!(result.is_ok(), "{result:?}");
}

fn sequences() -> u64 {
	std::env::var("INFERA_FUZZ_SEQUENCES").ok().and_then(|n| n.parse().ok()).unwrap_or(SEQUENCES)
}

#[test]
fn random_call_sequences_conserve_funds_and_keep_invariants() {
	let mut steps = 0;
	let mut closed: BTreeMap<String, usize> = BTreeMap::new();
	let sequences = sequences();
	for seed in 1..=sequences {
		// Trained on a dataset that takes lineage rewards and one that does not.
		ExtBuilder::default().with_approved_model_trained_on(&[7, 9]).build_and_execute(|| {
			let issuance = Balances::total_issuance();
			let mut rng = Rng::new(seed);
			let mut committed = BTreeMap::new();
			for index in 0..STEPS {
				step(&mut rng, MODEL, &mut committed);
				steps += 1;
				if let Err(error) = ComputeJobs::do_try_state() {
					panic!("seed {seed}, step {index}: {error:?}");
				}
				if let Err(error) = check_draw_delay() {
					panic!("seed {seed}, step {index}: {error}");
				}
				assert_eq!(Balances::total_issuance(), issuance, "seed {seed}, step {index}");
			}
			// Run out every deadline (at most 19 blocks, spilled at most 2 later): every job ends
			// closed and every escrow is gone.
			run_to_block(System::block_number() + 22);
			for (job_id, job) in Jobs::<Test>::iter() {
				assert!(matches!(job.state, JobState::Closed { .. }), "seed {seed}: job {job_id} still open");
			}
			// Counted from the events: `on_idle` has pruned the jobs closed longest ago.
			for record in System::events() {
				let outcome = match record.event {
					RuntimeEvent::ComputeJobs(Event::JobClosed { reason, .. }) => format!("{reason:?}"),
					RuntimeEvent::ComputeJobs(Event::WorkerSlashed { .. }) => "slashes".into(),
					_ => continue,
				};
				*closed.entry(outcome).or_default() += 1;
			}
			ComputeJobs::do_try_state().unwrap();
			assert_eq!(Balances::total_issuance(), issuance);
		});
	}
	assert_eq!(steps, sequences as usize * STEPS);
	println!("{steps} calls in {sequences} sequences, 0 invariant violations");
	// The sequences reach every way a job can end, and slashing.
	println!("closed jobs by reason: {closed:?}");
	for outcome in ["Completed", "NoQuorum", "Expired", "Cancelled", "Failed(InvalidInput)", "QueueFull", "slashes"] {
		assert!(closed.get(outcome).copied().unwrap_or(0) > 0, "{outcome} never happened: {closed:?}");
	}
}
